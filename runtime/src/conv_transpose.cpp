// The layer object: validates and packs once at construction, runs many times.
#include "ksconv/conv_transpose.hpp"

#include <string>
#include <vector>

#include "device_tensor_impl.hpp"
#include "halide_calls.hpp"
#include "kernel_buffers.hpp"
#include "ksconv/device_tensor.hpp"
#include "ksconv/error.hpp"
#include "packing.hpp"
#include "reference.hpp"

namespace ksconv {

namespace {

// Grouped layers with at least a vector of output channels per group run on the CPU as one
// ungrouped layer per group, on channel slices of the input and output: the ungrouped
// kernels' channel tiles (16 or 8 channels x pixels, weights as vectors) then serve them,
// where the grouped kernels take the one-channel column tile (a grouped layer's tiles would
// start anywhere in the packed weights' channel blocks). A channel tile pays for its
// transpose into pixel-major rows over its reduction (a group's input channels x a phase's
// taps), so only from kPerGroupMinReduction; below it the calls' fixed costs won. Zen 3, 2
// threads, medians of alternating rounds, grouped call -> per group: 64 -> 64 channels in 4
// groups on 64x64 (reduction 64) 3.0-3.8 -> 1.3-1.4 ms, in 8 groups (32) 1.6-2.1 -> 1.0;
// 256 -> 256 in 32 groups (8 inputs each) at stride 2, 4x4 on 32x32 (32) 2.2-3.1 -> 1.8-2.3,
// 3x3 (18) even, 2x2 (8) 0.56-0.77 -> 0.87-1.46; at stride 3, 3x3 (8) 5.6-6.8 -> 7.6-10.5.
// Groups of fewer channels run per group where each group's layer takes the tap-products
// kernel (32+ inputs per group): 128 -> 8 channels in 2 groups 2.3-2.7 -> 0.7-1.0 ms.
constexpr int64_t kPerGroupMinChannels = 8;
constexpr int64_t kPerGroupMinReduction = 32;

// The ungrouped layer that one group of a grouped layer is.
struct OneGroup {
    ConvTransposeParams params;
    WeightShape shape;
};
OneGroup one_group_of(const ConvTransposeParams &p, const WeightShape &ws) {
    OneGroup group{p, {ws.cin / p.groups, ws.cout_per_group, ws.kh, ws.kw}};
    group.params.groups = 1;
    return group;
}

bool runs_per_group(const ConvTransposeParams &p, const WeightShape &ws, Method method, Device device) {
    if (device != Device::cpu || method == Method::Reference || p.groups == 1) return false;
    const OneGroup group = one_group_of(p, ws);
    const int64_t reduction = group.shape.cin * ws.kh * ws.kw / (int64_t(p.stride_h) * p.stride_w);
    if (ws.cout_per_group >= kPerGroupMinChannels) return reduction >= kPerGroupMinReduction;
    return method == Method::Segregated && detail::uses_tap_products_variant(device, group.params, group.shape);
}

// Channels [first, first + count) of an (x, y, c, n) host buffer, numbered from the buffer's
// own channel min again: a view, nothing is copied.
Halide::Runtime::Buffer<float> channel_slice(const halide_buffer_t &whole, int first, int count) {
    Halide::Runtime::Buffer<float> slice(whole);
    slice.crop(2, whole.dim[2].min + first, count);
    slice.translate(2, -first);
    return slice;
}

}  // namespace

struct ConvTranspose2d::Impl {
    ConvTransposeParams params;
    WeightShape weight_shape;
    Method method;
    Device device;
    std::vector<float> weights;          // reference only: as given
    detail::PackedKernel packed_kernel;  // zero-insert only: channels fastest
    std::vector<float> bias;             // Cout values, zeros when the layer has no bias
    detail::SubKernels sub_kernels;      // segregated only: packed once here, never per call
    detail::TapWeights tap_weights;      // segregated with few output channels (tap products) instead
    // The kernel's weight operand (sub-kernels or packed kernel) and bias, on the layer's
    // device since construction.
    Halide::Runtime::Buffer<const float> weight_buffer, bias_buffer;
    // Grouped layers run per group (runs_per_group): one ungrouped layer for each group.
    std::vector<ConvTranspose2d> group_layers;

