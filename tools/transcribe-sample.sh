#!/usr/bin/env bash
# The main job: build rwkvt (release preset) and transcribe the bundled sample with the default
# model, models/rwkvt-19m.safetensors (its model card: models/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --preset release >/dev/null
cmake --build --preset release --target rwkvt

model=models/rwkvt-19m.safetensors
[ -f "$model" ] || { echo "transcribe-sample.sh: error: $model is missing (recipes/rwkvt-19m/run.sh ship makes it)" >&2; exit 1; }
build/release/tools/rwkvt transcribe --model "$model" samples/harvard-list01.flac
