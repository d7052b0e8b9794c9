// Progress bar drawing; the ETA extrapolates from the estimated hours done so far, which tracks the
// work better than the utterance count when sentence lengths vary.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "progress.hpp"

namespace rwkvt::data::synth {

namespace {

std::string clock_text(double seconds) {
    if (!(seconds >= 0.0) || seconds > 1e7) return "--:--";
    const long s = static_cast<long>(seconds + 0.5);
    char buffer[32];
    if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
    return buffer;
}

}  // namespace

ProgressBar::ProgressBar(long total_utterances, double total_hours_estimate, bool enabled)
    : total_(total_utterances), total_hours_(total_hours_estimate), enabled_(enabled), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressBar::advance(long utterances, double audio_hours, double estimated_hours) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ += utterances;
    done_hours_ += audio_hours;
    done_estimated_hours_ += estimated_hours;
    draw(false);
}

void ProgressBar::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    draw(true);
    if (enabled_ && ::isatty(2)) std::fputc('\n', stderr);
}

void ProgressBar::draw(bool force) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    // On a terminal the line is redrawn in place; in a log file a new line every 10 s is enough.
    const bool terminal = ::isatty(2);
    if (!force && now - last_draw_ < std::chrono::milliseconds(terminal ? 200 : 10000)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double fraction = total_ > 0 ? static_cast<double>(done_) / total_ : 1.0;
    const double work_fraction = total_hours_ > 0 ? done_estimated_hours_ / total_hours_ : fraction;
    const double eta = work_fraction > 0 ? elapsed * (1.0 - work_fraction) / work_fraction : -1.0;
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s[%s] %ld/%ld utt  %.2f h audio  %s elapsed  ETA %s %s", terminal ? "\r" : "", bar.c_str(), done_, total_, done_hours_,
                 clock_text(elapsed).c_str(), clock_text(eta).c_str(), terminal ? "" : "\n");
    std::fflush(stderr);
}

}  // namespace rwkvt::data::synth
