#include "packing.hpp"

#include <algorithm>
#include <numeric>

namespace ksconv::detail {

AxisPhase axis_phase(int phase, int stride, int kernel, int dilation) {
    AxisPhase taps;
    taps.step = stride / std::gcd(stride, dilation);
    for (int k = 0; k < stride; k++) {
        if (((k * int64_t(dilation) - phase) % stride + stride) % stride == 0) {
            taps.first = k;
            taps.count = k < kernel ? (kernel - k + taps.step - 1) / taps.step : 0;
            return taps;
        }
    }
    return taps;  // no tap: this phase of the output is bias only
}

PackedKernel pack_kernel(const WeightShape &shape, const float *weights) {
    PackedKernel packed;
    const int cout_per_group = int(shape.cout_per_group);
    packed.cout_padded = cout_per_group + kChannelPadding;
    packed.kw = int(shape.kw);
    packed.kh = int(shape.kh);
    packed.cin = int(shape.cin);
    packed.data.assign(size_t(packed.cout_padded) * packed.kw * packed.kh * packed.cin, 0.0f);
    size_t index = 0;  // walks the packed layout in order, channels fastest
    for (int ci = 0; ci < packed.cin; ci++) {
        for (int ky = 0; ky < packed.kh; ky++) {
            for (int kx = 0; kx < packed.kw; kx++) {
                for (int co = 0; co < packed.cout_padded; co++, index++) {
                    if (co >= cout_per_group) continue;
                    packed.data[index] = weights[((int64_t(ci) * cout_per_group + co) * packed.kh + ky) * packed.kw + kx];
                }
            }
        }
    }
    return packed;
}

SubKernels segregate_kernel(const ConvTransposeParams &p, const WeightShape &shape, const float *weights) {
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
    sub.cout_padded = cout_per_group + kChannelPadding;
    sub.cin = int(shape.cin);
    sub.taps_x = most_taps(phases_x);
    sub.taps_y = most_taps(phases_y);
    sub.stride_x = p.stride_w;
    sub.stride_y = p.stride_h;
    sub.data.assign(size_t(sub.cout_padded) * sub.taps_x * sub.taps_y * sub.cin * sub.stride_x * sub.stride_y, 0.0f);

    size_t index = 0;  // walks the packed layout in order, x fastest
    for (int py = 0; py < sub.stride_y; py++) {
        for (int px = 0; px < sub.stride_x; px++) {
            for (int ci = 0; ci < sub.cin; ci++) {
                for (int ty = 0; ty < sub.taps_y; ty++) {
                    for (int tx = 0; tx < sub.taps_x; tx++) {
                        for (int co = 0; co < sub.cout_padded; co++, index++) {
                            const AxisPhase &ax = phases_x[px], &ay = phases_y[py];
                            if (tx >= ax.count || ty >= ay.count || co >= cout_per_group) continue;
                            int ky = ay.first + ty * ay.step, kx = ax.first + tx * ax.step;
                            sub.data[index] = weights[((int64_t(ci) * cout_per_group + co) * kh + ky) * kw + kx];
                        }
                    }
                }
            }
        }
    }
    return sub;
}

}  // namespace ksconv::detail
