// rwkvt dump: the encoder output of an audio file as .npy, for external checks of the arithmetic.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/npy.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

void add_dump(CLI::App& app) {
    struct Options {
        std::string model, audio, encoder_out;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("dump", "Write intermediate outputs of the model as .npy");
    cmd->add_option("model", opt->model, "Model file")->required();
    cmd->add_option("audio", opt->audio, "Audio file")->required();
    cmd->add_option("--encoder-out", opt->encoder_out, "Encoder output [frames, width] as float32 .npy")->required();
    cmd->callback([opt]() {
        refuse_overwriting_input(opt->encoder_out, "--encoder-out", {opt->model, opt->audio});
        RecognizerOptions ro;
        ro.model_path = opt->model;
        Recognizer recognizer(ro);
        const std::vector<float> samples = load_audio_16k_mono(opt->audio);
        int frames = 0;
        const std::vector<float> out = recognizer.encoder_output(samples, frames);
        const size_t width = nlohmann::json::parse(recognizer.summary().config_json).at("width").get<size_t>();
        write_npy(opt->encoder_out, out.data(), {static_cast<size_t>(frames), width});
        std::printf("wrote %s: %d frames x %zu\n", opt->encoder_out.c_str(), frames, width);
    });
}

}  // namespace rwkvt::cli
