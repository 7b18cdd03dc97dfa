// Image upscaling by 2, 3 or 4 with fixed interpolation kernels, computed as a
// kernel-segregated (polyphase) depthwise transposed convolution on interleaved 8- or
// 16-bit samples. Semantics follow OpenCV's cv::resize at integer factors: half-pixel
// centres (output x samples the source at (x + 0.5) / scale - 0.5), replicated borders,
// results rounded to nearest and saturated. Every channel, alpha included, is filtered
// with the same kernel.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ksconv/device.hpp"
#include "ksconv/png.hpp"

namespace ksconv {

class FsrcnnUpscaler;  // ksconv/fsrcnn.hpp

enum class UpscaleMethod {
    nearest,   // cv::INTER_NEAREST: the source pixel floor(x / scale)
    bilinear,  // cv::INTER_LINEAR
    bicubic,   // cv::INTER_CUBIC: Keys' kernel with a = -0.75
    lanczos3,  // 6 taps, weights normalized to sum to one (no OpenCV equivalent)
    lanczos4,  // cv::INTER_LANCZOS4: 8 taps, normalized
    fsrcnn,    // the learned FSRCNN network on luminance (ksconv/fsrcnn.hpp): upscale_png_file
               // only; Upscaler refuses it (use FsrcnnUpscaler)
};

// "bilinear" -> UpscaleMethod::bilinear; throws Error listing the accepted names.
UpscaleMethod parse_upscale_method(const std::string &name);
const char *upscale_method_name(UpscaleMethod method);

// Source rows above and below an output strip that its kernel reads.
int upscale_reach(UpscaleMethod method);

// Upscales images held in memory (layout as in ImageFormat). Safe to run concurrently.
class Upscaler {
public:
    // Throws Error unless scale is 2, 3 or 4, channels 1 to 4, bit depth 8 or 16, and the
    // output fits (each side below 2^31 / channels samples), or when `device` is unavailable.
    // On a GPU each call copies its rows to the device and the result back.
    Upscaler(UpscaleMethod method, int scale, const ImageFormat &source, Device device = Device::cpu);

    const ImageFormat &source_format() const { return source_; }
    const ImageFormat &output_format() const { return output_; }
    UpscaleMethod method() const { return method_; }
    int scale() const { return scale_; }
    Device device() const { return device_; }

    // The whole image: `output` has room for output_format().height rows.
    void run(const void *source, void *output) const;

    // A strip: output rows scale*first .. scale*(first + count) - 1 into `output`, from
    // `rows`, which holds source rows rows_first .. rows_first + rows_count - 1. Those must
    // include first - reach .. first + count - 1 + reach (clipped to the image).
    void run_strip(const void *rows, int64_t rows_first, int64_t rows_count, int64_t first, int64_t count,
                   void *output) const;

private:
    UpscaleMethod method_;
    int scale_;
    ImageFormat source_, output_;
    Device device_;
};

struct UpscaleFileOptions {
    UpscaleMethod method = UpscaleMethod::bicubic;
    int scale = 2;
    int64_t max_output_pixels = kDefaultMaxPixels;  // larger outputs: LimitError before decoding
    Device device = Device::cpu;
    // fsrcnn: the model file (.ksm); empty means the bundled model of the scale.
    std::string model;
    // Called after each strip with the fraction of output rows done (0 to 1).
    std::function<void(double)> progress;
};

// Reads the PNG `in`, upscales it and writes the PNG `out` with the input's channels and
// bit depth (palette and low-bit gray inputs come out as 8-bit RGB(A) / gray). Streams in
// strips of rows, so memory stays proportional to the width, not the area (interlaced
// inputs are decoded whole first). `out` is written atomically and never over `in`. With
// UpscaleMethod::fsrcnn the model (options.model, else the bundled one) is read and
// checked before anything is written.
void upscale_png_file(const std::string &in, const std::string &out, const UpscaleFileOptions &options);

// The same with the FSRCNN network already built (a folder loads its model once); used when
// options.method is UpscaleMethod::fsrcnn, and then it must be the network of options.scale.
void upscale_png_file(const std::string &in, const std::string &out, const UpscaleFileOptions &options,
                      const FsrcnnUpscaler *fsrcnn);

}  // namespace ksconv
