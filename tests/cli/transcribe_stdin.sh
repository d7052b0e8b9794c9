#!/bin/sh
# `rwkvt transcribe -` (a live stream of raw PCM on standard input) against `rwkvt transcribe FILE`
# on the same audio: the same transcript, in text and in JSON Lines; `rwkvt eval --streaming`
# finding no difference either; and the live input's bad input: a stream
# that ends inside a sample, an empty stream, a chunk that is not a whole number of frames (in
# transcribe and in eval).
#
#   transcribe_stdin.sh RWKVT MODEL_CONFIG SCRATCH_DIR
#
# The audio is 3 s of a random mixture of tones and noise (tones_and_noise.pl, seeded from
# RWKVT_TEST_SEED or the clock), written once as a WAV file and once as raw 16-bit PCM. The model is a freshly
# initialised one: it emits a token on most frames, so its transcripts are long and any difference
# between the two paths shows.
set -eu
rwkvt=$1 config=$2 dir=$3
seed=${RWKVT_TEST_SEED:-$(date +%s)}
mkdir -p "$dir"
trap 'echo "transcribe_stdin: failed with seed $seed (RWKVT_TEST_SEED=$seed replays it)" >&2' EXIT
"$rwkvt" init --config "$config" --seed "$seed" --noise 0.5 --out "$dir/model.safetensors" >/dev/null 2>&1
perl "$(dirname "$0")/tones_and_noise.pl" "$seed" 3 "$dir"

file_text=$("$rwkvt" transcribe --model "$dir/model.safetensors" "$dir/audio.wav" 2>/dev/null)
[ -n "$file_text" ] || { echo "the file's transcript is empty: nothing to compare" >&2; exit 1; }
for chunk in 320 120; do
    live_text=$("$rwkvt" transcribe --model "$dir/model.safetensors" --chunk-ms $chunk - <"$dir/audio.raw" 2>/dev/null)
    [ "$live_text" = "$file_text" ] || { printf 'chunk %s ms: live "%s"\n      file "%s"\n' "$chunk" "$live_text" "$file_text" >&2; exit 1; }
done
final=$("$rwkvt" transcribe --model "$dir/model.safetensors" --format jsonl - <"$dir/audio.raw" 2>/dev/null | tail -n 1)
case $final in
    *'"final":true'*'"text":"'"$file_text"'"'*) ;;
    *) echo "last JSON line is not the final transcript: $final" >&2; exit 1 ;;
esac

# rwkvt eval --streaming: the same audio as a manifest, decoded whole and as a 320 ms stream.
printf '{"audio_filepath": "%s", "duration": 3.0, "text": "a b c", "speaker": "tones"}\n' "$dir/audio.wav" >"$dir/manifest.jsonl"
report=$("$rwkvt" eval --model "$dir/model.safetensors" --streaming 320 --format json "$dir/manifest.jsonl" 2>/dev/null | tr -d ' \n')
case $report in
    *'"streaming_vs_whole_file":{"chunk_ms":320,"utterances":1,"differing_transcripts":0}'*) ;;
    *) echo "eval --streaming did not report 1 utterance with the same transcript: $report" >&2; exit 1 ;;
esac

# Bad input: a clear one-line error and exit status 1.
expect_error() {  # expect_error PATTERN COMMAND...: fails unless COMMAND exits 1 with PATTERN on stderr
    pattern=$1; shift
    status=0
    "$@" >/dev/null 2>"$dir/err" || status=$?
    [ $status -eq 1 ] && grep -q "$pattern" "$dir/err" || { echo "expected status 1 and '$pattern', got $status: $(cat "$dir/err")" >&2; exit 1; }
}
head -c 1001 "$dir/audio.raw" >"$dir/odd.raw"
expect_error "ended inside a sample" sh -c '"$1" transcribe --model "$2" - <"$3"' _ "$rwkvt" "$dir/model.safetensors" "$dir/odd.raw"
expect_error "no audio" sh -c '"$1" transcribe --model "$2" - </dev/null' _ "$rwkvt" "$dir/model.safetensors"
expect_error "multiple of 40" "$rwkvt" transcribe --model "$dir/model.safetensors" --chunk-ms 100 -
expect_error "multiple of 40" "$rwkvt" eval --model "$dir/model.safetensors" --streaming 100 "$dir/manifest.jsonl"
trap - EXIT
echo "transcribe_stdin: live and file transcripts agree (seed $seed)"
