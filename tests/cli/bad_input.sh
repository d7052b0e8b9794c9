#!/bin/sh
# The command line's bad input and failed output: each is a non-zero exit status and one line of
# error (notes about the untrained test model aside), never a crash, a hang, silent garbage or a
# destroyed input. Unknown commands and options, NaN numbers, output that cannot be written (a full
# disk), outputs naming an input (dump, init), a set of empty references only, a report folder that
# does not exist, n-gram and model paths that are a folder or a FIFO, options the chosen decoder or
# input would ignore, an audio file piped in as raw PCM, audio narrower than the telephone band.
# And what is not an error: an empty reference among others (its insertions count in the totals),
# bytes that are not UTF-8 in file names and transcripts (U+FFFD in JSON output).
#
#   bad_input.sh RWKVT MODEL_CONFIG SCRATCH_DIR
set -eu
rwkvt=$1 config=$2 dir=$3
seed=${RWKVT_TEST_SEED:-$(date +%s)}
rm -rf "$dir" && mkdir -p "$dir"
trap 'echo "bad_input: failed with seed $seed (RWKVT_TEST_SEED=$seed replays it)" >&2' EXIT
"$rwkvt" init --config "$config" --seed "$seed" --noise 0.5 --out "$dir/model.safetensors" >/dev/null 2>&1
perl "$(dirname "$0")/tones_and_noise.pl" "$seed" 2 "$dir"
model="$dir/model.safetensors" audio="$dir/audio.wav"

