// Size of the thread pool every ksconv kernel runs on (shared by all layers).
#pragma once

namespace ksconv {

// n >= 1 sets how many threads a kernel call uses, the calling thread included; n == 0
// restores the default (HL_NUM_THREADS if set, else one per core). Idle workers spin for up
// to 1 ms after a call (so back-to-back layers find them awake), then sleep. Waits for a
// call in progress to end. Throws ksconv::Error for negative n.
void set_num_threads(int n);

}  // namespace ksconv