    // Segregated with few output channels: the tap-products kernel serves it.
    bool tap_products() const {
        return method == Method::Segregated && detail::uses_tap_products_variant(device, params, weight_shape);
    }

    // Runs the kernel on buffers already on `device`.
    void run_kernel(halide_buffer_t *input, halide_buffer_t *output) const {
        if (!group_layers.empty()) {
            const int groups = int(group_layers.size());
            const int cin = input->dim[2].extent / groups, cout = output->dim[2].extent / groups;
            for (int g = 0; g < groups; g++) {
                auto in = channel_slice(*input, g * cin, cin), out = channel_slice(*output, g * cout, cout);
                group_layers[size_t(g)].impl_->run_kernel(in.raw_buffer(), out.raw_buffer());
            }
            return;
        }
        // The generated functions take non-const buffers but only read their inputs.
        auto *w = const_cast<halide_buffer_t *>(weight_buffer.raw_buffer());
        auto *b = const_cast<halide_buffer_t *>(bias_buffer.raw_buffer());
        if (tap_products()) {
            detail::run_tap_products(params, weight_shape, w, b, input, output);
        } else if (method == Method::Segregated) {
            detail::run_segregated(device, params, weight_shape, w, b, input, output);
        } else {
            detail::run_zero_insert(device, params, weight_shape, w, b, input, output);
        }
    }
};

namespace {

// A Halide view of packed weights stored in `storage`, starting at `values`.
Halide::Runtime::Buffer<const float> weight_view(const std::vector<float> &storage, const float *values,
                                                 const std::vector<halide_dimension_t> &dims) {
    detail::checked_int(int64_t(storage.size()), "packed weights");
    return Halide::Runtime::Buffer<const float>(values, int(dims.size()), dims.data());
}

}  // namespace

ConvTranspose2d::ConvTranspose2d(const ConvTransposeParams &params, const WeightShape &weight_shape,
                                 const float *weights, const float *bias, Method method, Device device)
    : impl_(std::make_unique<Impl>()) {
    validate(params, weight_shape);
    if (weights == nullptr) throw Error("weights must not be null");
    if (method == Method::Reference && device != Device::cpu) {
        throw Error(std::string("method reference runs on the cpu only, not on ") + device_name(device));
    }
    Impl &im = *impl_;
    im.params = params;
    im.weight_shape = weight_shape;
    im.method = method;
    im.device = device;
    const int64_t cout = weight_shape.cout_per_group * params.groups;
    if (runs_per_group(params, weight_shape, method, device)) {
        const OneGroup group = one_group_of(params, weight_shape);
        for (int g = 0; g < params.groups; g++) {
            // Weights are Cin x Cout/groups x KH x KW: group g's input channels are one run.
            im.group_layers.emplace_back(group.params, group.shape, weights + g * group.shape.elements(),
                                         bias ? bias + g * weight_shape.cout_per_group : nullptr, method, device);
        }
        return;
    }
    im.bias = bias ? std::vector<float>(bias, bias + cout) : std::vector<float>(size_t(cout), 0.0f);
    // Weights are packed here, once, in the layout each method's kernel reads.
    switch (method) {
        case Method::Segregated:
            if (im.tap_products()) {
                im.tap_weights = detail::pack_tap_weights(weight_shape, weights);
                im.weight_buffer =
                    weight_view(im.tap_weights.data, im.tap_weights.data.data(), im.tap_weights.dimensions());
                break;
            }
            im.sub_kernels = detail::segregate_kernel(params, weight_shape, weights);
            im.weight_buffer = weight_view(im.sub_kernels.data, im.sub_kernels.values(), im.sub_kernels.dimensions());
            break;
        case Method::ZeroInsert:
            im.packed_kernel = detail::pack_kernel(weight_shape, weights);
            im.weight_buffer =
                weight_view(im.packed_kernel.data, im.packed_kernel.values(), im.packed_kernel.dimensions());
            break;
        case Method::Reference:
            im.weights.assign(weights, weights + weight_shape.elements());
            return;
    }
    im.bias_buffer = Halide::Runtime::Buffer<const float>(im.bias.data(), int(cout));
    detail::copy_to_device(im.weight_buffer, device, "packed weights");
    detail::copy_to_device(im.bias_buffer, device, "bias");
}

ConvTranspose2d::~ConvTranspose2d() = default;
ConvTranspose2d::ConvTranspose2d(ConvTranspose2d &&) noexcept = default;
ConvTranspose2d &ConvTranspose2d::operator=(ConvTranspose2d &&) noexcept = default;

const ConvTransposeParams &ConvTranspose2d::params() const {
    return impl_->params;
}
const WeightShape &ConvTranspose2d::weight_shape() const {
    return impl_->weight_shape;
}
Method ConvTranspose2d::method() const {
    return impl_->method;
}
Device ConvTranspose2d::device() const {
    return impl_->device;
}
int64_t ConvTranspose2d::out_channels() const {
    return impl_->weight_shape.cout_per_group * impl_->params.groups;
}

Shape4 ConvTranspose2d::output_shape(const Shape4 &input) const {
    return ksconv::output_shape(impl_->params, impl_->weight_shape, input);
}

int64_t ConvTranspose2d::packed_weight_bytes() const {
    const Impl &im = *impl_;
    int64_t groups_bytes = 0;
    for (const ConvTranspose2d &layer : im.group_layers) groups_bytes += layer.packed_weight_bytes();
    return groups_bytes + int64_t(sizeof(float)) * int64_t(im.sub_kernels.data.size() + im.tap_weights.data.size() +
                                                           im.packed_kernel.data.size() + im.weights.size());
}

std::string ConvTranspose2d::variant_name() const {
    if (!impl_->group_layers.empty()) return impl_->group_layers[0].variant_name() + "_per_group";
    const ConvTransposeParams &p = impl_->params;
    std::string name;
    switch (impl_->method) {
        case Method::Segregated:
            if (impl_->tap_products()) {
                name = "segregated_tap_products_s" + std::to_string(p.stride_h);
                break;
            }
            name = detail::uses_fixed_stride_variant(impl_->device, p, impl_->weight_shape)
                       ? "segregated_s" + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w)
                       : "segregated_runtime_stride";
            break;
        case Method::ZeroInsert:
            name = "zero_insert";
            break;
        case Method::Reference:
            return "reference_float64";
    }
    if (detail::uses_blocked_variant(impl_->device, impl_->method, p, impl_->weight_shape)) name += "_blocked";
    if (impl_->device != Device::cpu) name += std::string("_") + device_name(impl_->device);
    return name;
}

