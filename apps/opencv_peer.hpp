// OpenCV's cv::resize as the peer of `ksconv bench --upscale` (and of the upscale tests).
//
// opencv_peer.cpp is compiled when CMake finds OpenCV's core and imgproc (and defines
// KSCONV_HAVE_OPENCV); otherwise opencv_absent.cpp provides these and opencv_built() is false.
#pragma once

#include <string>

#include "ksconv/upscale.hpp"

namespace ksconv::cli {

bool opencv_built();
std::string opencv_version();  // e.g. "OpenCV 4.6.0"
void opencv_set_threads(int threads);

// True when cv::resize has an interpolation equal to this method (lanczos3 has none).
bool opencv_has(UpscaleMethod method);

// cv::resize of `source` (layout `format`) by `scale` into `output`, which has room for the
// result; no allocation happens inside the call once OpenCV's buffers exist.
void opencv_upscale(const ImageFormat &format, const void *source, int scale, UpscaleMethod method, void *output);

}  // namespace ksconv::cli
