// The thread pool behind Halide's parallel loops (runtime/src/spinning_pool.hpp): every task
// runs exactly once, on more than one thread when asked, failures come back, and loops
// nested in a task or started from several threads at once (both fall back to Halide's own
// pool) complete. Its speed is shown by `ksconv bench`, not here.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "HalideRuntime.h"
#include "halide_calls.hpp"
#include "ksconv/threads.hpp"

namespace ksconv::test {
namespace {

// Restores the default thread count whatever a test set.
class SpinningPool : public ::testing::Test {
protected:
    void SetUp() override { detail::install_halide_hooks(); }
    void TearDown() override { set_num_threads(0); }
};

struct Counts {
    int min = 0;
    std::vector<std::atomic<int>> runs;
    explicit Counts(int n, int first = 0) : min(first), runs(size_t(n)) {}
};

int count_task(void *, int index, uint8_t *closure) {
    Counts &c = *reinterpret_cast<Counts *>(closure);
    c.runs[size_t(index - c.min)].fetch_add(1);
    return 0;
}

void expect_each_ran_once(const Counts &c) {
    for (size_t i = 0; i < c.runs.size(); ++i) ASSERT_EQ(c.runs[i].load(), 1) << "task " << c.min + int(i);
}

TEST_F(SpinningPool, EveryTaskRunsOnceForEachThreadCount) {
    for (int threads : {1, 2, 3, 5}) {
        set_num_threads(threads);
        for (int size : {0, 1, 2, 7, 1000}) {
            Counts c(size, 13);
            ASSERT_EQ(halide_do_par_for(nullptr, count_task, 13, size, reinterpret_cast<uint8_t *>(&c)), 0);
            expect_each_ran_once(c);
        }
    }
}

// Two tasks that each wait (up to 10 s) for the other to start: they finish only if two
// threads run them at once.
struct Rendezvous {
    std::atomic<int> started{0};
};

int meet_task(void *, int, uint8_t *closure) {
    Rendezvous &r = *reinterpret_cast<Rendezvous *>(closure);
    r.started.fetch_add(1);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (r.started.load() < 2) {
        if (std::chrono::steady_clock::now() > give_up) return -1;
        std::this_thread::yield();
    }
    return 0;
}

TEST_F(SpinningPool, TwoThreadsRunTasksAtOnce) {
    set_num_threads(2);
    for (int round = 0; round < 3; ++round) {  // again after the worker has gone idle
        Rendezvous r;
        ASSERT_EQ(halide_do_par_for(nullptr, meet_task, 0, 2, reinterpret_cast<uint8_t *>(&r)), 0)
            << "round " << round << ": the two tasks never ran at the same time";
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 5));
    }
}

int fail_at_five(void *, int index, uint8_t *) {
    return index == 5 ? -7 : 0;
}

TEST_F(SpinningPool, AFailedTaskIsTheLoopsResult) {
    for (int threads : {1, 2}) {
        set_num_threads(threads);
        EXPECT_EQ(halide_do_par_for(nullptr, fail_at_five, 0, 64, nullptr), -7) << threads << " threads";
        Counts c(64);  // and the next loop runs normally
        ASSERT_EQ(halide_do_par_for(nullptr, count_task, 0, 64, reinterpret_cast<uint8_t *>(&c)), 0);
        expect_each_ran_once(c);
    }
}

// Each outer task runs an inner loop of 10 tasks over its own slice of the counts.
int nested_task(void *, int index, uint8_t *closure) {
    Counts &all = *reinterpret_cast<Counts *>(closure);
    struct Slice {
        Counts *all;
        int base;
    } slice{&all, index * 10};
    auto inner = [](void *, int i, uint8_t *s) -> int {
        Slice &sl = *reinterpret_cast<Slice *>(s);
        sl.all->runs[size_t(sl.base + i)].fetch_add(1);
        return 0;
    };
    return halide_do_par_for(nullptr, inner, 0, 10, reinterpret_cast<uint8_t *>(&slice));
}

TEST_F(SpinningPool, NestedLoopsComplete) {
    set_num_threads(2);
    Counts c(20 * 10);
    ASSERT_EQ(halide_do_par_for(nullptr, nested_task, 0, 20, reinterpret_cast<uint8_t *>(&c)), 0);
    expect_each_ran_once(c);
}

TEST_F(SpinningPool, LoopsFromSeveralThreadsAtOnceComplete) {
    set_num_threads(2);
    std::atomic<int> failures{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
        callers.emplace_back([&] {
            for (int call = 0; call < 200; ++call) {
                Counts c(16);
                if (halide_do_par_for(nullptr, count_task, 0, 16, reinterpret_cast<uint8_t *>(&c)) != 0) failures++;
                for (auto &n : c.runs) failures += n.load() != 1;
            }
        });
    }
    for (std::thread &caller : callers) caller.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace ksconv::test
