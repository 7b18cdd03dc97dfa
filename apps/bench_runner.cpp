#include "bench_runner.hpp"

#include <algorithm>
#include <exception>
#include <thread>

#include "ksconv/device_tensor.hpp"
#include "ksconv/memory.hpp"

namespace ksconv::cli {

namespace {

class KsconvRunner : public BenchRunner {
public:
    KsconvRunner(const BenchShape &shape, Method method, Device device, const float *weights, const float *input,
                 float *output)
        : layer_(shape.params, shape.weights, weights, nullptr, method, device),
          input_shape_(shape.input),
          input_(input),
          output_(output) {
        if (device != Device::cpu) {
            device_input_ = std::make_unique<DeviceTensor>(device, shape.input);
            device_output_ = std::make_unique<DeviceTensor>(device, shape.output);
            device_input_->upload(input);
        }
    }

    void run() override {
        if (!device_input_) {
            layer_.run(input_, input_shape_, output_);
            return;
        }
        // The kernel alone, finished: the synchronization is inside the timed call.
        layer_.run(*device_input_, *device_output_);
        synchronize(layer_.device());
    }

    void checked_run() override {
        // The first run of the layer: whatever it allocates now is its own scratch.
        reset_scratch_peak();
        const int64_t held_before = scratch_peak_bytes();
        run();
        scratch_bytes_ = scratch_peak_bytes() - held_before;
        if (device_output_) device_output_->download(output_);
    }

    int64_t extra_bytes() const override { return layer_.packed_weight_bytes() + scratch_bytes_; }
    std::string label() const override { return method_name(layer_.method()); }
    std::string implementation() const override { return layer_.variant_name(); }

private:
    ConvTranspose2d layer_;
    Shape4 input_shape_;
    const float *input_;
    float *output_;
    std::unique_ptr<DeviceTensor> device_input_, device_output_;  // GPU only
    int64_t scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<BenchRunner> make_ksconv_runner(const BenchShape &shape, Method method, Device device,
                                                const float *weights, const float *input, float *output) {
    return std::make_unique<KsconvRunner>(shape, method, device, weights, input, output);
}

TransferTimings time_transfers(const BenchShape &shape, Device device, const float *input, float *output,
                               const TimingPolicy &policy) {
    DeviceTensor in(device, shape.input), out(device, shape.output);
    out.upload(output);  // gives the output tensor defined contents to download
    TransferTimings t;
    t.to_device = time_runs([&] { in.upload(input); }, policy);
    t.to_host = time_runs([&] { out.download(output); }, policy);
    return t;
}

std::vector<float> reference_output(const BenchShape &shape, const float *weights, const float *input, int threads) {
    const ConvTranspose2d layer(shape.params, shape.weights, weights, nullptr, Method::Reference);
    std::vector<float> output(static_cast<std::size_t>(shape.output.elements()));
    const int64_t in_image = shape.input.c * shape.input.h * shape.input.w;
    const int64_t out_image = shape.output.c * shape.output.h * shape.output.w;
    const Shape4 one_image{1, shape.input.c, shape.input.h, shape.input.w};

    // Images are independent, and run() may be called concurrently on different outputs.
    const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(threads, shape.input.n));
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(workers));
    std::vector<std::thread> pool;
    for (int64_t t = 0; t < workers; ++t) {
        pool.emplace_back([&, t] {
            try {
                for (int64_t n = t; n < shape.input.n; n += workers) {
                    layer.run(input + n * in_image, one_image, output.data() + n * out_image);
                }
            } catch (...) {
                failures[static_cast<std::size_t>(t)] = std::current_exception();
            }
        });
    }
    for (std::thread &thread : pool) thread.join();
    for (const std::exception_ptr &failure : failures) {
        if (failure) std::rethrow_exception(failure);
    }
    return output;
}

}  // namespace ksconv::cli
