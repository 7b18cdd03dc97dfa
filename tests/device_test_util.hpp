// Running a test suite on every device: gtest value-parameterized on ksconv::Device.
//
// A GPU device that is absent makes its tests SKIP, with a message starting "[SKIP]" that
// CTest's SKIP_REGULAR_EXPRESSION turns into "Skipped", never a silent pass. Where a device
// must be there (CI runs OpenCL on PoCL), KSCONV_REQUIRE_OPENCL=1 / KSCONV_REQUIRE_CUDA=1
// make its absence a failure instead.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"

namespace ksconv::test {

inline bool device_required(Device device) {
    const char *name = device == Device::cuda ? "KSCONV_REQUIRE_CUDA" : "KSCONV_REQUIRE_OPENCL";
    const char *value = std::getenv(name);
    return value != nullptr && std::string(value) == "1";
}

class DeviceTest : public ::testing::TestWithParam<Device> {
protected:
    void SetUp() override {
        const std::string why = device_unavailable_reason(device());
        if (why.empty()) return;
        if (device_required(device())) FAIL() << device_name(device()) << " is required but unavailable: " << why;
        GTEST_SKIP() << "[SKIP] " << why;
    }

    Device device() const { return GetParam(); }

    // The methods with a kernel on this device: the float64 reference is cpu only.
    std::vector<Method> methods() const {
        if (device() == Device::cpu) return {Method::Segregated, Method::ZeroInsert, Method::Reference};
        return {Method::Segregated, Method::ZeroInsert};
    }
};

struct DeviceParamName {
    std::string operator()(const ::testing::TestParamInfo<Device> &info) const { return device_name(info.param); }
};

}  // namespace ksconv::test

namespace ksconv {
// gtest prints a test's parameter with this ("GetParam() = opencl").
inline void PrintTo(Device device, std::ostream *os) {
    *os << device_name(device);
}
}  // namespace ksconv

// Runs every TEST_P of `suite` on cpu, opencl and cuda.
#define KSCONV_ON_EVERY_DEVICE(suite)                                                                              \
    INSTANTIATE_TEST_SUITE_P(                                                                                      \
        Device, suite, ::testing::Values(::ksconv::Device::cpu, ::ksconv::Device::opencl, ::ksconv::Device::cuda), \
        ::ksconv::test::DeviceParamName())
