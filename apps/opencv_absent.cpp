// Stand-ins used when OpenCV was not found at build time.
#include "ksconv/error.hpp"
#include "opencv_peer.hpp"

namespace ksconv::cli {

bool opencv_built() {
    return false;
}
std::string opencv_version() {
    return "OpenCV (not built)";
}
void opencv_set_threads(int) {}
bool opencv_has(UpscaleMethod) {
    return false;
}
void opencv_upscale(const ImageFormat &, const void *, int, UpscaleMethod, void *) {
    throw Error("OpenCV is not built into this ksconv (libopencv-dev was not found at build time)");
}

}  // namespace ksconv::cli
