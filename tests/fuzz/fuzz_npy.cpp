// libFuzzer target: ksconv::read_npy on arbitrary bytes. Every input must either parse or
// throw ksconv::Error; anything else (a crash, a sanitizer report, a leak, a huge
// allocation) is a finding. A parsed tensor is written back and must read back the same.
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_file.hpp"
#include "ksconv/error.hpp"
#include "ksconv/npy.hpp"

// Small enough that a lying header cannot make an allocation the fuzzer counts as OOM.
constexpr int64_t kMaxElements = int64_t(1) << 20;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ksconv::fuzz::ScratchFile input("npy");
    static ksconv::fuzz::ScratchFile copy("npy");
    input.write(data, size);
    ksconv::Tensor tensor;
    try {
        tensor = ksconv::read_npy(input.path(), kMaxElements);
    } catch (const ksconv::Error &) {
        return 0;
    }
    ksconv::write_npy(copy.path(), tensor);
    const ksconv::Tensor again = ksconv::read_npy(copy.path(), kMaxElements);
    if (again.shape != tensor.shape || again.data.size() != tensor.data.size() ||
        (!tensor.data.empty() &&
         std::memcmp(again.data.data(), tensor.data.data(), tensor.data.size() * sizeof(float)) != 0)) {
        __builtin_trap();
    }
    return 0;
}
