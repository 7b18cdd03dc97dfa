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

// Warm-up: caches, page faults, thread pools spinning up. The fastest warm-up run estimates
// the cost of one repetition; returns the repetitions the policy asks for at that cost.
int warm_up(const std::function<void()> &run, const TimingPolicy &policy, double &estimate_s) {
    estimate_s = 1e30;
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
    return reps;
}

void time_block(const std::function<void()> &run, int reps, std::vector<double> &times_s) {
    for (int i = 0; i < reps; ++i) {
        const Clock::time_point start = Clock::now();
        run();
        times_s.push_back(seconds_since(start));
    }
}

Timing summarize(std::vector<double> times_s) {
    std::sort(times_s.begin(), times_s.end());
    const std::size_t mid = times_s.size() / 2;
    const double median_s = times_s.size() % 2 ? times_s[mid] : 0.5 * (times_s[mid - 1] + times_s[mid]);
    return Timing{median_s * 1e3, times_s.front() * 1e3, int(times_s.size())};
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
    return time_runs_interleaved({run}, policy)[0];  // one run: its blocks follow each other
}

std::vector<Timing> time_runs_interleaved(const std::vector<std::function<void()>> &runs, const TimingPolicy &policy) {
    const std::size_t n = runs.size();
    std::vector<int> reps(n);
    std::vector<double> estimate_s(n);
    for (std::size_t i = 0; i < n; ++i) reps[i] = warm_up(runs[i], policy, estimate_s[i]);
    // Blocks of at least two repetitions, so that a cell of few slow ones is not cut up.
    int rounds = kInterleaveRounds;
    for (int r : reps) rounds = std::max(1, std::min(rounds, r / 2));
    // A repetition under this long is rerun untimed at a block's start (its caches were cold).
    constexpr double kRewarmBelow_s = 0.05;
    std::vector<std::vector<double>> times_s(n);
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < n; ++i) {
            // Round `round` takes repetitions [reps*round/rounds, reps*(round+1)/rounds).
            const int block = reps[i] * (round + 1) / rounds - reps[i] * round / rounds;
            if (n > 1 && estimate_s[i] < kRewarmBelow_s) runs[i]();
            time_block(runs[i], block, times_s[i]);
        }
    }
    std::vector<Timing> timings;
    for (std::vector<double> &t : times_s) timings.push_back(summarize(std::move(t)));
    return timings;
}

}  // namespace ksconv::cli
