// `ksconv bench --upscale IMAGE.png`: times ksconv's image upscaling kernels on an image held
// in memory, beside OpenCV's cv::resize on the same image and threads when OpenCV is built.
#pragma once

#include <string>
#include <vector>

#include "bench_timer.hpp"
#include "ksconv/device.hpp"
#include "ksconv/upscale.hpp"

namespace ksconv::cli {

struct UpscaleBenchOptions {
    std::string image;
    std::vector<UpscaleMethod> methods;
    std::vector<int> scales;
    int threads = 1;
    Device device = Device::cpu;   // on a GPU the timed call includes the image copies
    std::string format = "table";  // or csv
    bool verbose = false;
    TimingPolicy timing;
};

// Checks that ksconv and OpenCV agree (within 1 of each 8-bit value, 1/255 of full scale for
// 16 bits) before timing; a disagreement is an Error.
void run_upscale_bench(const UpscaleBenchOptions &o);

}  // namespace ksconv::cli
