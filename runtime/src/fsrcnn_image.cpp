// FSRCNN on images: samples to YCbCr (BT.601 studio range, ksconv/ycbcr.hpp), Y through
// the network, Cb, Cr and alpha through the bicubic kernel, and back to the source's
// channels and bit depth (rounded to nearest, saturated).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fsrcnn_calls.hpp"
#include "fsrcnn_tiles.hpp"
#include "ksconv/error.hpp"
#include "ksconv/fsrcnn.hpp"
#include "ksconv/upscale.hpp"
#include "ksconv/ycbcr.hpp"

namespace ksconv {
namespace {

// Cb, Cr (8-bit units) and alpha go through the 16-bit bicubic kernel as
// round(value * 257) (alpha: its 16-bit value): 1/257 of an 8-bit step of precision.
constexpr float kChromaScale = 257.0f;
// Floats of upscaled luminance a strip may hold at once (with its samples).
constexpr int64_t kStripOutputBytes = int64_t(64) << 20;

bool has_colour(const ImageFormat &f) {
    return f.channels >= 3;
}
bool has_alpha(const ImageFormat &f) {
    return f.channels == 2 || f.channels == 4;
}
// Channels of the image that goes through the bicubic kernel: Cb, Cr (colour), alpha.
int chroma_channels(const ImageFormat &f) {
    return (has_colour(f) ? 2 : 0) + (has_alpha(f) ? 1 : 0);
}

uint16_t to_u16(float v) {
    return uint16_t(std::min(65535.0f, std::max(0.0f, std::nearbyint(v))));
}

template <typename T>
T to_sample(float unit) {  // unit: [0, 1] full scale
    const float max = float(T(~T(0)));
    return T(std::min(max, std::max(0.0f, std::nearbyint(unit * max))));
}

// Source rows -> the network's input (Y/255) and the chroma image.
template <typename T>
void split(const ImageFormat &f, const T *src, int64_t rows, float *luma, uint16_t *chroma) {
    const float max = float(T(~T(0)));
    const float alpha_scale = 65535.0f / max;
    const int c = f.channels, nc = chroma_channels(f);
    for (int64_t i = 0; i < rows * f.width; i++, src += c, chroma += nc) {
        if (has_colour(f)) {
            const YCbCr ycc = rgb_to_ycbcr({src[0] / max, src[1] / max, src[2] / max});
            luma[i] = ycc.y / 255.0f;
            chroma[0] = to_u16(ycc.cb * kChromaScale);
            chroma[1] = to_u16(ycc.cr * kChromaScale);
        } else {
            luma[i] = gray_to_y(src[0] / max) / 255.0f;
        }
        if (has_alpha(f)) chroma[nc - 1] = to_u16(src[c - 1] * alpha_scale);
    }
}

// The upscaled luminance and chroma -> output samples.
template <typename T>
void merge(const ImageFormat &out, const float *luma, const uint16_t *chroma, int64_t rows, T *dst) {
    const int c = out.channels, nc = chroma_channels(out);
    for (int64_t i = 0; i < rows * out.width; i++, dst += c, chroma += nc) {
        const float y = luma[i] * 255.0f;
        if (has_colour(out)) {
            const Rgb rgb = ycbcr_to_rgb({y, chroma[0] / kChromaScale, chroma[1] / kChromaScale});
            dst[0] = to_sample<T>(rgb.r);
            dst[1] = to_sample<T>(rgb.g);
            dst[2] = to_sample<T>(rgb.b);
        } else {
            dst[0] = to_sample<T>(y_to_gray(y));
        }
        if (has_alpha(out)) dst[c - 1] = to_sample<T>(chroma[nc - 1] / 65535.0f);
    }
}

}  // namespace

ImageFormat FsrcnnUpscaler::output_format(const ImageFormat &source) const {
    // The bicubic upscaler of the same scale checks channels, bit depth and size.
    return Upscaler(UpscaleMethod::bicubic, scale(), source).output_format();
}

int64_t FsrcnnUpscaler::strip_rows(const ImageFormat &source) const {
    const detail::FsrcnnTileSize tile = detail::fsrcnn_tile_size(detail::kFsrcnnBuiltD, reach(), scale(), source.width);
    const int64_t s = scale();
    const int64_t bytes_per_row =
        s * s * source.width *
        int64_t(sizeof(float) + 2 * chroma_channels(source) + source.channels * source.bit_depth / 8);
    const int64_t rows = std::min(tile.rows, std::max<int64_t>(16, kStripOutputBytes / bytes_per_row));
    return std::max<int64_t>(1, std::min(rows, source.height));
}

void FsrcnnUpscaler::run_strip(const ImageFormat &source, const void *rows, int64_t rows_first, int64_t rows_count,
                               int64_t first, int64_t count, void *output) const {
    const ImageFormat out = output_format(source);
    const int64_t r = reach(), s = scale();
    if (first < 0 || count < 1 || first + count > source.height) {
        throw Error("strip of source rows " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                    " is outside the image's " + std::to_string(source.height) + " rows");
    }
    const int64_t need_first = std::max<int64_t>(0, first - r);
    const int64_t need_last = std::min(source.height - 1, first + count - 1 + r);
    if (rows_first > need_first || rows_first + rows_count - 1 < need_last) {
        throw Error("strip of source rows " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                    " needs rows " + std::to_string(need_first) + ".." + std::to_string(need_last));
    }
    const int nc = chroma_channels(source);
    const int64_t w = source.width;
    std::vector<float> luma(size_t(rows_count * w));
    std::vector<uint16_t> chroma(size_t(rows_count * w * nc));
    if (source.bit_depth == 8) {
        split(source, static_cast<const uint8_t *>(rows), rows_count, luma.data(), chroma.data());
    } else {
        split(source, static_cast<const uint16_t *>(rows), rows_count, luma.data(), chroma.data());
    }
    std::vector<float> luma_out(size_t(count * s * out.width));
    const LumaWindow window{luma.data(), 0, rows_first, w, rows_count, w};
    detail::run_luma_region(*this, window, w, source.height, {0, first, w, count}, luma_out.data(), out.width);
    std::vector<uint16_t> chroma_out(size_t(count * s * out.width * nc));
    if (nc > 0) {
        ImageFormat chroma_format = source;
        chroma_format.channels = nc;
        chroma_format.bit_depth = 16;
        Upscaler(UpscaleMethod::bicubic, int(s), chroma_format, device())
            .run_strip(chroma.data(), rows_first, rows_count, first, count, chroma_out.data());
    }
    if (source.bit_depth == 8) {
        merge(out, luma_out.data(), chroma_out.data(), count * s, static_cast<uint8_t *>(output));
    } else {
        merge(out, luma_out.data(), chroma_out.data(), count * s, static_cast<uint16_t *>(output));
    }
}

void FsrcnnUpscaler::run(const ImageFormat &source, const void *pixels, void *output) const {
    const ImageFormat out = output_format(source);
    const int64_t strip = strip_rows(source), r = reach();
    const auto *in = static_cast<const uint8_t *>(pixels);
    auto *dst = static_cast<uint8_t *>(output);
    for (int64_t first = 0; first < source.height; first += strip) {
        const int64_t count = std::min(strip, source.height - first);
        const int64_t rows_first = std::max<int64_t>(0, first - r);
        const int64_t rows_end = std::min(source.height, first + count + r);
        run_strip(source, in + rows_first * source.row_bytes(), rows_first, rows_end - rows_first, first, count,
                  dst + first * scale() * out.row_bytes());
    }
}

}  // namespace ksconv
