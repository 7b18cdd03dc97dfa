// `ksconv bench --upscale IMAGE.png --method fsrcnn`: the FSRCNN network on the image's
// luminance, side by side: ksconv with the segregated deconvolution, ksconv with the
// zero-insert deconvolution (the same network otherwise), and PyTorch with the same weights
// (bench/fsrcnn_torch_bench.py, when /usr/bin/python3 can import torch). Every output is
// checked against the segregated one before anything is timed.
#pragma once

#include <string>
#include <vector>

#include "bench_timer.hpp"
#include "ksconv/device.hpp"

namespace ksconv::cli {

struct FsrcnnBenchOptions {
    std::string image;
    std::vector<int> scales;
    std::string model;  // one scale only; empty: the bundled model of each scale
    int threads = 1;
    Device device = Device::cpu;
    std::string format = "table";  // or csv
    bool verbose = false;
    TimingPolicy timing;
};

void run_fsrcnn_bench(const FsrcnnBenchOptions &o);

}  // namespace ksconv::cli
