// oneDNN as an in-process benchmark peer: its deconvolution_forward primitive
// (forward_inference, deconvolution_direct) on the same data as ksconv.
//
// onednn_peer.cpp is compiled when CMake finds oneDNN (and defines KSCONV_HAVE_ONEDNN);
// otherwise onednn_absent.cpp provides these functions and onednn_built() is false.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_runner.hpp"
#include "shapes_csv.hpp"

namespace ksconv::cli {

// oneDNN cannot run a shape (e.g. an output padding it cannot express); the message says why.
class OnednnUnsupported : public std::runtime_error {
public:
    explicit OnednnUnsupported(const std::string &message) : std::runtime_error(message) {}
};

bool onednn_built();
// e.g. "oneDNN 2.6.3 (cpu runtime OMP)".
std::string onednn_version();
// oneDNN here runs on OpenMP, so this sets OpenMP's thread count.
void onednn_set_threads(int threads);

// The two ways the benchmark runs oneDNN: "layout any" (oneDNN picks src, weights and dst
// layouts, usually blocked) and "layout nchw" (plain src and dst, weights any). Weights
// and a blocked input are reordered once here, as a user holding blocked tensors would.
// A way oneDNN refuses is left out with a line in `notes`; when neither works this
// throws OnednnUnsupported.
std::vector<std::unique_ptr<BenchRunner>> make_onednn_runners(const BenchShape &shape, const float *weights,
                                                              const float *input, float *output,
                                                              std::vector<std::string> &notes);

}  // namespace ksconv::cli
