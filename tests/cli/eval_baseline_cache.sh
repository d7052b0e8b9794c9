#!/bin/sh
# `rwkvt eval --baseline pocketsphinx --baseline-cache FILE`: the first run transcribes every
# utterance with the baseline and fills the cache; a second run takes every transcript from the
# cache without running the baseline; an audio file whose modification time changes is transcribed
# again; a file that is not a cache is a one-line error and exit status 1.
#
#   eval_baseline_cache.sh RWKVT MODEL_CONFIG SCRATCH_DIR
#
# The baseline is a stand-in `pocketsphinx_continuous` placed first on PATH: it prints a fixed
# transcript and logs every call, so the test sees exactly which utterances were transcribed, and
# runs where pocketsphinx is not installed. The audio is random tones (perl, seeded from
# RWKVT_TEST_SEED or the clock).
set -eu
rwkvt=$1 config=$2 dir=$3
seed=${RWKVT_TEST_SEED:-$(date +%s)}
rm -rf "$dir"
mkdir -p "$dir/bin"
trap 'echo "eval_baseline_cache: failed with seed $seed (RWKVT_TEST_SEED=$seed replays it)" >&2' EXIT
"$rwkvt" init --config "$config" --seed "$seed" --out "$dir/model.safetensors" >/dev/null 2>&1
for n in 1 2 3; do
    perl -e '
        srand($ARGV[0]);
        my ($n, $rate) = (16000 + int(rand(16000)), 16000);
        my $f = 100 + rand(3000);
        my $pcm = pack("s<*", map { int(6000 * sin(6.2831853 * $f * $_ / $rate) + 1500 * (rand(2) - 1)) } 0 .. $n - 1);
        open(my $wav, ">:raw", $ARGV[1]) or die;
        print $wav "RIFF", pack("V", 36 + length $pcm), "WAVEfmt ", pack("VvvVVvv", 16, 1, 1, $rate, 2 * $rate, 2, 16),
                   "data", pack("V", length $pcm), $pcm;
        close $wav;' "$seed$n" "$dir/audio$n.wav"
    printf '{"audio_filepath": "%s", "duration": 1.0, "text": "one two three four", "speaker": "tones"}\n' "$dir/audio$n.wav" >>"$dir/manifest.jsonl"
done
cat >"$dir/bin/pocketsphinx_continuous" <<'SCRIPT'
#!/bin/sh
echo "$3" >>"$(dirname "$0")/calls.log"
echo "one two"
SCRIPT
chmod +x "$dir/bin/pocketsphinx_continuous"
calls() { if [ -f "$dir/bin/calls.log" ]; then wc -l <"$dir/bin/calls.log" | tr -d ' '; else echo 0; fi; }
evaluate() {  # evaluate: the compact JSON report of the baseline run with the cache
    PATH="$dir/bin:$PATH" "$rwkvt" eval --model "$dir/model.safetensors" --baseline pocketsphinx --baseline-cache "$dir/cache.json" \
        --format json "$dir/manifest.jsonl" 2>/dev/null | tr -d ' \n'
}
expect() {  # expect WHAT PATTERN TEXT
    case $3 in *$2*) ;; *) echo "$1: expected $2 in: $3" >&2; exit 1 ;; esac
}

first=$(evaluate)
[ "$(calls)" = 3 ] || { echo "first run: the baseline ran $(calls) times, expected 3" >&2; exit 1; }
expect "first run" '"system":"pocketsphinx","wall_s":' "$first"
expect "first run (WER of 'one two' against 4 words)" '"wer":0.5,' "$first"
case $first in *from_cache*) echo "first run: transcripts reported as cached: $first" >&2; exit 1 ;; esac

second=$(evaluate)
[ "$(calls)" = 3 ] || { echo "second run: the baseline ran again ($(calls) calls in all)" >&2; exit 1; }
expect "second run" '"from_cache":3' "$second"
expect "second run" '"wer":0.5,' "$second"

touch -d '2001-02-03 04:05:06' "$dir/audio2.wav"
third=$(evaluate)
[ "$(calls)" = 4 ] || { echo "after touching one file: $(calls) calls in all, expected 4" >&2; exit 1; }
expect "third run" '"from_cache":2' "$third"

echo '{"not": "a cache"}' >"$dir/cache.json"
status=0
PATH="$dir/bin:$PATH" "$rwkvt" eval --model "$dir/model.safetensors" --baseline pocketsphinx --baseline-cache "$dir/cache.json" \
    "$dir/manifest.jsonl" >/dev/null 2>"$dir/err" || status=$?
[ $status -eq 1 ] && grep -q "not a baseline cache" "$dir/err" && [ "$(wc -l <"$dir/err")" -eq 1 ] ||
    { echo "a file that is not a cache: expected status 1 and one line, got $status: $(cat "$dir/err")" >&2; exit 1; }
trap - EXIT
echo "eval_baseline_cache: passed (seed $seed)"