# expect_failure PATTERN COMMAND...: COMMAND must exit non-zero within 60 s with one error line
# holding PATTERN on stderr.
expect_failure() {
    pattern=$1; shift
    status=0
    timeout 60 "$@" >"$dir/out" 2>"$dir/err" || status=$?
    lines=$(grep -vc '^rwkvt: note:' "$dir/err" || true)
    if [ $status -eq 0 ] || [ $status -eq 124 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$dir/err"; then
        echo "expected one error line with '$pattern' and a non-zero status from: $*" >&2
        echo "got status $status and: $(cat "$dir/err")" >&2
        exit 1
    fi
}

"$rwkvt" --help >/dev/null && "$rwkvt" transcribe --help >/dev/null || { echo "--help does not exit 0" >&2; exit 1; }
expect_failure "subcommand is required" "$rwkvt"
expect_failure 'unknown command "bogus"' "$rwkvt" bogus
expect_failure 'unknown command "bogus" (rwkvt data --help' "$rwkvt" data bogus
expect_failure "not in range" "$rwkvt" transcribe --model "$model" --threads -1 "$audio"
expect_failure "not a finite number" "$rwkvt" transcribe --model "$model" --blank-penalty nan "$audio"
expect_failure "not a finite number" "$rwkvt" bench --model "$model" --seconds nan
if [ -w /dev/full ]; then
    expect_failure "cannot write the output: No space left" sh -c '"$1" transcribe --model "$2" "$3" >/dev/full' _ "$rwkvt" "$model" "$audio"
    expect_failure "cannot write the output: No space left" sh -c '"$1" info "$2" >/dev/full' _ "$rwkvt" "$model"
fi

# Outputs that name an input are refused, and the input is left as it was.
cp "$model" "$dir/victim.safetensors"
expect_failure "names the input" "$rwkvt" dump "$dir/victim.safetensors" "$audio" --encoder-out "$dir/victim.safetensors"
cmp -s "$model" "$dir/victim.safetensors" || { echo "dump damaged its model" >&2; exit 1; }
cp "$audio" "$dir/audio-copy.wav"
expect_failure "names the input" "$rwkvt" dump "$model" "$audio" --encoder-out "$audio"
cmp -s "$audio" "$dir/audio-copy.wav" || { echo "dump damaged its audio" >&2; exit 1; }
cp "$config" "$dir/config.yaml"
expect_failure "names the input" "$rwkvt" init --config "$dir/config.yaml" --out "$dir/config.yaml"
cmp -s "$config" "$dir/config.yaml" || { echo "init damaged its config" >&2; exit 1; }
expect_failure "is a folder" "$rwkvt" init --config "$dir" --out "$dir/z.safetensors"

# Evaluation: an empty reference has no error rate of its own (null), while what is recognised in
# it counts in the totals; a set of empty references alone is refused; a report folder that does
# not exist fails before any decoding.
printf '{"audio_filepath": "%s", "duration": 2.0, "text": "", "speaker": "silence"}\n' "$audio" >"$dir/empty-text.jsonl"
expect_failure "every reference transcript" "$rwkvt" eval --model "$model" "$dir/empty-text.jsonl"
printf '{"audio_filepath": "%s", "duration": 2.0, "text": "a tone", "speaker": "tones"}\n' "$audio" >"$dir/manifest.jsonl"
cat "$dir/empty-text.jsonl" "$dir/manifest.jsonl" >"$dir/mixed.jsonl"
# A model of a fixed seed for this part: the check needs it to emit tokens on the tones.
"$rwkvt" init --config "$config" --seed 7 --noise 0.5 --out "$dir/model-7.safetensors" >/dev/null 2>&1
"$rwkvt" eval --model "$dir/model-7.safetensors" --format json "$dir/mixed.jsonl" >"$dir/mixed.json" 2>"$dir/err" ||
    { echo "eval with one empty reference failed: $(cat "$dir/err")" >&2; exit 1; }
python3 - "$dir/mixed.json" "$dir/manifest.jsonl" "$rwkvt" "$dir/model-7.safetensors" <<'PY' || exit 1
import json, subprocess, sys
mixed = json.load(open(sys.argv[1]))["systems"][0]
alone = json.loads(subprocess.run([sys.argv[3], "eval", "--model", sys.argv[4], "--format", "json", sys.argv[2]],
                                  capture_output=True, check=True).stdout)["systems"][0]
silence, overall = mixed["per_speaker"]["silence"], mixed["overall"]
assert silence["wer"] is None and silence["reference_words"] == 0, silence
# The untrained model emits tokens on the tones: the silence row's insertions are in the total.
assert silence["word_insertions"] > 0, silence
assert overall["word_insertions"] == alone["overall"]["word_insertions"] + silence["word_insertions"], (overall, alone["overall"])
assert overall["reference_words"] == alone["overall"]["reference_words"] == 2, overall
assert abs(overall["wer"] - (alone["overall"]["word_substitutions"] + alone["overall"]["word_deletions"] +
                             overall["word_insertions"]) / 2) < 1e-9, overall
PY
# (A missing audio file in the manifest would add an error line if anything were decoded first.)
printf '{"audio_filepath": "%s", "duration": 2.0, "text": "a tone", "speaker": "tones"}\n' "$dir/missing.wav" >>"$dir/mixed.jsonl"
expect_failure "cannot write into" "$rwkvt" eval --model "$model" --json-out "$dir/no/such/folder/report.json" "$dir/mixed.jsonl"
expect_failure "is a folder" "$rwkvt" eval --model "$model" --json-out "$dir" "$dir/mixed.jsonl"
expect_failure "names the input" "$rwkvt" eval --model "$model" --json-out "$dir/mixed.jsonl" "$dir/mixed.jsonl"

# Paths that are not regular files: refused at once, a FIFO without waiting for a writer.
mkfifo "$dir/fifo"
expect_failure "not a regular file" "$rwkvt" transcribe --model "$model" --decoder beam --lm "$dir" "$audio"
expect_failure "not a regular file" "$rwkvt" transcribe --model "$model" --decoder beam --lm "$dir/fifo" "$audio"
expect_failure "not a regular file" "$rwkvt" info "$dir/fifo"

# Options that would be ignored; an audio file piped in as raw PCM; audio below the telephone band.
expect_failure "applies to --decoder beam only" "$rwkvt" transcribe --model "$model" --beam 8 "$audio"
expect_failure "applies to --decoder beam only" "$rwkvt" eval --model "$model" --lm-weight 0.5 "$dir/manifest.jsonl"
expect_failure "applies to live input" "$rwkvt" transcribe --model "$model" --rate 8000 "$audio"
expect_failure "applies to live input" "$rwkvt" transcribe --model "$model" --chunk-ms 120 "$audio"
expect_failure "starts like an audio file" sh -c '"$1" transcribe --model "$2" - <"$3"' _ "$rwkvt" "$model" "$audio"
perl -e 'open(my $f, "+<:raw", $ARGV[0]) or die; seek($f, 24, 0); print $f pack("VV", 4000, 8000); close $f' \
    "$(cp "$audio" "$dir/narrow.wav" && echo "$dir/narrow.wav")"
expect_failure "below 8000 Hz" "$rwkvt" transcribe --model "$model" "$dir/narrow.wav"

# Bytes that are not UTF-8 (a Latin-1 file name and transcript) reach JSON output as U+FFFD.
latin1_name=$(printf '%s/caf\351.wav' "$dir")
cp "$audio" "$latin1_name"
"$rwkvt" transcribe --model "$model" --format jsonl "$latin1_name" >"$dir/out.jsonl" 2>"$dir/err" ||
    { echo "transcribe --format jsonl of a Latin-1 file name failed: $(cat "$dir/err")" >&2; exit 1; }
grep -q "$(printf 'caf\357\277\275')" "$dir/out.jsonl" || { echo "no U+FFFD in: $(cat "$dir/out.jsonl")" >&2; exit 1; }
printf 'path\ttranscript\n%s\tcaf\351 au lait\n' "$audio" >"$dir/latin1.tsv"
"$rwkvt" eval --model "$model" --format json "$dir/latin1.tsv" >"$dir/report.json" 2>"$dir/err" ||
    { echo "eval of a Latin-1 TSV failed: $(cat "$dir/err")" >&2; exit 1; }
python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$dir/report.json" ||
    { echo "eval's JSON report does not parse" >&2; exit 1; }

trap - EXIT
echo "bad input: ok (seed $seed)"
