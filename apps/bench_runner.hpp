// One way of computing a benchmark shape, as the benchmark sees it: a call to time, a
// call that also leaves the NCHW result where the correctness check reads it, and what
// the method allocates beyond the caller's input, weights and output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_timer.hpp"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"
#include "shapes_csv.hpp"

namespace ksconv::cli {

class BenchRunner {
public:
    virtual ~BenchRunner() = default;
    // The timed call: the layer on already prepared tensors, nothing else.
    virtual void run() = 0;
    // One untimed run that measures the memory the method uses and leaves the result in
    // the NCHW output buffer given at creation (converting it from the method's layout).
    virtual void checked_run() = 0;
    // Bytes the method holds or allocates beyond input, weights and output (valid after
    // checked_run()).
    virtual int64_t extra_bytes() const = 0;
    // Short name of this way of running, e.g. "segregated" or "layout any".
    virtual std::string label() const = 0;
    // The implementation it ended up using, for the notes.
    virtual std::string implementation() const = 0;
};

// A ksconv layer (no bias) reading `input` and writing `output`, both owned by the caller.
// On a GPU device the input is uploaded once at creation and the timed call is the kernel
// on device tensors followed by a device synchronization; checked_run() downloads.
std::unique_ptr<BenchRunner> make_ksconv_runner(const BenchShape &shape, Method method, Device device,
                                                const float *weights, const float *input, float *output);

// Median times of the host<->device copies a GPU layer call adds: the input to the device
// and the output back (each its own synchronous copy).
struct TransferTimings {
    Timing to_device, to_host;
};
TransferTimings time_transfers(const BenchShape &shape, Device device, const float *input, float *output,
                               const TimingPolicy &policy);

// The float64 reference (ksconv Method::Reference, rounded to float), its batch split
// over `threads` threads because it is slow.
std::vector<float> reference_output(const BenchShape &shape, const float *weights, const float *input, int threads);

}  // namespace ksconv::cli
