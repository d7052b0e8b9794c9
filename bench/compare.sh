#!/usr/bin/env bash
# Compares the whole-model speed of two rwkvt builds or two model files on the same audio,
# alternating runs so that load from elsewhere hits both alike; prints each run's RTFx, the medians
# and their ratio.
#
#   bench/compare.sh BASELINE CANDIDATE [RUNS] [-- BENCH OPTIONS...]
#
# BASELINE and CANDIDATE are each an rwkvt binary, or a model file (*.safetensors) run by
# $RWKVT (default build/release/tools/rwkvt).
#
# Tuned against hand schedules (two builds):
#   cmake --preset release -B build/hand -DRWKVT_SCHEDULES_DIR=/nonexistent && cmake --build build/hand --target rwkvt
#   build/release/tools/rwkvt init --config model/configs/rwkvt-19m.yaml --out /tmp/m.safetensors
#   bench/compare.sh build/hand/tools/rwkvt build/release/tools/rwkvt 7 -- --model /tmp/m.safetensors --seconds 20 --max-symbols 1
# f32 against bf16 weights (two model files):
#   build/release/tools/rwkvt init --config model/configs/rwkvt-19m.yaml --dtype bf16 --out /tmp/m-bf16.safetensors
#   bench/compare.sh /tmp/m.safetensors /tmp/m-bf16.safetensors 7 -- --seconds 20 --max-symbols 1
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,17p "$0" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
rwkvt=${RWKVT:-$repo/build/release/tools/rwkvt}
baseline=$1 candidate=$2 runs=${3:-5}
shift 2; [ $# -gt 0 ] && [ "$1" != "--" ] && shift
[ "${1:-}" = "--" ] && shift
# One bench run of a binary or a model file; prints its RTFx.
rtfx() {
    local side=$1; shift
    local cmd=("$side" bench)
    [[ $side == *.safetensors ]] && cmd=("$rwkvt" bench --model "$side")
    "${cmd[@]}" "$@" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rtfx"])'
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
