#!/usr/bin/env python3
"""Copies a model file with some of its bf16 tensors stored as f32 (the same values, widened exactly).

    bench/widen_tensors.py MODEL OUT TENSOR...

For A/B timings of one layer's bf16 kernel against its f32 kernel with everything else equal, e.g.
the joiner's two inner layers:

    bench/widen_tensors.py models/rwkvt-19m.safetensors /tmp/joiner-f32.safetensors \\
        joiner.hidden.weight joiner.out.weight
    bench/compare.sh /tmp/joiner-f32.safetensors models/rwkvt-19m.safetensors 9 -- --seconds 20
"""
import json
import os
import struct
import sys


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source, target, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    try:
        with open(source, "rb") as f:
            (header_size,) = struct.unpack("<Q", f.read(8))
            if header_size > os.path.getsize(source) - 8:
                raise ValueError("its header runs past the end of the file")
            header = json.loads(f.read(header_size))
            data = f.read()
        for k, v in header.items():
            if k != "__metadata__" and not 0 <= v["data_offsets"][0] <= v["data_offsets"][1] <= len(data):
                raise ValueError(f"tensor {k} runs past the end of the file")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, struct.error) as e:
        print(f"widen_tensors: {source}: not a readable safetensors file ({e})", file=sys.stderr)
        return 1
    tensors = sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0])
    missing = names - {k for k, _ in tensors}
    if missing:
        print(f"widen_tensors: {source} has no tensor {sorted(missing)[0]}", file=sys.stderr)
        return 1
    out_header = {"__metadata__": header["__metadata__"]} if "__metadata__" in header else {}
    chunks, offset = [], 0
    for name, info in tensors:
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        info = dict(info)
        if name in names:
            if info["dtype"] != "BF16":
                print(f"widen_tensors: {name} is {info['dtype']}, not BF16", file=sys.stderr)
                return 1
            # A bf16 value is the upper half of its f32 (little-endian: the f32's bytes 2 and 3).
            wide = bytearray(2 * len(raw))
            wide[2::4] = raw[0::2]
            wide[3::4] = raw[1::2]
            raw = bytes(wide)
            info["dtype"] = "F32"
        info["data_offsets"] = [offset, offset + len(raw)]
        offset += len(raw)
        out_header[name] = info
        chunks.append(raw)
    encoded = json.dumps(out_header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    temporary = target + ".tmp"
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for chunk in chunks:
            f.write(chunk)
    os.replace(temporary, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
