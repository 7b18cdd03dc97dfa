#include "bench_timer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace ksconv::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TimingPolicy TimingPolicy::with_target(double target_s) {
    TimingPolicy policy;
    const double scale = target_s / policy.target_s;
    policy.target_s = target_s;
    policy.warmup_s *= scale;
    policy.max_cell_s *= scale;
    return policy;
}

Timing time_runs(const std::function<void()> &run, const TimingPolicy &policy) {
    // Warm-up: caches, page faults, thread pools spinning up. The fastest warm-up run
    // estimates the cost of one repetition.
    double estimate_s = 1e30;
    const Clock::time_point warmup_start = Clock::now();
    for (int runs = 1;; ++runs) {
        const Clock::time_point start = Clock::now();
        run();
        estimate_s = std::min(estimate_s, seconds_since(start));
        // One very slow run is warm-up enough; it keeps a cell within a few seconds.
        if (runs == 1 && estimate_s > policy.max_cell_s / 2) break;
        if (runs >= 2 && seconds_since(warmup_start) >= policy.warmup_s) break;
    }
    estimate_s = std::max(estimate_s, 1e-7);

    int reps = std::max(policy.min_reps, int(std::ceil(policy.target_s / estimate_s)));
    reps = std::min(reps, policy.max_reps);
    if (reps * estimate_s > policy.max_cell_s) {
        reps = std::max(policy.min_reps_slow, int(policy.max_cell_s / estimate_s));
    }

    std::vector<double> times_s(static_cast<std::size_t>(reps));
    for (double &t : times_s) {
        const Clock::time_point start = Clock::now();
        run();
        t = seconds_since(start);
    }
    std::sort(times_s.begin(), times_s.end());
    const std::size_t mid = times_s.size() / 2;
    const double median_s = times_s.size() % 2 ? times_s[mid] : 0.5 * (times_s[mid - 1] + times_s[mid]);
    return Timing{median_s * 1e3, times_s.front() * 1e3, reps};
}

}  // namespace ksconv::cli
