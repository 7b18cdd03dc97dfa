// Learned super-resolution: the FSRCNN network (ksconv/model.hpp) on images.
//
// The network runs on the luminance Y of BT.601 studio-range YCbCr (ksconv/ycbcr.hpp), as
// Y/255; its last layer, a 9x9 transposed convolution with stride = scale, is computed by
// kernel segregation. Colour images: Cb, Cr and alpha are upscaled with the bicubic kernel
// (ksconv/upscale.hpp) and the result goes back to the input's channels and bit depth. Gray
// images are R = G = B: their Y is 16 + 219 v, so the network sees what it was trained on.
//
// Large images run in tiles that overlap by the network's receptive field (reach() pixels
// of context on each side), so memory stays bounded and tiles join seamlessly: the tiled
// result equals the untiled one exactly.
#pragma once

#include <cstdint>
#include <memory>

#include "ksconv/device.hpp"
#include "ksconv/model.hpp"
#include "ksconv/png.hpp"

namespace ksconv {

// How the network's last layer, the transposed convolution, is computed.
enum class FsrcnnDeconvolution {
    segregated,   // kernel segregation: scale^2 dense phases of the original map (default)
    zero_insert,  // the conventional method (zeros inserted, dense 9x9 convolution): for comparison
};

const char *fsrcnn_deconvolution_name(FsrcnnDeconvolution deconvolution);  // "segregated", "zero-insert"

class FsrcnnUpscaler {
public:
    // Packs the weights once (the deconvolution's sub-kernels) and, on a GPU, copies them to
    // the device once. Throws Error when the model's shape has no compiled kernel (ksconv
    // builds FSRCNN(d=56, s=12, m=4) at scales 2, 3 and 4) or the device is unavailable.
    FsrcnnUpscaler(const FsrcnnModel &model, Device device = Device::cpu,
                   FsrcnnDeconvolution deconvolution = FsrcnnDeconvolution::segregated);
    ~FsrcnnUpscaler();
    FsrcnnUpscaler(FsrcnnUpscaler &&) noexcept;
    FsrcnnUpscaler &operator=(FsrcnnUpscaler &&) noexcept;

    int scale() const;
    Device device() const;
    FsrcnnDeconvolution deconvolution() const;
    // Low-resolution pixels of context a tile needs on each side: 2 (5x5 layer) + m (3x3
    // layers) + 2 (the deconvolution's taps), 8 for the bundled models.
    int reach() const;

    // The network on a luminance plane: `y` holds width x height values Y/255, row-major;
    // `out` receives (scale*width) x (scale*height) values, row-major. In tiles of bounded
    // size; on a GPU each tile is copied there and back.
    void run_luma(const float *y, int64_t width, int64_t height, float *out) const;

    // One tile of the output: the low-resolution pixels [tile_x, tile_x + tile_w) x [tile_y,
    // tile_y + tile_h) of an image width x height, written as scale*tile_w x scale*tile_h
    // values at `out` (rows out_stride apart). `window` holds the image's pixels
    // [window_x, window_x + window_w) x [window_y, window_y + window_h) (rows window_stride
    // apart) and must include the tile plus reach() pixels around it, clipped to the image.
    // One kernel call: the caller bounds the size (memory grows with the tile's area).
    struct LumaWindow {
        const float *data = nullptr;
        int64_t x = 0, y = 0, width = 0, height = 0, stride = 0;
    };
    void run_luma_tile(const LumaWindow &window, int64_t width, int64_t height, int64_t tile_x, int64_t tile_y,
                       int64_t tile_w, int64_t tile_h, float *out, int64_t out_stride) const;

    // Images (layout as in ksconv/png.hpp: 1-4 channels, 8 or 16 bits). The output has the
    // source's channels and bit depth and scale times its size.
    ImageFormat output_format(const ImageFormat &source) const;
    void run(const ImageFormat &source, const void *pixels, void *output) const;

    // A strip: output rows scale*first .. scale*(first + count) - 1 into `output`, from
    // `rows`, which holds source rows rows_first .. rows_first + rows_count - 1; those must
    // include first - reach() .. first + count - 1 + reach() (clipped to the image).
    void run_strip(const ImageFormat &source, const void *rows, int64_t rows_first, int64_t rows_count, int64_t first,
                   int64_t count, void *output) const;

    // Source rows per strip that keep run_strip's memory bounded for images this wide.
    int64_t strip_rows(const ImageFormat &source) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ksconv
