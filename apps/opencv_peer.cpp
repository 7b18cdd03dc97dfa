#include "opencv_peer.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "ksconv/error.hpp"

namespace ksconv::cli {

namespace {

int interpolation(UpscaleMethod method) {
    switch (method) {
        case UpscaleMethod::nearest:
            return cv::INTER_NEAREST;
        case UpscaleMethod::bilinear:
            return cv::INTER_LINEAR;
        case UpscaleMethod::bicubic:
            return cv::INTER_CUBIC;
        case UpscaleMethod::lanczos4:
            return cv::INTER_LANCZOS4;
        case UpscaleMethod::lanczos3:
        case UpscaleMethod::fsrcnn:
            break;
    }
    throw Error(std::string("OpenCV has no interpolation equal to ") + upscale_method_name(method));
}

int mat_type(const ImageFormat &f) {
    return f.bit_depth == 16 ? CV_16UC(f.channels) : CV_8UC(f.channels);
}

}  // namespace

bool opencv_built() {
    return true;
}

std::string opencv_version() {
    return std::string("OpenCV ") + CV_VERSION;
}

void opencv_set_threads(int threads) {
    cv::setNumThreads(threads);
}

bool opencv_has(UpscaleMethod method) {
    return method != UpscaleMethod::lanczos3 && method != UpscaleMethod::fsrcnn;
}

void opencv_upscale(const ImageFormat &format, const void *source, int scale, UpscaleMethod method, void *output) {
    const cv::Mat in(int(format.height), int(format.width), mat_type(format), const_cast<void *>(source));
    // cv::resize writes into `out` without reallocating because size and type already match.
    cv::Mat out(int(format.height * scale), int(format.width * scale), mat_type(format), output);
    cv::resize(in, out, out.size(), 0, 0, interpolation(method));
}

}  // namespace ksconv::cli
