// The benchmark's timing policy: warm up, then time every repetition on its own with
// steady_clock and report the median (robust to the odd slow run) and the minimum.
#pragma once

#include <functional>
#include <vector>

namespace ksconv::cli {

struct TimingPolicy {
    double target_s = 0.5;    // the timed repetitions together should cover at least this
    double warmup_s = 0.1;    // warm-up runs at least this long (and at least 2 runs)
    double max_cell_s = 2.5;  // ...but one cell (warm-up excluded) stays below this
    int min_reps = 10;
    int min_reps_slow = 3;  // when min_reps would exceed max_cell_s
    int max_reps = 2000;

    // A policy scaled to a different target time (the hidden --min-time option).
    static TimingPolicy with_target(double target_s);
};

struct Timing {
    double median_ms = 0.0;
    double min_ms = 0.0;
    int reps = 0;
};

Timing time_runs(const std::function<void()> &run, const TimingPolicy &policy);

// Several runs compared side by side (the methods of one shape): each is warmed up and sized
// as by time_runs, then their repetitions are taken in up to kInterleaveRounds blocks, one
// block of each run per round, so that all of them sample the same stretches of a machine
// whose speed drifts (a shared virtual machine moved 2x within minutes). A block of fast
// repetitions starts with one untimed run, as the other runs' blocks evicted its caches.
constexpr int kInterleaveRounds = 5;
std::vector<Timing> time_runs_interleaved(const std::vector<std::function<void()>> &runs, const TimingPolicy &policy);

}  // namespace ksconv::cli
