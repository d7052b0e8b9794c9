#!/usr/bin/env python3
"""The evaluation table of the README, in Markdown, from the JSON reports `run.sh eval` writes.

    eval_table.py EVAL_DIR    reads EVAL_DIR/{heldout-test,harvard,harvard-train,asterisk,heldout-dev}{,-beam,-beam-lm}.json

One row per set (the Asterisk prompts split into their ok and check rows) and system: rwkvt's
greedy transducer decoding, its modified beam search (also with the 4-gram model fused, where that
ran), and pocketsphinx where it ran. WER and CER
in percent; RTFx is audio seconds over wall seconds of the whole set, on all cores (pocketsphinx's
includes loading its model for every utterance, as its command-line tool does).
"""
import json
import os
import sys

SETS = [
    ("heldout-test", "test: 500 unseen sentences, training voices"),
    ("harvard", "Harvard sentences, reserved voices"),
    ("harvard-train", "Harvard sentences, training voices"),
    ("asterisk", "Asterisk prompts, real speech (8 kHz)"),
    ("heldout-dev", "dev: 500 unseen sentences, training voices"),
]


def load(path):
    with open(path) as f:
        return json.load(f)


def rows_of(report, label):
    """(set label, system, totals, whole set?) for every system of one report, and per flag."""
    out = []
    for system in report["systems"]:
        if system["system"].startswith("rwkvt") and "streaming" in system["system"]:
            continue  # streaming gives the same transcripts: reported as a count below
        out.append((label, system["system"], system["overall"], True))
        for flag, totals in sorted(system["per_flag"].items(), reverse=True):
            out.append((f"{label}, {flag} rows", system["system"], totals, False))
    return out


def percent(rate):
    """A rate as the table shows it; `rwkvt eval` reports null for a group without reference words."""
    return "-" if rate is None else f"{100 * rate:.2f}"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: eval_table.py EVAL_DIR")
    directory = sys.argv[1]
    lines = ["| set | system | utterances | words | WER % | CER % | RTFx |", "|---|---|---|---|---|---|---|"]
    streaming = []
    for name, label in SETS:
        reports = [os.path.join(directory, f"{name}{tail}.json") for tail in ("", "-beam", "-beam-lm")]
        reports = [load(p) for p in reports if os.path.exists(p)]
        if not reports:
            continue
        rows = []
        for report in reports:
            rows += rows_of(report, label)
            check = report.get("streaming_vs_whole_file")
            if check:
                # Named as the table names the run (greedy, beam K, beam K + lm), not by decoder kind.
                system = next(s["system"] for s in report["systems"] if s["system"] != "pocketsphinx")
                streaming.append(f"{name} ({system}): {check['differing_transcripts']} of {check['utterances']}")
        # The whole set, then each flag's rows, in the order the reports give them; in each group
        # rwkvt's systems first, then the baseline.
        groups = list(dict.fromkeys(r[0] for r in rows))
        for set_label, system, totals, whole_set in sorted(rows, key=lambda r: (groups.index(r[0]), r[1] == "pocketsphinx")):
            # RTFx only for a whole set (audio over wall time); a flag's subset has no wall time of its own.
            rtfx = f"{totals['rtfx']:.1f}" if whole_set else "-"
            lines.append(f"| {set_label} | {system} | {totals['utterances']} | {totals['reference_words']} | "
                         f"{percent(totals['wer'])} | {percent(totals['cer'])} | {rtfx} |")
    print("\n".join(lines))
    if streaming:
        print("\nTranscripts that differ between 320 ms streaming and whole-file decoding: " + "; ".join(streaming) + ".")


if __name__ == "__main__":
    main()
