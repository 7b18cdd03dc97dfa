// ksconv_fsrcnn_reference MODEL.ksm INPUT.npy OUTPUT.npy: reads a model with the library's
// reader and runs the float64 reference on an H x W float32 .npy (Y/255), writing the
// (H*scale) x (W*scale) result as float32. For tests/e2e/test_fsrcnn_converter.py, which
// compares it with PyTorch. Errors: one line on stderr, exit status 1.
#include <cstdio>
#include <exception>
#include <vector>

#include "fsrcnn_reference.hpp"
#include "ksconv/model.hpp"
#include "ksconv/npy.hpp"

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL.ksm INPUT.npy OUTPUT.npy\n", argv[0]);
        return 2;
    }
    try {
        const ksconv::FsrcnnModel model = ksconv::read_fsrcnn_model(argv[1]);
        const ksconv::Tensor input = ksconv::read_npy(argv[2]);
        if (input.shape.size() != 2) {
            std::fprintf(stderr, "ksconv_fsrcnn_reference: error: %s: expected an H x W array\n", argv[2]);
            return 1;
        }
        const int h = int(input.shape[0]), w = int(input.shape[1]);
        const std::vector<double> out = ksconv::test::fsrcnn_reference(model, input.data.data(), h, w);
        ksconv::Tensor output;
        output.shape = {int64_t(h) * model.scale, int64_t(w) * model.scale};
        output.data.assign(out.begin(), out.end());
        ksconv::write_npy(argv[3], output);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ksconv_fsrcnn_reference: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
