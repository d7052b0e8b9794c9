#!/bin/sh
# `rwkvt data ngram` and `--lm` end to end: a token 3-gram model estimated on random text with a
# model's own (character) tokenizer is fused into `transcribe --decoder beam` and `eval`; the bad
# inputs are one-line errors with a non-zero exit: the model without beam search, a truncated
# n-gram file, an n-gram model of another tokenizer, text that is missing.
#
#   data_ngram.sh RWKVT MODEL_CONFIG SCRATCH_DIR
set -eu
rwkvt=$1 config=$2 dir=$3
seed=${RWKVT_TEST_SEED:-$(date +%s)}
mkdir -p "$dir"
trap 'echo "data_ngram: failed with seed $seed (RWKVT_TEST_SEED=$seed replays it)" >&2' EXIT
"$rwkvt" init --config "$config" --seed "$seed" --noise 0.5 --out "$dir/model.safetensors" >/dev/null 2>&1
vocab=$("$rwkvt" info "$dir/model.safetensors" --format json | sed -nE 's/.*"vocab_size": *([0-9]+).*/\1/p' | head -n 1)
"$rwkvt" data tokenizer --kind char --vocab-size "$vocab" --out "$dir/tokenizer.json" >/dev/null
"$rwkvt" data tokenizer --kind char --vocab-size $((vocab + 4)) --out "$dir/other-tokenizer.json" >/dev/null
# Random words over a few letters, and 2 s of tones and noise.
perl -e 'srand($ARGV[0]); my @w = map { join "", map { ("a".."h")[rand 8] } 1 .. 2 + int rand 5 } 1 .. 40;
         for (1 .. 300) { print join(" ", map { $w[rand @w] } 1 .. 3 + int rand 6), "\n" }' "$seed" > "$dir/text.txt"
perl "$(dirname "$0")/tones_and_noise.pl" "$seed" 2 "$dir"

"$rwkvt" data ngram --text "$dir/text.txt" --tokenizer "$dir/tokenizer.json" --order 3 --out "$dir/lm.bin" | grep -q "order 3 on 300 sentences"
"$rwkvt" transcribe --model "$dir/model.safetensors" --decoder beam --lm "$dir/lm.bin" --lm-weight 2 "$dir/audio.wav" >/dev/null 2>&1

# One line on stderr, a non-zero exit, and the line names the problem.
expect_error() {
    pattern=$1
    shift
    if "$@" >"$dir/out" 2>"$dir/err"; then echo "succeeded but should fail: $*" >&2; exit 1; fi
    [ "$(wc -l <"$dir/err")" -eq 1 ] || { echo "not one line of error: $*" >&2; cat "$dir/err" >&2; exit 1; }
    grep -q "$pattern" "$dir/err" || { echo "error without '$pattern': $*" >&2; cat "$dir/err" >&2; exit 1; }
}
expect_error "only used by beam search" "$rwkvt" transcribe --model "$dir/model.safetensors" --lm "$dir/lm.bin" "$dir/audio.wav"
head -c 500 "$dir/lm.bin" > "$dir/truncated.bin"
expect_error "corrupt or truncated" "$rwkvt" transcribe --model "$dir/model.safetensors" --decoder beam --lm "$dir/truncated.bin" "$dir/audio.wav"
"$rwkvt" data ngram --text "$dir/text.txt" --tokenizer "$dir/other-tokenizer.json" --order 3 --out "$dir/other.bin" >/dev/null
expect_error "another tokenizer" "$rwkvt" transcribe --model "$dir/model.safetensors" --decoder beam --lm "$dir/other.bin" "$dir/audio.wav"
expect_error "cannot open the text" "$rwkvt" data ngram --text "$dir/missing.txt" --tokenizer "$dir/tokenizer.json" --out "$dir/x.bin"
[ ! -e "$dir/x.bin" ] || { echo "a failed estimation left a file" >&2; exit 1; }
trap - EXIT
echo "data ngram and --lm: ok"
