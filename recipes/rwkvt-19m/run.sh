#!/usr/bin/env bash
# The default model's recipe: corpus, tokenizer, evaluation sets, the three training stages (CTC
# encoder, predictor language model, joint RNN-T + CTC), export to models/ and the evaluation table.
#
#   recipes/rwkvt-19m/run.sh [STAGE...]      stages: text tokenizer synth evalsets ctc lm joint export eval
#
# With no STAGE it runs every stage in order. Every stage is resumable: a finished stage is skipped,
# an interrupted one continues (synthesis from the files already rendered, training from its last
# checkpoint), so the recipe can run across several sittings. Work files live in $RWKVT_WORK
# (default: ~/rwkvt-work): about 6 GB of audio, checkpoints and logs. Only the exported model and
# its curves come back into the repository.
set -euo pipefail
recipe=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$recipe/../.." && pwd)
work=${RWKVT_WORK:-$HOME/rwkvt-work}
build=${RWKVT_BUILD:-$repo/build/release}
rwkvt="$build/tools/rwkvt"
hours=${RWKVT_TRAIN_HOURS:-60}      # rendered training audio
seed=1

[ -x "$rwkvt" ] || { echo "run.sh: error: $rwkvt is missing: build first (cmake --workflow --preset release)" >&2; exit 1; }
mkdir -p "$work"
log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

# The stage configs, with the repository and work folders filled in (relative paths in them are
# relative to the work folder, where the copies live).
write_config() {
    sed -e "s|@REPO@|$repo|g" "$recipe/$1.yaml" > "$work/$1.yaml.tmp"
    mv "$work/$1.yaml.tmp" "$work/$1.yaml"
}

# Trains one stage: fresh the first time, --resume after an interruption, nothing once finished.
train_stage() {
    local mode=$1 name=$2
    write_config "$name"
    if [ -f "$work/$name/finished" ]; then log "$name: finished earlier"; return; fi
    local resume=()
    [ -f "$work/$name/checkpoint.ckpt" ] && resume=(--resume)
    log "$name: training (${resume[*]:-fresh})"
    "$rwkvt" train --mode "$mode" --config "$work/$name.yaml" "${resume[@]}"
    touch "$work/$name/finished"
    "$rwkvt" plot "$work/$name/metrics.jsonl" --out "$work/$name/curves.png" || true
}

stage_text() {
    [ -f "$work/text/train.txt" ] && { log "text: done earlier"; return; }
    log "text"
    "$rwkvt" data text --out "$work/text" --cmudict
}

stage_tokenizer() {
    [ -f "$work/tokenizer.json" ] && { log "tokenizer: done earlier"; return; }
    log "tokenizer"
    "$rwkvt" data tokenizer --text "$work/text/train.txt" --kind unigram --vocab-size 1024 --out "$work/tokenizer.json"
}

stage_synth() {
    log "synth: $hours h of training audio (resumes)"
    "$rwkvt" data synth --text "$work/text/train.txt" --voices train --hours "$hours" --out "$work/train-${hours}h" --seed "$seed"
    ln -sfn "train-${hours}h" "$work/train"
}

stage_evalsets() {
    log "evaluation sets (resume)"
    "$rwkvt" data evalset heldout --text "$work/text/valid.txt" --out "$work/eval/heldout" --sentences 500 --seed "$seed"
    "$rwkvt" data evalset harvard --out "$work/eval/harvard" --text "$work/text/reserved-harvard.txt" --seed "$seed"
    [ -f "$work/eval/asterisk/manifest.jsonl" ] || "$rwkvt" data evalset asterisk --out "$work/eval/asterisk"
}

stage_export() {
    local out="$repo/models/rwkvt-19m.safetensors"
    log "export -> $out"
    mkdir -p "$repo/models"
    "$rwkvt" export "$work/joint/checkpoint.ckpt" --out "$out"
    for name in ctc lm joint; do
        [ -f "$work/$name/curves.png" ] && cp "$work/$name/curves.png" "$recipe/curves-$name.png"
    done
}

stage_eval() {
    local model="$repo/models/rwkvt-19m.safetensors"
    log "evaluation of $model"
    for set in heldout/test heldout/dev harvard asterisk; do
        local name
        name=$(echo "$set" | tr / -)
        # --streaming 320: also decode as 320 ms live streams and count transcripts that differ.
        "$rwkvt" eval --model "$model" --baseline pocketsphinx --baseline-cache "$work/eval/pocketsphinx-cache.json" --streaming 320 --json-out "$work/eval/$name.json" "$work/eval/$set/manifest.jsonl" \
            | tee "$work/eval/$name.txt"
    done
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(text tokenizer synth evalsets ctc lm joint export eval)
for stage in "${stages[@]}"; do
    case $stage in
        text) stage_text ;;
        tokenizer) stage_tokenizer ;;
        synth) stage_synth ;;
        evalsets) stage_evalsets ;;
        ctc) train_stage ctc ctc ;;
        lm) train_stage lm lm ;;
        joint) train_stage joint joint ;;
        export) stage_export ;;
        eval) stage_eval ;;
        *) echo "run.sh: error: unknown stage '$stage' (text tokenizer synth evalsets ctc lm joint export eval)" >&2; exit 1 ;;
    esac
done
