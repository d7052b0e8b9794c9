#!/usr/bin/env bash
# Compares the whole-model speed of two rwkvt builds or two model files on the same audio,
# alternating runs so that load from elsewhere hits both alike; prints each run's RTFx, the medians
# and their ratio.
#
#   bench/compare.sh BASELINE CANDIDATE [RUNS] [-- BENCH OPTIONS...]
#
# BASELINE and CANDIDATE are each an rwkvt binary, a model file (*.safetensors) run by $RWKVT
# (default build/release/tools/rwkvt), or kernels:VARIANT, $RWKVT on that kernel variant.
#
# Tuned against hand schedules (two builds):
#   cmake --preset release -B build/hand -DRWKVT_SCHEDULES_DIR=/nonexistent && cmake --build build/hand --target rwkvt
#   build/release/tools/rwkvt init --config model/configs/rwkvt-19m.yaml --out /tmp/m.safetensors
#   bench/compare.sh build/hand/tools/rwkvt build/release/tools/rwkvt 7 -- --model /tmp/m.safetensors --seconds 20 --max-symbols 1
# f32 against bf16 weights (two model files):
#   build/release/tools/rwkvt init --config model/configs/rwkvt-19m.yaml --dtype bf16 --out /tmp/m-bf16.safetensors
#   bench/compare.sh /tmp/m.safetensors /tmp/m-bf16.safetensors 7 -- --seconds 20 --max-symbols 1
# Two kernel variants (the default model has bf16 weights: vdpbf16ps against widening to f32):
#   bench/compare.sh kernels:avx512 kernels:avx512_bf16 7 -- --model models/rwkvt-19m.safetensors --seconds 20
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,19p "$0" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
rwkvt=${RWKVT:-$repo/build/release/tools/rwkvt}
baseline=$1 candidate=$2 runs=${3:-5}
shift 2; [ $# -gt 0 ] && [ "$1" != "--" ] && shift
[ "${1:-}" = "--" ] && shift
# One bench run of a binary, a model file or a kernel variant; prints its RTFx.
rtfx() {
    local side=$1; shift
    local cmd=("$side" bench)
    [[ $side == *.safetensors ]] && cmd=("$rwkvt" bench --model "$side")
    local variant=""
    [[ $side == kernels:* ]] && cmd=("$rwkvt" bench) variant=${side#kernels:}
    RWKVT_KERNELS=${variant:-${RWKVT_KERNELS:-}} "${cmd[@]}" "$@" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rtfx"])'
}
base=() cand=()
for ((i = 0; i < runs; i++)); do
    base+=("$(rtfx "$baseline" "$@")")
    cand+=("$(rtfx "$candidate" "$@")")
    echo "run $((i + 1)): baseline RTFx ${base[-1]}  candidate RTFx ${cand[-1]}"
done
python3 - "${base[*]}" "${cand[*]}" <<'PY'
import statistics, sys
b = [float(x) for x in sys.argv[1].split()]
c = [float(x) for x in sys.argv[2].split()]
mb, mc = statistics.median(b), statistics.median(c)
paired = statistics.median(y / x for x, y in zip(b, c))
print(f"median RTFx: baseline {mb:.1f}, candidate {mc:.1f}; candidate / baseline {mc / mb:.3f} (median of paired runs {paired:.3f})")
PY
