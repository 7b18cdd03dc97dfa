// Size of the thread pool every ksconv kernel runs on (shared by all layers).
#pragma once

namespace ksconv {

// n >= 1 sets the number of worker threads; n == 0 restores the default (one per core).
// Throws ksconv::Error for negative n.
void set_num_threads(int n);

}  // namespace ksconv
