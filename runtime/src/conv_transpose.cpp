// The layer object: validates and packs once at construction, runs many times.
#include "ksconv/conv_transpose.hpp"

#include <string>
#include <vector>

#include "halide_calls.hpp"
#include "ksconv/error.hpp"
#include "packing.hpp"
#include "reference.hpp"

namespace ksconv {

struct ConvTranspose2d::Impl {
    ConvTransposeParams params;
    WeightShape weight_shape;
    Method method;
    std::vector<float> weights;  // reference only: as given
    detail::PackedKernel packed_kernel;  // zero-insert only: channels fastest
    std::vector<float> bias;     // Cout values, zeros when the layer has no bias
    detail::SubKernels sub_kernels;  // segregated only: packed once here, never per call
};

ConvTranspose2d::ConvTranspose2d(const ConvTransposeParams &params, const WeightShape &weight_shape,
                                 const float *weights, const float *bias, Method method)
    : impl_(std::make_unique<Impl>()) {
    validate(params, weight_shape);
    if (weights == nullptr) throw Error("weights must not be null");
    Impl &im = *impl_;
    im.params = params;
    im.weight_shape = weight_shape;
    im.method = method;
    const int64_t cout = weight_shape.cout_per_group * params.groups;
    im.bias = bias ? std::vector<float>(bias, bias + cout) : std::vector<float>(size_t(cout), 0.0f);
    // Weights are packed here, once, in the layout each method's kernel reads.
    switch (method) {
    case Method::Segregated: im.sub_kernels = detail::segregate_kernel(params, weight_shape, weights); break;
    case Method::ZeroInsert: im.packed_kernel = detail::pack_kernel(weight_shape, weights); break;
    case Method::Reference: im.weights.assign(weights, weights + weight_shape.elements()); break;
    }
}

ConvTranspose2d::~ConvTranspose2d() = default;
ConvTranspose2d::ConvTranspose2d(ConvTranspose2d &&) noexcept = default;
ConvTranspose2d &ConvTranspose2d::operator=(ConvTranspose2d &&) noexcept = default;

const ConvTransposeParams &ConvTranspose2d::params() const { return impl_->params; }
const WeightShape &ConvTranspose2d::weight_shape() const { return impl_->weight_shape; }
Method ConvTranspose2d::method() const { return impl_->method; }
int64_t ConvTranspose2d::out_channels() const { return impl_->weight_shape.cout_per_group * impl_->params.groups; }

Shape4 ConvTranspose2d::output_shape(const Shape4 &input) const {
    return ksconv::output_shape(impl_->params, impl_->weight_shape, input);
}

int64_t ConvTranspose2d::packed_weight_bytes() const {
    const Impl &im = *impl_;
    return int64_t(sizeof(float)) *
           int64_t(im.sub_kernels.data.size() + im.packed_kernel.data.size() + im.weights.size());
}

std::string ConvTranspose2d::variant_name() const {
    const ConvTransposeParams &p = impl_->params;
    switch (impl_->method) {
    case Method::Segregated:
        if (!detail::has_fixed_stride_variant(p.stride_h, p.stride_w)) return "segregated_runtime_stride";
        return "segregated_s" + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w);
    case Method::ZeroInsert: return "zero_insert";
    case Method::Reference: return "reference_float64";
    }
    return "unknown";
}

void ConvTranspose2d::run(const float *input, const Shape4 &input_shape, float *output) const {
    const Impl &im = *impl_;
    const Shape4 out = output_shape(input_shape);
    if (input == nullptr || output == nullptr) throw Error("input and output buffers must not be null");
    switch (im.method) {
    case Method::Segregated:
        detail::run_segregated(im.params, im.weight_shape, im.sub_kernels, im.bias.data(), input, input_shape, output,
                               out);
        break;
    case Method::ZeroInsert:
        detail::run_zero_insert(im.params, im.packed_kernel, im.bias.data(), input, input_shape, output, out);
        break;
    case Method::Reference:
        detail::reference_conv_transpose(im.params, im.weight_shape, im.weights.data(), im.bias.data(), input,
                                         input_shape, output);
        break;
    }
}

}  // namespace ksconv
