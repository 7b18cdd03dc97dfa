// ksconv's upscaling against OpenCV's cv::resize (built when OpenCV is found): every method
// with an OpenCV twin, every scale, 1-4 channels, 8 and 16 bits, odd and prime sizes.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "ksconv/upscale.hpp"

namespace {

using ksconv::UpscaleMethod;

TEST(UpscaleVsOpenCV, WithinOneOfEverySample) {
    const std::pair<UpscaleMethod, int> methods[] = {{UpscaleMethod::nearest, cv::INTER_NEAREST},
                                                     {UpscaleMethod::bilinear, cv::INTER_LINEAR},
                                                     {UpscaleMethod::bicubic, cv::INTER_CUBIC},
                                                     {UpscaleMethod::lanczos4, cv::INTER_LANCZOS4}};
    const int sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {13, 7}, {37, 29}, {101, 3}};
    cv::setNumThreads(1);
    cv::RNG rng(12345);
    for (const auto &[method, interpolation] : methods) {
        for (int scale = 2; scale <= 4; scale++) {
            for (int channels = 1; channels <= 4; channels++) {
                for (int bits : {8, 16}) {
                    for (const auto &size : sizes) {
                        const int type = bits == 8 ? CV_8UC(channels) : CV_16UC(channels);
                        cv::Mat src(size[1], size[0], type);
                        rng.fill(src, cv::RNG::UNIFORM, 0, bits == 8 ? 256 : 65536);
                        cv::Mat theirs;
                        cv::resize(src, theirs, cv::Size(), scale, scale, interpolation);
                        const ksconv::Upscaler up(method, scale, ksconv::ImageFormat{size[0], size[1], channels, bits});
                        cv::Mat ours(size[1] * scale, size[0] * scale, type);
                        up.run(src.data, ours.data);
                        const double diff = cv::norm(ours, theirs, cv::NORM_INF);
                        ASSERT_LE(diff, method == UpscaleMethod::nearest ? 0 : 1)
                            << ksconv::upscale_method_name(method) << " x" << scale << " on " << size[0] << "x"
                            << size[1] << "x" << channels << " " << bits << "-bit";
                    }
                }
            }
        }
    }
}

}  // namespace
