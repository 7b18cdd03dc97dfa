#include "spinning_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "HalideRuntime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KSCONV_PAUSE() _mm_pause()
#else
#define KSCONV_PAUSE() std::this_thread::yield()
#endif

namespace ksconv::detail {
namespace {

using Clock = std::chrono::steady_clock;
// How long an idle worker spins before it sleeps: long enough to cover the gap between
// back-to-back layer calls, short enough that an idle process stops burning a core at once.
constexpr auto kWorkerSpin = std::chrono::microseconds(1000);
// How long a caller waiting for the job's last tasks spins before it yields its core.
constexpr auto kCallerSpin = std::chrono::microseconds(100);

class SpinningPool {
public:
    static SpinningPool &instance() {
        static SpinningPool pool;
        return pool;
    }

    ~SpinningPool() { stop_workers(); }

    int run(void *user_context, halide_task_t f, int min, int size, uint8_t *closure) {
        bool idle = false;
        if (!busy_.compare_exchange_strong(idle, true)) {
            return halide_default_do_par_for(user_context, f, min, size, closure);
        }
        if (threads_ == 0) threads_ = default_threads();
        if (threads_ == 1 || size <= 1) {
            int result = 0;
            for (int i = 0; i < size && result == 0; i++) result = halide_do_task(user_context, f, min + i, closure);
            busy_.store(false);
            return result;
        }
        if (workers_.empty()) start_workers();
        job_.user_context = user_context;
        job_.f = f;
        job_.closure = closure;
        job_.min = min;
        job_.size = size;
        job_.next.store(0);
        job_.done.store(0);
        job_.result.store(0);
        job_open_.store(true);
        generation_.fetch_add(1);
        if (sleeping_.load() > 0) {
            { std::lock_guard<std::mutex> lock(sleep_mutex_); }  // a worker past its check is now waiting
            wake_.notify_all();
        }
        work_on_job();
        wait_until([&] { return job_.done.load() == size; }, kCallerSpin);
        job_open_.store(false);
        // A worker that saw the job may still be reading its fields; the next job reuses them.
        wait_until([&] { return working_.load() == 0; }, kCallerSpin);
        const int result = job_.result.load();
        busy_.store(false);
        return result;
    }

    void set_threads(int n) {
        bool idle = false;
        while (!busy_.compare_exchange_weak(idle, true)) {
            idle = false;
            std::this_thread::yield();
        }
        stop_workers();
        threads_ = n > 0 ? n : default_threads();
        busy_.store(false);
    }

private:
    struct Job {
        void *user_context = nullptr;
        halide_task_t f = nullptr;
        uint8_t *closure = nullptr;
        int min = 0, size = 0;
        std::atomic<int> next{0}, done{0}, result{0};
    };

    // Halide's default: HL_NUM_THREADS, else one thread per core.
    static int default_threads() {
        const char *env = std::getenv("HL_NUM_THREADS");
        int n = env ? std::atoi(env) : int(std::thread::hardware_concurrency());
        return n >= 1 ? std::min(n, 256) : 1;
    }

    template <typename Done>
    static void wait_until(Done done, Clock::duration spin) {
        const Clock::time_point yield_after = Clock::now() + spin;
        for (int i = 0; !done(); i++) {
            KSCONV_PAUSE();
            if ((i & 63) == 63 && Clock::now() > yield_after) std::this_thread::yield();
        }
    }

    // Claims tasks until none is left. Each runs through halide_do_task, so ksconv's per-task
    // hook (float_mode.hpp) applies on every thread. After a failure the rest are skipped.
    void work_on_job() {
        for (int i = job_.next.fetch_add(1); i < job_.size; i = job_.next.fetch_add(1)) {
            if (job_.result.load() == 0) {
                const int status = halide_do_task(job_.user_context, job_.f, job_.min + i, job_.closure);
                int ok = 0;
                if (status != 0) job_.result.compare_exchange_strong(ok, status);
            }
            job_.done.fetch_add(1);
        }
    }

    // `seen`: the generation when the worker was made, so that it takes part in any job
    // published after that, even one published before the thread first runs.
    void worker_loop(uint64_t seen) {
        while (wait_for_job(seen)) {
            // Counted before reading the job, so its caller cannot hand its fields to the next.
            working_.fetch_add(1);
            const uint64_t now = generation_.load();
            if (now != seen) {
                seen = now;
                if (job_open_.load()) work_on_job();
            }
            working_.fetch_sub(1);
        }
    }

    // Spins until a job newer than `seen` is published, then sleeps; false when stopping.
    bool wait_for_job(uint64_t seen) {
        const Clock::time_point sleep_after = Clock::now() + kWorkerSpin;
        for (int i = 0;; i++) {
            if (stopping_.load()) return false;
            if (generation_.load() != seen) return true;
            KSCONV_PAUSE();
            if ((i & 255) == 255 && Clock::now() > sleep_after) {
                std::unique_lock<std::mutex> lock(sleep_mutex_);
                sleeping_.fetch_add(1);
                wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
                sleeping_.fetch_sub(1);
                return !stopping_.load();
            }
        }
    }

    void start_workers() {
        const uint64_t now = generation_.load();
        for (int i = 1; i < threads_; i++) workers_.emplace_back([this, now] { worker_loop(now); });
    }

    void stop_workers() {
        stopping_.store(true);
        { std::lock_guard<std::mutex> lock(sleep_mutex_); }
        wake_.notify_all();
        for (std::thread &worker : workers_) worker.join();
        workers_.clear();
        stopping_.store(false);
    }

    std::atomic<bool> busy_{false};      // a job is running (its caller owns the fields below)
    std::atomic<bool> job_open_{false};  // job_ holds a job whose tasks may still be claimed
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> working_{0};  // workers between seeing a new generation and done with it
    std::atomic<bool> stopping_{false};
    std::atomic<int> sleeping_{0};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
    std::vector<std::thread> workers_;
    int threads_ = 0;  // 0 until the first job or set_threads
    Job job_;
};

int pool_do_par_for(void *user_context, halide_task_t f, int min, int size, uint8_t *closure) {
    return SpinningPool::instance().run(user_context, f, min, size, closure);
}

}  // namespace

void install_spinning_pool() {
    static std::once_flag once;
    std::call_once(once, [] { halide_set_custom_do_par_for(pool_do_par_for); });
}

void set_spinning_pool_threads(int n) {
    SpinningPool::instance().set_threads(n);
}

}  // namespace ksconv::detail
