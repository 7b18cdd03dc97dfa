// FSRCNN super-resolution models: the weights of the learned 2x/3x/4x network (Dong, Loy,
// Tang, ECCV 2016) read from ksconv's .ksm files (models/README.md has the format).
// Reading validates everything (structure, sizes, checksum, finite weights) and throws
// ksconv::Error with one line naming the file and the problem.
#pragma once

#include <string>
#include <vector>

namespace ksconv {

// FSRCNN(d, s, m) at `scale`, on one channel (luminance Y/255), layers in order:
//   0        feature extraction  conv 5x5, 1 -> d, padding 2, PReLU(d)
//   1        shrinking           conv 1x1, d -> s, PReLU(s)
//   2..m+1   mapping             conv 3x3, s -> s, padding 1, PReLU(s)
//   m+2      expanding           conv 1x1, s -> d, PReLU(d)
//   m+3      deconvolution       ConvTranspose2d 9x9, d -> 1, stride scale, padding 4,
//                                output_padding scale-1 (the output is scale x the input)
// Convolutions are stride 1 with zero padding, as PyTorch's Conv2d.
struct FsrcnnModel {
    enum class LayerKind { conv, deconv };

    struct Layer {
        LayerKind kind = LayerKind::conv;
        int out_channels = 0, in_channels = 0;
        int kernel_h = 0, kernel_w = 0;
        int stride = 1, padding = 0, output_padding = 0;
        // PyTorch's layouts: conv [out][in][kh][kw]; deconv (ConvTranspose2d) [in][out][kh][kw].
        std::vector<float> weights;
        std::vector<float> bias;   // [out]
        std::vector<float> prelu;  // [out] per-channel PReLU slopes after a conv; empty for the deconv
    };

    int scale = 0, d = 0, s = 0, m = 0;
    std::vector<Layer> layers;  // m + 4 of them
};

constexpr int kFsrcnnFormatVersion = 1;
constexpr int kFsrcnnMaxChannels = 1024;  // limit on d and s
constexpr int kFsrcnnMaxMapping = 64;     // limit on m

FsrcnnModel read_fsrcnn_model(const std::string &path);
// The same, and throws ksconv::Error when the model upscales by another factor than `scale`.
FsrcnnModel read_fsrcnn_model(const std::string &path, int scale);

// The model shipped with ksconv for this scale (2, 3 or 4): models/fsrcnn_x{scale}.ksm, looked
// for in <executable's folder>/../share/ksconv/models (an installed tree), then in the source
// tree's models/ this library was built from. Throws ksconv::Error naming both places when
// neither has it.
std::string bundled_model_path(int scale);
// The model file to upscale by `scale` with: `path`, or the bundled model when it is empty.
std::string fsrcnn_model_path(const std::string &path, int scale);

}  // namespace ksconv
