// A one-line progress bar on stderr for long jobs. It appears only when stderr is a
// terminal and the job has already run longer than a moment, so short runs, pipes and
// logs never see it.
#pragma once

#include <chrono>
#include <string>

namespace ksconv::cli {

class ProgressBar {
public:
    explicit ProgressBar(bool enabled);
    ~ProgressBar();  // clears the line if anything was drawn
    ProgressBar(const ProgressBar &) = delete;
    ProgressBar &operator=(const ProgressBar &) = delete;

    // fraction in [0, 1]; label says what is being worked on (e.g. a file name).
    void update(double fraction, const std::string &label);
    // Removes the bar so ordinary messages can be printed on a clean line.
    void clear();

private:
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace ksconv::cli
