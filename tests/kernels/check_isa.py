#!/usr/bin/env python3
"""Checks that the avx512_bf16 kernels use no instruction that AMD's Zen 4 lacks.

    check_isa.py ARCHIVE...     every object in the archives, disassembled with objdump
    check_isa.py --self-test    the detector against a few assembled instructions

Halide 14 compiles the avx512_bf16 variant for LLVM's "sapphirerapids" CPU, so LLVM may use any
instruction Sapphire Rapids has. Two of its extensions are missing on Zen 4 (Zen 5 has the second):

- AVX512-FP16: every one of its instructions is EVEX-encoded in opcode map 5 or 6, which no other
  extension uses (vmovw, for one, which LLVM picks to move a 16-bit value into a vector register);
- AVX-VNNI: VEX-encoded vpdpbusd(s) / vpdpwssd(s); their EVEX forms are AVX512-VNNI, which Zen 4 has.

Nor may they use the AMX tile unit (ldtilecfg, tileloadd, tdpbf16ps, ...), which no AMD CPU has: only
the avx512_amx variant's GEMMs do, and the runtime runs that one only where AMX is.

The runtime lets the variant run on CPUs without either (runtime/src/cpu_features.cpp), so a kernel
that contains one must fail this test, naming the kernel, the address and the instruction.
"""
import os
import re
import subprocess
import sys
import tempfile

# Legacy prefixes that may stand before an EVEX (0x62) or VEX (0xc4, 0xc5) prefix in 64-bit code.
LEGACY_PREFIXES = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x67}
LINE = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$")
FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def problem(code, text):
    """Why an instruction (its bytes and objdump's text) cannot run on Zen 4, or None."""
    i = 0
    while i < len(code) and code[i] in LEGACY_PREFIXES:
        i += 1
    if i + 1 < len(code) and code[i] == 0x62 and code[i + 1] & 0x7 in (5, 6):
        return "AVX512-FP16 (EVEX map %d)" % (code[i + 1] & 0x7)
    mnemonic = text.replace("{vex}", "").split()[0] if text.replace("{vex}", "").split() else ""
    if mnemonic.startswith(("tile", "ldtilecfg", "sttilecfg", "tdp")):
        return "AMX (%s)" % mnemonic
    if i < len(code) and code[i] in (0xC4, 0xC5) and mnemonic.startswith(("vpdpbusd", "vpdpwssd")):
        return "AVX-VNNI (VEX-encoded %s)" % mnemonic
    return None


def scan(path):
    """[(function, address, instruction, why)] for every offending instruction in an object or archive."""
    listing = subprocess.run(["objdump", "-d", "-w", path], check=True, capture_output=True, text=True).stdout
    found, function = [], "?"
    for line in listing.splitlines():
        m = FUNCTION.match(line)
        if m:
            function = m.group(1)
            continue
        m = LINE.match(line)
        if not m:
            continue
        code = bytes(int(b, 16) for b in m.group(2).split())
        why = problem(code, m.group(3))
        if why:
            found.append((function, m.group(1), m.group(3).strip(), why))
    return found


def self_test():
    """The detector flags FP16, VEX VNNI and AMX instructions and passes their neighbours: (cases, failures)."""
    cases = {
        "vmovw %eax, %xmm0": True,
        "vaddph %zmm1, %zmm2, %zmm3": True,
        "vcvtph2psx %ymm1, %zmm2": True,
        "{vex} vpdpbusd %ymm0, %ymm1, %ymm2": True,
        "tdpbf16ps %tmm2, %tmm1, %tmm0": True,
        "tileloadd (%rax,%rcx,1), %tmm1": True,
        "ldtilecfg (%rax)": True,
        "vdpbf16ps %zmm0, %zmm1, %zmm2": False,
        "vcvtneps2bf16 %zmm0, %ymm1": False,
        "vpdpbusd %zmm0, %zmm1, %zmm2": False,
        "vcvtph2ps %xmm0, %ymm1": False,
        "vfmadd231ps %zmm0, %zmm1, %zmm2": False,
        "vmovd %eax, %xmm0": False,
    }
    with tempfile.TemporaryDirectory() as scratch:
        failures = []
        for asm, bad in cases.items():
            source, obj = os.path.join(scratch, "t.s"), os.path.join(scratch, "t.o")
            with open(source, "w") as f:
                f.write(".text\n" + asm + "\n")
            subprocess.run(["as", "--64", source, "-o", obj], check=True)
            flagged = bool(scan(obj))
            if flagged != bad:
                failures.append("%s: %s" % (asm, "missed" if bad else "flagged wrongly"))
    return len(cases), failures


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: check_isa.py --self-test | ARCHIVE...")
    if args == ["--self-test"]:
        cases, failures = self_test()
        for f in failures:
            print("check_isa: self-test: " + f)
        print("%d passed, %d failed" % (cases - len(failures), len(failures)))
        sys.exit(1 if failures else 0)
    bad = 0
    for path in args:
        for function, address, text, why in scan(path):
            print("%s: %s+%s: %s: %s" % (os.path.basename(path), function, address, text, why))
            bad += 1
    print("check_isa: %d archives, %d instructions that Zen 4 cannot run" % (len(args), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
