// A dense float32 tensor in C order, as read from and written to .npy files.
#pragma once

#include <cstdint>
#include <vector>

namespace ksconv {

struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t element_count() const {
        int64_t count = 1;
        for (int64_t extent : shape) count *= extent;
        return count;
    }
};

}  // namespace ksconv
