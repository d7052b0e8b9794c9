// rwkvt data synth: render sentences through the TTS engines into a 16 kHz data set with a manifest.
#include <cstdio>

#include "commands.hpp"
#include "rwkvt/data/synth.hpp"

namespace rwkvt::cli {

void add_data_synth(CLI::App& data) {
    auto opt = std::make_shared<data::synth::SynthOptions>();
    CLI::App* cmd = data.add_subcommand(
        "synth", "Render sentences (one per line) with TTS voices into 16 kHz mono audio and OUT/manifest.jsonl (resumable)");
    cmd->add_option("--text", opt->text_path, "Normalised sentences, one per line")->required();
    cmd->add_option("--voices", opt->voices,
                    "Comma-separated ENGINE:VOICE names (espeak:en-us, flite:slt, festival:kal_diphone, pico:en-US, rhvoice:alan) "
                    "or presets: train, reserved")
        ->capture_default_str();
    cmd->add_option("--hours", opt->hours, "Hours of audio to render (estimated from text length); 0 = every line once")
        ->check(finite_range(0.0, 1e6))
        ->capture_default_str();
    cmd->add_option("--out", opt->out_dir, "Output folder (audio/ and manifest.jsonl); re-running resumes")->required();
    cmd->add_option("--jobs", opt->jobs, "Engine processes in parallel (0 = all cores)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", opt->seed, "Seed for sentence order, voice choice, tempo and pitch")->capture_default_str();
    auto pitch_range = std::make_shared<std::vector<double>>(std::vector<double>{opt->pitch_min, opt->pitch_max});
    cmd->add_option("--pitch-range", *pitch_range,
                    "Pitch factors LOW HIGH each utterance's pitch is drawn between (resampled voices shift their formants too)")
        ->expected(2)
        ->check(finite_range(0.25, 4.0))
        ->capture_default_str();
    cmd->add_option("--format", opt->format, "Audio format")->check(CLI::IsMember({"flac", "wav"}))->capture_default_str();
    cmd->add_flag("--skip-missing", opt->skip_missing, "Skip voices whose engine is not installed (with a warning) instead of failing");
    cmd->add_flag("--quiet{false}", opt->progress, "No progress bar");
    cmd->callback([opt, pitch_range]() {
        opt->pitch_min = (*pitch_range)[0];
        opt->pitch_max = (*pitch_range)[1];
        const data::synth::SynthSummary s = data::synth::run_synthesis(*opt);
        std::fprintf(stderr, "rwkvt: %ld utterances planned, %ld already done, %ld rendered, %ld failed; %.3f h of audio in %s/manifest.jsonl; %.1f s wall\n",
                     s.planned, s.already_done, s.rendered, s.failed, s.audio_hours, opt->out_dir.c_str(), s.wall_s);
        if (s.rendered > 0) {
            double audio = 0.0;
            for (const auto& [name, v] : s.per_voice) audio += v.audio_s;
            std::fprintf(stderr, "rwkvt: throughput %.1f hours of audio per wall hour\n", audio / s.wall_s);
            std::fprintf(stderr, "%-28s %6s %9s %9s %12s\n", "voice", "utts", "audio_s", "busy_s", "x_realtime/job");
            for (const auto& [name, v] : s.per_voice)
                std::fprintf(stderr, "%-28s %6ld %9.1f %9.1f %12.1f\n", name.c_str(), v.utterances, v.audio_s, v.busy_s,
                             v.busy_s > 0 ? v.audio_s / v.busy_s : 0.0);
        }
        if (s.failed > 0) {
            std::fprintf(stderr, "rwkvt: error: %ld utterances failed (see warnings above); re-run the same command to retry them\n", s.failed);
            exit_status = 1;
        }
    });
}

}  // namespace rwkvt::cli
