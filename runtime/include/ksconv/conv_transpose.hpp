// Transposed 2-D convolution (PyTorch ConvTranspose2d / ONNX ConvTranspose semantics) on
// float32 NCHW tensors.
//
//   out[n, co, oy, ox] = bias[co] + sum of in[n, ci, iy, ix] * w[ci, co % (Cout/groups), ky, kx]
//   over ci in co's group and taps with oy = iy*sh - pad_top + ky*dh, ox = ix*sw - pad_left + kx*dw
//
// A layer is built once from parameters and weights (validated and packed then) and run
// many times on caller-owned buffers. Every rejection throws ksconv::Error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ksconv/device.hpp"

namespace ksconv {

class DeviceTensor;

struct ConvTransposeParams {
    int stride_h = 1, stride_w = 1;
    // ONNX `pads` order is top, left, bottom, right; PyTorch's `padding` p means p on each side.
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    int output_padding_h = 0, output_padding_w = 0;
    int dilation_h = 1, dilation_w = 1;
    int groups = 1;
};

// Extents of an NCHW tensor.
struct Shape4 {
    int64_t n = 0, c = 0, h = 0, w = 0;
    bool operator==(const Shape4 &o) const { return n == o.n && c == o.c && h == o.h && w == o.w; }
    int64_t elements() const { return n * c * h * w; }
};

// Extents of the weight tensor: Cin x Cout/groups x KH x KW.
struct WeightShape {
    int64_t cin = 0, cout_per_group = 0, kh = 0, kw = 0;
    int64_t elements() const { return cin * cout_per_group * kh * kw; }
};

enum class Method {
    Segregated,  // kernel segregation: sh*sw dense sub-convolutions, interleaved (default)
    ZeroInsert,  // conventional: zero-inserted input convolved with the flipped kernel
    Reference,   // plain float64 loops, for checking; slow
};

// "segregated", "zero-insert", "reference".
const char *method_name(Method method);
// Inverse of method_name; throws ksconv::Error naming the accepted values.
Method parse_method(const std::string &name);

// Checks the parameters against each other and the weight shape (everything that does
// not depend on the input). Throws ksconv::Error naming the parameter and the rule.
void validate(const ConvTransposeParams &params, const WeightShape &weights);

// Output extents for an input; validates params, weights and the input shape
// (Cin must match, every extent >= 1, output size >= 1).
Shape4 output_shape(const ConvTransposeParams &params, const WeightShape &weights, const Shape4 &input);

class ConvTranspose2d {
public:
    // `weights` holds weight_shape.elements() floats (Cin x Cout/groups x KH x KW);
    // `bias` holds Cout floats or is null for no bias. Both are copied (and packed);
    // the caller's arrays are never modified and need not outlive the layer.
    // On a GPU `device` the packed weights are copied to the device here, once, and stay
    // there for the layer's lifetime. Throws Error when the device is unavailable (see
    // device_unavailable_reason) or the method has no kernel for it (reference: cpu only).
    ConvTranspose2d(const ConvTransposeParams &params, const WeightShape &weight_shape, const float *weights,
                    const float *bias, Method method = Method::Segregated, Device device = Device::cpu);
    ~ConvTranspose2d();
    ConvTranspose2d(ConvTranspose2d &&) noexcept;
    ConvTranspose2d &operator=(ConvTranspose2d &&) noexcept;

    const ConvTransposeParams &params() const;
    const WeightShape &weight_shape() const;
    Method method() const;
    Device device() const;
    int64_t out_channels() const;

    Shape4 output_shape(const Shape4 &input) const;

    // Computes the layer. `input` holds input_shape.elements() floats; `output` must hold
    // output_shape(input_shape).elements() floats and is fully overwritten.
    // Safe to call concurrently from several threads on different output buffers.
    // On a GPU device the input is copied to the device, the kernel runs and the output is
    // copied back before this returns.
    void run(const float *input, const Shape4 &input_shape, float *output) const;

    // Computes the layer on tensors already on the layer's device, without host copies.
    // `output` must have output_shape(input.shape()). On a GPU this returns once the
    // kernel is queued; synchronize(device()) or output.download() waits for it.
    void run(const DeviceTensor &input, DeviceTensor &output) const;

    // Bytes of weights the layer holds in its own layout (the segregated sub-kernels).
    int64_t packed_weight_bytes() const;

    // Name of the compiled variant run() uses (e.g. "segregated_s2x2"), for diagnostics.
    std::string variant_name() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ksconv
