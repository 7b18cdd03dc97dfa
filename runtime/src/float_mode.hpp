// Denormal handling for the kernels: x86 CPUs can take 10-100x longer on denormal floats,
// so the library's calls into generated code flush them to zero (FTZ: denormal results
// become 0; DAZ: denormal inputs read as 0), always round to nearest, and give the caller
// back its own MXCSR. The same mode on every thread makes results independent of the
// caller's mode and of the mode Halide's pool workers inherited when they started.
#pragma once

namespace ksconv::detail {

// Sets FTZ, DAZ and round to nearest on this thread for the guard's lifetime, then restores
// the thread's own MXCSR mode (FTZ, DAZ, rounding, exception masks); exception flags the
// kernels raised stay raised, as after any float code. A no-op off x86.
class FloatModeGuard {
public:
    FloatModeGuard();
    ~FloatModeGuard();
    FloatModeGuard(const FloatModeGuard &) = delete;
    FloatModeGuard &operator=(const FloatModeGuard &) = delete;

private:
    unsigned saved_ = 0;
};

// Makes every task Halide's thread pool runs (on its workers and on the calling thread)
// run under a FloatModeGuard; MXCSR is per thread, so guarding the caller is not enough.
// Idempotent; called from install_halide_hooks().
void install_float_mode_tasks();

}  // namespace ksconv::detail
