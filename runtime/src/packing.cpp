#include "packing.hpp"

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <numeric>
#include <string>
#include <utility>

#include "ksconv/error.hpp"

namespace ksconv::detail {
namespace {

constexpr int64_t kLineFloats = 16;  // a 64-byte cache line

// Elements of a packed weight buffer, refused before allocating when the kernels could not
// address them (int32 extents): large strides multiply the sub-kernel count, so a size that
// wrapped around size_t would otherwise be allocated small and written past.
size_t packed_elements(const char *what, std::initializer_list<int64_t> extents) {
    int64_t product = 1;
    std::string text;
    bool fits = true;
    for (int64_t extent : extents) {
        text += (text.empty() ? "" : "x") + std::to_string(extent);
        if (extent != 0 && product > INT_MAX / extent) fits = false;
        if (fits) product *= extent;
    }
    if (!fits)
        throw Error(std::string(what) + " " + text + " would exceed 2^31-1 elements, more than the kernels address");
    return size_t(product);
}

// The smallest k >= 0 with k * d = phase (mod s), or -1 when there is none. Solved with a
// modular inverse rather than by trying every k < s, which cost O(s) per phase and O(s^2)
// per layer: minutes for the strides up to 2^20 that validation accepts.
int64_t first_tap(int64_t phase, int64_t s, int64_t d) {
    const int64_t g = std::gcd(s, d);
    if (phase % g != 0) return -1;
    const int64_t m = s / g, a = (d / g) % m;
    // Extended Euclid: inverse of a modulo m (they are coprime).
    int64_t r0 = m, r1 = a, t0 = 0, t1 = 1;
    while (r1 != 0) {
        const int64_t q = r0 / r1;
        r0 = std::exchange(r1, r0 - q * r1);
        t0 = std::exchange(t1, t0 - q * t1);
    }
    const int64_t inverse = ((t0 % m) + m) % m;
    return (phase / g) % m * inverse % m;
}

// Zeroed storage for the channel blocks of `cout_per_group` channels rounded up to a
// multiple of `channel_padding` (0: one block of exactly those channels), each block
// holding `block_runs` runs of its channels, `copies` times over (one per phase), laid out
// as ChannelBlocks says (packing.hpp). `what` and `extents` name the logical shape in the
// size check.
void lay_out(ChannelBlocks &out, const char *what, std::initializer_list<int64_t> extents, int cout_per_group,
             int channel_padding, int64_t block_runs, int64_t copies) {
    packed_elements(what, extents);
    const bool padded = channel_padding > 0;
    if (padded && cout_per_group <= kChannelBlock) channel_padding = kChannelBlock;  // see packing.hpp
    out.block = padded ? kChannelBlock : cout_per_group;
    out.blocks =
        padded ? (cout_per_group + channel_padding - 1) / channel_padding * (channel_padding / kChannelBlock) : 1;
    const size_t elements = packed_elements(what, {out.block, block_runs, out.blocks, copies});
    out.data.assign(elements + (padded ? kLineFloats : 0), 0.0f);
    const uintptr_t line = kLineFloats * sizeof(float);
    const uintptr_t misalignment = reinterpret_cast<uintptr_t>(out.data.data()) % line;
    out.offset = padded && misalignment != 0 ? (line - misalignment) / sizeof(float) : 0;
}

// Offset of (channel co, run) in copy `copy` of a layout of `block_runs` runs per block.
size_t blocked_index(const ChannelBlocks &layout, int64_t block_runs, int64_t copy, int64_t run, int co) {
    const int64_t block = co / layout.block, in_block = co % layout.block;
    return size_t(((copy * layout.blocks + block) * block_runs + run) * layout.block + in_block);
}

std::vector<halide_dimension_t> dimensions(std::initializer_list<int> extents, std::initializer_list<int64_t> strides) {
    std::vector<halide_dimension_t> dims;
    auto stride = strides.begin();
    for (int extent : extents) dims.push_back(halide_dimension_t(0, extent, int32_t(*stride++)));
    return dims;
}

}  // namespace

AxisPhase axis_phase(int phase, int stride, int kernel, int dilation) {
    AxisPhase taps;
    taps.step = stride / std::gcd(stride, dilation);
    const int64_t k = first_tap(phase, stride, dilation);
    if (k < 0) return taps;  // no tap: this phase of the output is bias only
    taps.first = int(k);
    taps.count = k < kernel ? int((kernel - k + taps.step - 1) / taps.step) : 0;
    return taps;
}

PackedKernel pack_kernel(const WeightShape &shape, const float *weights, int channel_padding) {
    PackedKernel packed;
    const int cout_per_group = int(shape.cout_per_group);
    packed.kw = int(shape.kw);
    packed.kh = int(shape.kh);
    packed.cin = int(shape.cin);
    const int64_t runs = int64_t(packed.cin) * packed.kw * packed.kh;  // per block: ci fastest, then kx, ky
    lay_out(packed, "packed weights", {cout_per_group + channel_padding, packed.kw, packed.kh, packed.cin},
            cout_per_group, channel_padding, runs, 1);
    float *values = packed.values();
    for (int ci = 0; ci < packed.cin; ci++) {
        for (int co = 0; co < cout_per_group; co++) {
            for (int ky = 0; ky < packed.kh; ky++) {
                for (int kx = 0; kx < packed.kw; kx++) {
                    const int64_t run = (int64_t(ky) * packed.kw + kx) * packed.cin + ci;
                    values[blocked_index(packed, runs, 0, run, co)] =
                        weights[((int64_t(ci) * cout_per_group + co) * packed.kh + ky) * packed.kw + kx];
                }
            }
        }
    }
    return packed;
}

SubKernels segregate_kernel(const ConvTransposeParams &p, const WeightShape &shape, const float *weights,
                            int channel_padding) {
    const int kh = int(shape.kh), kw = int(shape.kw);
    std::vector<AxisPhase> phases_x, phases_y;
    for (int r = 0; r < p.stride_w; r++) phases_x.push_back(axis_phase(r, p.stride_w, kw, p.dilation_w));
    for (int r = 0; r < p.stride_h; r++) phases_y.push_back(axis_phase(r, p.stride_h, kh, p.dilation_h));
    auto most_taps = [](const std::vector<AxisPhase> &phases) {
        int most = 1;  // at least 1 so the buffer is never empty
        for (const AxisPhase &a : phases) most = std::max(most, a.count);
        return most;
    };

    SubKernels sub;
    const int cout_per_group = int(shape.cout_per_group);
    sub.cin = int(shape.cin);
    sub.taps_x = most_taps(phases_x);
    sub.taps_y = most_taps(phases_y);
    sub.stride_x = p.stride_w;
    sub.stride_y = p.stride_h;
    const int64_t runs = int64_t(sub.cin) * sub.taps_x * sub.taps_y;  // per block and phase: ci fastest, then tx, ty
    lay_out(sub, "segregated sub-kernels",
            {cout_per_group + channel_padding, sub.taps_x, sub.taps_y, sub.cin, sub.stride_x, sub.stride_y},
            cout_per_group, channel_padding, runs, int64_t(sub.stride_x) * sub.stride_y);
    float *values = sub.values();

    for (int py = 0; py < sub.stride_y; py++) {
        for (int px = 0; px < sub.stride_x; px++) {
            const AxisPhase &ax = phases_x[px], &ay = phases_y[py];
            const int64_t phase = int64_t(py) * sub.stride_x + px;
            for (int ci = 0; ci < sub.cin; ci++) {
                for (int co = 0; co < cout_per_group; co++) {
                    for (int ty = 0; ty < ay.count; ty++) {
                        for (int tx = 0; tx < ax.count; tx++) {
                            const int ky = ay.first + ty * ay.step, kx = ax.first + tx * ax.step;
                            const int64_t run = (int64_t(ty) * sub.taps_x + tx) * sub.cin + ci;
                            values[blocked_index(sub, runs, phase, run, co)] =
                                weights[((int64_t(ci) * cout_per_group + co) * kh + ky) * kw + kx];
                        }
                    }
                }
            }
        }
    }
    return sub;
}

TapWeights pack_tap_weights(const WeightShape &shape, const float *weights) {
    TapWeights packed;
    const int64_t taps = shape.cout_per_group * shape.kh * shape.kw;
    const int64_t padded = (taps + kTapPadding - 1) / kTapPadding * kTapPadding;
    packed.data.assign(packed_elements("tap weights", {padded, shape.cin}), 0.0f);
    packed.taps = int(taps);
    packed.padded_taps = int(padded);
    packed.cin = int(shape.cin);
    for (int64_t ci = 0; ci < shape.cin; ci++)
        std::copy(weights + ci * taps, weights + (ci + 1) * taps, packed.data.begin() + ci * padded);
    return packed;
}

std::vector<halide_dimension_t> TapWeights::dimensions() const {
    return detail::dimensions({padded_taps, cin}, {1, padded_taps});
}

std::vector<halide_dimension_t> SubKernels::dimensions() const {
    const int64_t ci = block, tx = ci * cin, ty = tx * taps_x, b = ty * taps_y, px = b * blocks, py = px * stride_x;
    return detail::dimensions({block, taps_x, taps_y, cin, blocks, stride_x, stride_y}, {1, tx, ty, ci, b, px, py});
}

std::vector<halide_dimension_t> PackedKernel::dimensions() const {
    const int64_t ci = block, kx = ci * cin, ky = kx * kw, b = ky * kh;
    return detail::dimensions({block, kw, kh, cin, blocks}, {1, kx, ky, ci, b});
}

}  // namespace ksconv::detail
