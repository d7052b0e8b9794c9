#!/usr/bin/env bash
# The main job: build rwkvt (release preset) and transcribe the bundled sample with the default
# model. Until a trained model is shipped in models/, it makes a randomly initialised one and the
# transcriber says so.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --preset release >/dev/null
cmake --build --preset release --target rwkvt

model=models/rwkvt-19m.safetensors
if [ ! -f "$model" ]; then
    model=build/release/rwkvt-19m-untrained.safetensors
    [ -f "$model" ] || build/release/tools/rwkvt init --config model/configs/rwkvt-19m.yaml --out "$model" --seed 1
fi
build/release/tools/rwkvt transcribe --model "$model" samples/harvard-list01.flac
