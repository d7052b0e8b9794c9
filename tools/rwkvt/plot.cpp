// rwkvt plot: training curves (loss, and validation WER/CER) from a run's metrics.jsonl, drawn by
// gnuplot (package gnuplot-nox) into a PNG. Needs no LibTorch.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace rwkvt::cli {

namespace {

// gnuplot strings are single-quoted; a quote inside is doubled.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

void plot(const std::string& metrics, const std::string& out) {
    std::ifstream in(metrics);
    if (!in) throw std::runtime_error(metrics + ": cannot open");
    const std::string dir = std::filesystem::temp_directory_path() / ("rwkvt-plot-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    struct Cleanup {
        std::string dir;
        ~Cleanup() { std::error_code ignored; std::filesystem::remove_all(dir, ignored); }
    } cleanup{dir};
    std::ofstream train(dir + "/train.dat"), valid(dir + "/valid.dat");
    std::string line;
    int train_points = 0, valid_points = 0, number = 0;
    bool has_wer = false;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const std::exception&) {
            throw std::runtime_error(metrics + ":" + std::to_string(number) + ": not JSON");
        }
        const std::string type = j.value("type", "");
        if (type == "train" && j.contains("loss")) {
            train << j.value("step", 0) << " " << j["loss"].get<double>() << "\n";
            ++train_points;
        } else if (type == "valid" && j.contains("loss")) {
            has_wer = has_wer || j.contains("wer");
            valid << j.value("step", 0) << " " << j["loss"].get<double>() << " " << j.value("wer", 0.0) * 100 << " "
                  << j.value("cer", 0.0) * 100 << "\n";
            ++valid_points;
        }
    }
    train.close();
    valid.close();
    if (train_points == 0) throw std::runtime_error(metrics + ": no training records to plot");

    std::ofstream script(dir + "/plot.gp");
    script << "set terminal pngcairo size 1200," << (has_wer ? 900 : 500) << "\n"
           << "set output " << quoted(out) << "\n"
           << "set grid\nset key top right\n"
           << (has_wer ? "set multiplot layout 2,1\n" : "")
           << "set title 'loss'\nset xlabel 'step'\nset logscale y\n"
           << "plot " << quoted(dir + "/train.dat") << " using 1:2 with lines title 'train'"
           << (valid_points ? ", " + quoted(dir + "/valid.dat") + " using 1:2 with linespoints title 'validation'" : "") << "\n";
    if (has_wer)
        script << "unset logscale y\nset title 'validation error rate (%)'\nset yrange [0:*]\n"
               << "plot " << quoted(dir + "/valid.dat") << " using 1:3 with linespoints title 'WER', "
               << quoted(dir + "/valid.dat") << " using 1:4 with linespoints title 'CER'\nunset multiplot\n";
    script.close();

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("plot: cannot start gnuplot");
    if (pid == 0) {
        const std::string path = dir + "/plot.gp";
        ::execlp("gnuplot", "gnuplot", path.c_str(), static_cast<char*>(nullptr));
        std::fprintf(stderr, "rwkvt: error: plot: cannot run gnuplot (install gnuplot-nox: bash tools/setup.sh)\n");
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("plot: gnuplot failed");
}

}  // namespace

void add_plot(CLI::App& app) {
    struct Options {
        std::string metrics, out = "curves.png";
    };
    auto options = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("plot", "Plot training loss and validation WER/CER from a run's metrics.jsonl (gnuplot)");
    cmd->add_option("METRICS", options->metrics, "metrics.jsonl of a training run")->required();
    cmd->add_option("--out", options->out, "PNG to write");
    cmd->callback([options] { plot(options->metrics, options->out); });
}

}  // namespace rwkvt::cli
