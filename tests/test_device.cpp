// Device choice and device-resident tensors: absent devices are errors with a reason,
// auto never picks an OpenCL CPU device, and a layer on a device gives the same result
// through device tensors as through host arrays (its weights stay on the device).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "device_test_util.hpp"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"
#include "ksconv/device_tensor.hpp"
#include "ksconv/error.hpp"
#include "reference_scatter.hpp"
#include "test_params.hpp"

namespace ksconv::test {
namespace {

std::vector<float> random_floats(int64_t count, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(count));
    for (float &x : v) x = dist(rng);
    return v;
}

double max_relative_error(const std::vector<float> &got, const std::vector<double> &want) {
    double worst = 0, scale = 1e-30;
    for (double w : want) scale = std::max(scale, std::abs(w));
    for (size_t i = 0; i < want.size(); i++) worst = std::max(worst, std::abs(got[i] - want[i]) / scale);
    return worst;
}

std::string error_of(const std::string &request) {
    try {
        select_device(request);
    } catch (const Error &e) {
        return e.what();
    }
    return "";
}

TEST(DeviceChoice, NamesAndUnknownRequests) {
    EXPECT_STREQ(device_name(Device::cpu), "cpu");
    EXPECT_STREQ(device_name(Device::cuda), "cuda");
    EXPECT_STREQ(device_name(Device::opencl), "opencl");
    EXPECT_EQ(select_device("cpu"), Device::cpu);
    EXPECT_EQ(device_unavailable_reason(Device::cpu), "");
    EXPECT_EQ(describe_device(Device::cpu), "cpu");
    EXPECT_EQ(error_of("vulkan"), "device 'vulkan' is not one of auto, cpu, cuda, opencl");
    EXPECT_NO_THROW(synchronize(Device::cpu));
}

// An absent GPU is refused with its reason, never replaced by the CPU.
TEST(DeviceChoice, AbsentDevicesAreErrorsWithTheReason) {
    for (Device device : {Device::cuda, Device::opencl}) {
        const std::string why = device_unavailable_reason(device);
        if (why.empty()) {
            EXPECT_EQ(select_device(device_name(device)), device);
            EXPECT_EQ(describe_device(device).rfind(std::string(device_name(device)) + ": ", 0), 0u);
            continue;
        }
        EXPECT_EQ(error_of(device_name(device)), why);
        const std::string api = device == Device::cuda ? "CUDA" : "OpenCL";
        const bool named = why.rfind("no " + api + " driver found", 0) == 0 ||
                           why.rfind("no " + api + " device found", 0) == 0 ||
                           why.rfind("ksconv was built without", 0) == 0;
        EXPECT_TRUE(named) << why;
        EXPECT_THROW(ConvTranspose2d(symmetric(2, 0), {1, 1, 2, 2}, std::vector<float>(4, 1.0f).data(), nullptr,
                                     Method::Segregated, device),
                     Error);
        EXPECT_THROW(DeviceTensor(device, {1, 1, 2, 2}), Error);
    }
}

// auto: CUDA when usable; OpenCL only for a device of GPU type (PoCL's CPU device would be
// slower than the CPU kernels); else the CPU.
TEST(DeviceChoice, AutoPrefersAUsableGpu) {
    const Device chosen = select_device("auto");
    if (device_unavailable_reason(Device::cuda).empty()) {
        EXPECT_EQ(chosen, Device::cuda);
    } else if (chosen == Device::opencl) {
        EXPECT_EQ(device_unavailable_reason(Device::opencl), "");
    } else {
        EXPECT_EQ(chosen, Device::cpu);
    }
}

TEST(DeviceChoice, ReferenceMethodIsCpuOnly) {
    const std::vector<float> w(4, 1.0f);
    try {
        ConvTranspose2d(symmetric(2, 0), {1, 1, 2, 2}, w.data(), nullptr, Method::Reference, Device::opencl);
        FAIL() << "reference accepted on opencl";
    } catch (const Error &e) {
        EXPECT_STREQ(e.what(), "method reference runs on the cpu only, not on opencl");
    }
}

class DeviceTensors : public DeviceTest {};
KSCONV_ON_EVERY_DEVICE(DeviceTensors);

TEST_P(DeviceTensors, UploadDownloadRoundTrip) {
    const Shape4 shape{2, 3, 5, 7};
    const std::vector<float> values = random_floats(shape.elements(), 11);
    DeviceTensor t(device(), shape);
    EXPECT_EQ(t.device(), device());
    EXPECT_EQ(t.shape(), shape);
    t.upload(values.data());
    std::vector<float> back(values.size(), -7.0f);
    t.download(back.data());
    EXPECT_EQ(back, values);
    EXPECT_THROW(t.upload(nullptr), Error);
    EXPECT_THROW(DeviceTensor(device(), {1, 0, 2, 2}), Error);
}

// Several layers of different methods, each run twice through device tensors and once
// through host arrays: all agree with the reference and the weights were uploaded once.
// Two groups of 3 inputs and 4 outputs, and of 8 and 8 (which the CPU runs per group, on
// channel slices of the tensors).
TEST_P(DeviceTensors, LayerOnDeviceTensorsMatchesHostRun) {
    for (const WeightShape ws : {WeightShape{6, 4, 4, 4}, WeightShape{16, 8, 4, 4}}) {
        SCOPED_TRACE("Cout/groups " + std::to_string(ws.cout_per_group));
        const ConvTransposeParams p = symmetric(2, 1, 1, 1, 2);
        const Shape4 in{2, ws.cin, 9, 7};
        const std::vector<float> w = random_floats(ws.elements(), 1), b = random_floats(2 * ws.cout_per_group, 2);
        const std::vector<float> x = random_floats(in.elements(), 3);
        const std::vector<double> want = reference_scatter(p, ws, w.data(), b.data(), x.data(), in);
        for (Method method : {Method::Segregated, Method::ZeroInsert}) {
            const ConvTranspose2d layer(p, ws, w.data(), b.data(), method, device());
            EXPECT_EQ(layer.device(), device());
            const bool per_group = device() == Device::cpu && ws.cout_per_group == 8;
            EXPECT_EQ(layer.variant_name().find("_per_group") != std::string::npos, per_group) << layer.variant_name();
            const Shape4 out = layer.output_shape(in);
            DeviceTensor din(device(), in), dout(device(), out);
            din.upload(x.data());
            for (int repeat = 0; repeat < 2; repeat++) {
                layer.run(din, dout);
                synchronize(device());
                std::vector<float> got(size_t(out.elements()), NAN);
                dout.download(got.data());
                EXPECT_LT(max_relative_error(got, want), 1e-5) << method_name(method) << " run " << repeat;
            }
            std::vector<float> host(size_t(out.elements()), NAN);
            layer.run(x.data(), in, host.data());
            EXPECT_LT(max_relative_error(host, want), 1e-5) << method_name(method) << " on host arrays";

            DeviceTensor wrong(device(), {2, out.c, out.h + 1, out.w});
            EXPECT_THROW(layer.run(din, wrong), Error);
        }
    }
}

// Strides 1 to 4 have compiled kernels. On a GPU they take ungrouped layers whose block
// tiles fit in shared memory; grouped layers and very wide dilated kernels go to the
// run-time-stride kernel. Each choice is checked against the reference too.
TEST_P(DeviceTensors, CompiledStrideKernelsServeTheLayersTheyFit) {
    struct Case {
        ConvTransposeParams p;
        WeightShape ws;
        bool compiled_on_gpu;
    };
    const std::vector<Case> cases{
        {symmetric(2, 1), {9, 5, 4, 4}, true},
        {symmetric(3, 1, 2, 2), {4, 3, 5, 5}, true},
        {symmetric(2, 1, 0, 1, 3), {6, 2, 3, 3}, false},  // groups
        {symmetric(2, 0, 0, 60), {3, 2, 3, 3}, false},    // taps 120 pixels apart
    };
    for (const Case &c : cases) {
        const Shape4 in{2, c.ws.cin, 5, 6};
        const std::vector<float> w = random_floats(c.ws.elements(), 4), x = random_floats(in.elements(), 5);
        const std::vector<float> b = random_floats(c.ws.cout_per_group * c.p.groups, 6);
        const ConvTranspose2d layer(c.p, c.ws, w.data(), b.data(), Method::Segregated, device());
        const std::string compiled = "segregated_s" + std::to_string(c.p.stride_h) + "x" + std::to_string(c.p.stride_w);
        const bool expect_compiled = device() == Device::cpu || c.compiled_on_gpu;
        std::string want_name = expect_compiled ? compiled : "segregated_runtime_stride";
        if (device() != Device::cpu) want_name += "_" + std::string(device_name(device()));
        EXPECT_EQ(layer.variant_name(), want_name);
        const Shape4 out = layer.output_shape(in);
        std::vector<float> got(size_t(out.elements()), NAN);
        layer.run(x.data(), in, got.data());
        EXPECT_LT(max_relative_error(got, reference_scatter(c.p, c.ws, w.data(), b.data(), x.data(), in)), 1e-5)
            << want_name;
    }
}

TEST_P(DeviceTensors, TensorsOfAnotherDeviceAreRefused) {
    if (device() == Device::cpu) GTEST_SKIP() << "[SKIP] needs a GPU device to mix with the cpu";
    const std::vector<float> w(4, 1.0f);
    const ConvTranspose2d layer(symmetric(2, 0), {1, 1, 2, 2}, w.data(), nullptr, Method::Segregated, device());
    DeviceTensor in(Device::cpu, {1, 1, 3, 3}), out(device(), layer.output_shape({1, 1, 3, 3}));
    try {
        layer.run(in, out);
        FAIL() << "cpu tensor accepted by a " << device_name(device()) << " layer";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("given to a layer on"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ksconv::test
