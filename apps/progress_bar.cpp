#include "progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace ksconv::cli {

namespace {
constexpr double kMomentSeconds = 0.5;  // jobs shorter than this never show a bar
constexpr int kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar(bool enabled)
    : enabled_(enabled && ::isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
    clear();
}

void ProgressBar::update(double fraction, const std::string &label) {
    if (!enabled_) return;
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    if (elapsed.count() < kMomentSeconds) return;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int filled = int(fraction * kBarWidth);
    std::string bar(size_t(filled), '#');
    bar.resize(kBarWidth, '.');
    std::string shown = label.size() > 40 ? "..." + label.substr(label.size() - 37) : label;
    std::fprintf(stderr, "\r\033[K[%s] %3d%% %s", bar.c_str(), int(fraction * 100), shown.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace ksconv::cli
