// Measured scratch memory: heap bytes the kernels allocate while they run (zero-inserted
// tensors, phase buffers, padded input slabs). Counted process-wide by the library's
// allocator hook, so a benchmark can report what a method needs beyond its inputs and
// outputs. Small per-thread stack buffers are not included. Freed scratch blocks of 16 KiB
// and more are kept for the thread's next call (at most 32 blocks and 32 MiB per thread,
// runtime/src/scratch_allocator.cpp); what is kept is not counted as in use.
#pragma once

#include <cstdint>

namespace ksconv {

// Starts a new measurement: the peak is set to the bytes allocated right now.
void reset_scratch_peak();
// Largest number of scratch bytes held at once since the last reset.
int64_t scratch_peak_bytes();

}  // namespace ksconv
