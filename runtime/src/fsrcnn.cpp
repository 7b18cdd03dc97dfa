// The FSRCNN network object: checks the model and packs its weights once at construction,
// then runs the compiled network tile by tile on luminance planes.
#include "ksconv/fsrcnn.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "HalideBuffer.h"
#include "fsrcnn_calls.hpp"
#include "fsrcnn_tiles.hpp"
#include "kernel_buffers.hpp"
#include "ksconv/error.hpp"
#include "packing.hpp"

namespace ksconv {
namespace {

constexpr int kDeconvKernel = 9, kDeconvPadding = 4;
// Low-resolution rows and columns the deconvolution reads beyond a tile: output row o of
// phase (o + 4) % s reads quotients (o + 4) / s - t for its taps t < ceil(9 / s), at most
// two pixels past the tile at any scale.
constexpr int kDeconvReach = 2;

// The largest d-channel map of a tile stays below this (below glibc's largest mmap
// threshold, so after the first call its memory is reused instead of faulted in again).
constexpr int64_t kMapBytes = int64_t(30) << 20;
constexpr int64_t kMaxTileColumns = 1024;
constexpr int64_t kMinTileRows = 16;

std::string model_shape(const FsrcnnModel &m) {
    return "FSRCNN(d=" + std::to_string(m.d) + ", s=" + std::to_string(m.s) + ", m=" + std::to_string(m.m) + ")";
}

void check_model(const FsrcnnModel &m) {
    if (m.scale < 2 || m.scale > 4) throw Error("FSRCNN scale " + std::to_string(m.scale) + " must be 2, 3 or 4");
    if (m.d != detail::kFsrcnnBuiltD || m.s != detail::kFsrcnnBuiltS || m.m != detail::kFsrcnnBuiltM) {
        throw Error("ksconv's FSRCNN kernels are compiled for FSRCNN(d=" + std::to_string(detail::kFsrcnnBuiltD) +
                    ", s=" + std::to_string(detail::kFsrcnnBuiltS) + ", m=" + std::to_string(detail::kFsrcnnBuiltM) +
                    "), not " + model_shape(m));
    }
    if (m.layers.size() != size_t(m.m + 4))
        throw Error(model_shape(m) + " needs " + std::to_string(m.m + 4) + " layers");
    const FsrcnnModel::Layer &last = m.layers.back();
    if (last.kind != FsrcnnModel::LayerKind::deconv || last.stride != m.scale || last.kernel_h != kDeconvKernel ||
        last.kernel_w != kDeconvKernel || last.padding != kDeconvPadding || last.out_channels != 1) {
        throw Error("the last FSRCNN layer must be a 9x9 transposed convolution with stride " +
                    std::to_string(m.scale) + " and padding 4 to one channel");
    }
}

// The generator reads the deconvolution's weights as (channel, x, y, ci, px, py): the packed
// layout's dimensions without the block one (one channel is one block; without channel
// padding the data is dense from data[0], see packing.hpp), and for the whole kernel one phase.
Halide::Runtime::Buffer<const float> one_block_buffer(const detail::ChannelBlocks &packed,
                                                      std::vector<halide_dimension_t> dims) {
    constexpr size_t kBlockDim = 4, kRank = 6;
    dims.erase(dims.begin() + kBlockDim);
    while (dims.size() < kRank) dims.push_back(halide_dimension_t(0, 1, 1));
    return Halide::Runtime::Buffer<const float>(packed.data.data(), int(dims.size()), dims.data());
}

}  // namespace

const char *fsrcnn_deconvolution_name(FsrcnnDeconvolution deconvolution) {
    return deconvolution == FsrcnnDeconvolution::segregated ? "segregated" : "zero-insert";
}

struct FsrcnnUpscaler::Impl {
    int scale = 0, reach = 0;
    Device device = Device::cpu;
    FsrcnnDeconvolution deconvolution = FsrcnnDeconvolution::segregated;
    std::vector<float> conv_parameters;  // layers 0 .. m+2: weights, bias, slopes, in file order
    std::vector<float> deconv_weights;   // packed once: sub-kernels or the whole kernel
    float deconv_bias = 0;
    // On the upscaler's device since construction.
    Halide::Runtime::Buffer<const float> conv_buffer, deconv_buffer;
};

FsrcnnUpscaler::FsrcnnUpscaler(const FsrcnnModel &model, Device device, FsrcnnDeconvolution deconvolution)
    : impl_(std::make_unique<Impl>()) {
    check_model(model);
    const std::string why = device_unavailable_reason(device);
    if (!why.empty()) throw Error(why);
    Impl &im = *impl_;
    im.scale = model.scale;
    im.device = device;
    im.deconvolution = deconvolution;
    im.reach = 2 + model.m + kDeconvReach;
    for (size_t i = 0; i + 1 < model.layers.size(); i++) {
        const FsrcnnModel::Layer &l = model.layers[i];
        for (const std::vector<float> *values : {&l.weights, &l.bias, &l.prelu}) {
            im.conv_parameters.insert(im.conv_parameters.end(), values->begin(), values->end());
        }
    }
    const FsrcnnModel::Layer &deconv = model.layers.back();
    im.deconv_bias = deconv.bias.at(0);
    ConvTransposeParams p;
    p.stride_h = p.stride_w = model.scale;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = kDeconvPadding;
    p.output_padding_h = p.output_padding_w = model.scale - 1;
    const WeightShape shape{deconv.in_channels, 1, kDeconvKernel, kDeconvKernel};
    // One output channel: no register tile spans channels, so no channel padding.
    if (deconvolution == FsrcnnDeconvolution::segregated) {
        detail::SubKernels sub = detail::segregate_kernel(p, shape, deconv.weights.data(), 0);
        im.deconv_buffer = one_block_buffer(sub, sub.dimensions());
        im.deconv_weights = std::move(sub.data);
    } else {
        detail::PackedKernel k = detail::pack_kernel(shape, deconv.weights.data(), 0);
        im.deconv_buffer = one_block_buffer(k, k.dimensions());
        im.deconv_weights = std::move(k.data);
    }
    im.conv_buffer = Halide::Runtime::Buffer<const float>(im.conv_parameters.data(), int(im.conv_parameters.size()));
    detail::copy_to_device(im.conv_buffer, device, "FSRCNN weights");
    detail::copy_to_device(im.deconv_buffer, device, "FSRCNN deconvolution weights");
}

FsrcnnUpscaler::~FsrcnnUpscaler() = default;
FsrcnnUpscaler::FsrcnnUpscaler(FsrcnnUpscaler &&) noexcept = default;
FsrcnnUpscaler &FsrcnnUpscaler::operator=(FsrcnnUpscaler &&) noexcept = default;

int FsrcnnUpscaler::scale() const {
    return impl_->scale;
}
Device FsrcnnUpscaler::device() const {
    return impl_->device;
}
FsrcnnDeconvolution FsrcnnUpscaler::deconvolution() const {
    return impl_->deconvolution;
}
int FsrcnnUpscaler::reach() const {
    return impl_->reach;
}

void FsrcnnUpscaler::run_luma_tile(const LumaWindow &w, int64_t width, int64_t height, int64_t tile_x, int64_t tile_y,
                                   int64_t tile_w, int64_t tile_h, float *out, int64_t out_stride) const {
    const Impl &im = *impl_;
    const int64_t s = im.scale, r = im.reach;
    if (w.data == nullptr || out == nullptr) throw Error("luminance and output planes must not be null");
    if (width < 1 || height < 1 || tile_w < 1 || tile_h < 1 || tile_x < 0 || tile_y < 0 || tile_x + tile_w > width ||
        tile_y + tile_h > height) {
        throw Error("tile " + std::to_string(tile_w) + "x" + std::to_string(tile_h) + " at (" + std::to_string(tile_x) +
                    ", " + std::to_string(tile_y) + ") is not inside the " + std::to_string(width) + "x" +
                    std::to_string(height) + " image");
    }
    const int64_t need_x0 = std::max<int64_t>(0, tile_x - r), need_y0 = std::max<int64_t>(0, tile_y - r);
    const int64_t need_x1 = std::min(width, tile_x + tile_w + r), need_y1 = std::min(height, tile_y + tile_h + r);
    if (w.x > need_x0 || w.y > need_y0 || w.x + w.width < need_x1 || w.y + w.height < need_y1 || w.stride < w.width ||
        out_stride < s * tile_w) {
        throw Error("luminance window [" + std::to_string(w.x) + ", " + std::to_string(w.x + w.width) + ") x [" +
                    std::to_string(w.y) + ", " + std::to_string(w.y + w.height) + ") does not hold the tile and the " +
                    std::to_string(r) + " pixels around it");
    }
    // Halide's int32 coordinates and strides: the whole image and its output must fit.
    detail::checked_int(std::max(width, height) * s, "the upscaled image side");
    detail::checked_int(w.stride * w.height, "the luminance window");
    detail::checked_int(out_stride * s * tile_h, "the output tile");
    // Only the rows and columns the tile needs are handed to the kernel.
    const float *first = w.data + (need_y0 - w.y) * w.stride + (need_x0 - w.x);
    halide_dimension_t in_dims[2] = {{int32_t(need_x0), int32_t(need_x1 - need_x0), 1, 0},
                                     {int32_t(need_y0), int32_t(need_y1 - need_y0), int32_t(w.stride), 0}};
    halide_dimension_t out_dims[2] = {{0, int32_t(s * tile_w), 1, 0}, {0, int32_t(s * tile_h), int32_t(out_stride), 0}};
    Halide::Runtime::Buffer<const float> input(first, 2, in_dims);
    Halide::Runtime::Buffer<float> output(out, 2, out_dims);
    detail::copy_to_device(input, im.device, "luminance tile");
    detail::allocate_on_device(output, im.device, "upscaled luminance tile");
    detail::FsrcnnCall call;
    call.input = const_cast<halide_buffer_t *>(input.raw_buffer());  // the kernels only read their inputs
    call.image_width = int(width);
    call.image_height = int(height);
    call.tile_x = int(tile_x);
    call.tile_y = int(tile_y);
    call.conv_parameters = const_cast<halide_buffer_t *>(im.conv_buffer.raw_buffer());
    call.deconv_weights = const_cast<halide_buffer_t *>(im.deconv_buffer.raw_buffer());
    call.deconv_bias = im.deconv_bias;
    call.output = output.raw_buffer();
    detail::run_fsrcnn_kernel(im.device, im.deconvolution, im.scale, call);
    detail::copy_to_host(output, "upscaled luminance tile");
}

void FsrcnnUpscaler::run_luma(const float *y, int64_t width, int64_t height, float *out) const {
    if (width < 1 || height < 1) {
        throw Error("luminance plane " + std::to_string(width) + "x" + std::to_string(height) + " is empty");
    }
    const LumaWindow whole{y, 0, 0, width, height, width};
    detail::run_luma_region(*this, whole, width, height, {0, 0, width, height}, out, width * impl_->scale);
}

namespace detail {

FsrcnnTileSize fsrcnn_tile_size(int d, int reach, int scale, int64_t width) {
    (void)scale;
    FsrcnnTileSize t;
    t.columns = std::min(width, kMaxTileColumns);
    // The kernel rounds its maps up to whole register tiles: a few columns more.
    const int64_t row_bytes = int64_t(d) * int64_t(sizeof(float)) * (t.columns + 2 * reach + 48);
    t.rows = std::max(kMinTileRows, kMapBytes / row_bytes - 2 * reach);
    return t;
}

void run_luma_region(const FsrcnnUpscaler &up, const FsrcnnUpscaler::LumaWindow &window, int64_t width, int64_t height,
                     const LumaRegion &region, float *out, int64_t out_stride) {
    const int64_t s = up.scale();
    const FsrcnnTileSize most = fsrcnn_tile_size(kFsrcnnBuiltD, up.reach(), up.scale(), region.width);
    // Equal tiles: as few as the bound allows, none much smaller than the others.
    const int64_t across = (region.width + most.columns - 1) / most.columns;
    const int64_t down = (region.height + most.rows - 1) / most.rows;
    const int64_t columns = (region.width + across - 1) / across, rows = (region.height + down - 1) / down;
    for (int64_t ty = region.y; ty < region.y + region.height; ty += rows) {
        const int64_t th = std::min(rows, region.y + region.height - ty);
        for (int64_t tx = region.x; tx < region.x + region.width; tx += columns) {
            const int64_t tw = std::min(columns, region.x + region.width - tx);
            float *tile_out = out + (ty - region.y) * s * out_stride + (tx - region.x) * s;
            up.run_luma_tile(window, width, height, tx, ty, tw, th, tile_out, out_stride);
        }
    }
}

}  // namespace detail
}  // namespace ksconv