void ConvTranspose2d::run(const float *input, const Shape4 &input_shape, float *output) const {
    const Impl &im = *impl_;
    const Shape4 out = output_shape(input_shape);
    if (input == nullptr || output == nullptr) throw Error("input and output buffers must not be null");
    if (im.method == Method::Reference) {
        detail::reference_conv_transpose(im.params, im.weight_shape, im.weights.data(), im.bias.data(), input,
                                         input_shape, output);
        return;
    }
    auto in_buf = detail::nchw_buffer(input, input_shape, "input");
    auto out_buf = detail::nchw_buffer(output, out, "output");
    // On a GPU: input to the device, kernel, output back; the device copies are freed
    // (into Halide's reuse cache) when the buffers go out of scope.
    detail::copy_to_device(in_buf, im.device, "input");
    detail::allocate_on_device(out_buf, im.device, "output");
    im.run_kernel(const_cast<halide_buffer_t *>(in_buf.raw_buffer()), out_buf.raw_buffer());
    detail::copy_to_host(out_buf, "output");
}

void ConvTranspose2d::run(const DeviceTensor &input, DeviceTensor &output) const {
    const Impl &im = *impl_;
    if (im.method == Method::Reference)
        throw Error("method reference has no device-tensor kernel; run it on host arrays");
    if (input.device() != im.device || output.device() != im.device) {
        throw Error(std::string("tensors on ") + device_name(input.device()) + " and " + device_name(output.device()) +
                    " given to a layer on " + device_name(im.device));
    }
    const Shape4 out = output_shape(input.shape());
    if (!(output.shape() == out)) throw Error("output tensor shape does not match the layer's output shape");
    im.run_kernel(input.impl().buffer.raw_buffer(), output.impl().buffer.raw_buffer());
}

}  // namespace ksconv
