// The thread pool the CPU kernels' parallel loops run on (Halide's do_par_for hook).
//
// Halide's own pool puts a worker to sleep on a condition variable as soon as the queue is
// empty, so every kernel call wakes it again, and a caller that finishes its share first
// sleeps until the last task ends: two wake-ups per call. In a virtual machine each costs
// tens of microseconds or more, and a sub-millisecond layer (the DCGAN layers) often ran
// on the calling thread alone. Here workers spin for a while after each job (as OpenMP's
// do by default), then sleep; the caller waits for the job's end by spinning.
#pragma once

namespace ksconv::detail {

// Routes Halide's parallel loops to the pool (idempotent; install_halide_hooks() calls it).
// A loop started while the pool is busy (another thread's call, or a loop nested in one of
// its tasks) runs on Halide's own pool instead.
void install_spinning_pool();

// Threads a parallel loop uses, the calling thread included: n >= 1, or 0 for the default
// (HL_NUM_THREADS if set, else one per core). Waits for a running loop to finish.
void set_spinning_pool_threads(int n);

}  // namespace ksconv::detail
