// ksconv convt: reads the tensors, checks what the library cannot see (ranks, bias length,
// output over an input), runs one ConvTranspose2d layer and writes the result.

#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <utility>

#include "cli_args.hpp"
#include "commands.hpp"
#include "device_option.hpp"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/error.hpp"
#include "ksconv/files.hpp"
#include "ksconv/npy.hpp"
#include "ksconv/threads.hpp"

namespace ksconv::cli {

namespace {

const char kHelp[] =
    R"(Usage: ksconv convt --input X.npy --weight W.npy [--bias B.npy] --output Y.npy [options]

Runs one transposed convolution (PyTorch ConvTranspose2d / ONNX ConvTranspose semantics)
on float32 tensors stored as .npy files (NumPy format 1.0/2.0, little-endian float32,
C order; other dtypes or Fortran order are refused).

Files:
  --input X.npy    N x Cin x H x W (NCHW). A 3-D array Cin x H x W is taken as N = 1
                   and the output is then written 3-D too. For 1-D signals use H = 1
                   (and KH = 1).
  --weight W.npy   Cin x Cout/groups x KH x KW (PyTorch's ConvTranspose2d weight layout).
  --bias B.npy     Cout values (optional; no bias when left out).
  --output Y.npy   N x Cout x Hout x Wout. Written atomically (temporary file, then rename);
                   it may not be one of the input files.

Layer parameters (comma-separated integers, no spaces):
  --stride S|SH,SW              default 1
  --padding P|PH,PW|T,L,B,R     default 0; 2 numbers are (H, W) on both sides, 4 numbers
                                are top,left,bottom,right (the order of ONNX `pads`)
  --output-padding O|OH,OW      default 0; must be smaller than max(stride, dilation)
  --dilation D|DH,DW            default 1
  --groups G                    default 1; must divide Cin and Cout

Execution:
  --method M       segregated (default: kernel segregation), zero-insert (conventional),
                   or reference (plain float64 loops, slow; for checking)
  --device D       auto (default: the first available GPU, CUDA first, else cpu), cpu,
                   cuda, opencl. A GPU that is absent is an error, never a silent
                   fallback. The reference method runs on the cpu (auto picks it).
  --threads N      worker threads (default: one per core)
  --max-elements N largest element count accepted for each input and for the output
                   (default 268435456 = 2^28, 1 GiB of float32 per tensor); a larger file
                   is refused from its header, before anything is allocated
  --verbose        on success, print the device, shapes, variant and run time on stderr
  -h, --help       print this help

Semantics:
  out[n,co,oy,ox] = bias[co] + sum of in[n,ci,iy,ix] * w[ci, co mod (Cout/groups), ky, kx]
      over ci in co's group and all taps with oy = iy*SH - T + ky*DH, ox = ix*SW - L + kx*DW
  Hout = (H-1)*SH - T - B + DH*(KH-1) + OH + 1
  Wout = (W-1)*SW - L - R + DW*(KW-1) + OW + 1
  Values are IEEE floats: NaN and Inf in the data are not refused, they propagate.

Examples:
  # 2x upsampling as PyTorch ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1)
  ksconv convt --input x.npy --weight w.npy --bias b.npy --output y.npy \
      --stride 2 --padding 1
  # depthwise (weight 32 x 1 x 3 x 3), asymmetric ONNX pads, one extra output row/column
  ksconv convt --input x.npy --weight dw.npy --output y.npy --groups 32 --stride 2 \
      --padding 1,1,0,0 --output-padding 1
  # the first example through the float64 reference, to compare with y.npy
  ksconv convt --input x.npy --weight w.npy --bias b.npy --output ref.npy \
      --stride 2 --padding 1 --method reference

Exit status: 0 on success, 1 on a runtime failure (unreadable or malformed file, invalid
layer parameters, I/O error), 2 on a usage error. Errors are one line on stderr.
)";

const std::vector<OptionSpec> kOptions = {
    {"--input", true},   {"--weight", true},         {"--bias", true},     {"--output", true},       {"--stride", true},
    {"--padding", true}, {"--output-padding", true}, {"--dilation", true}, {"--groups", true},       {"--method", true},
    {"--device", true},  {"--threads", true},        {"--verbose", false}, {"--max-elements", true},
};

// 1 GiB of float32 per tensor: far above any single layer's needs, far below what a
// hostile header could otherwise make the tool allocate.
constexpr int64_t kDefaultMaxElements = int64_t(1) << 28;

struct ConvtOptions {
    std::string input, weight, bias, output;  // bias empty: no bias
    ConvTransposeParams params;
    Method method = Method::Segregated;
    std::string device = "auto";
    int threads = 0;  // 0: the library's default
    int64_t max_elements = kDefaultMaxElements;
    bool verbose = false;
};

ConvtOptions parse_options(const std::vector<std::string> &words) {
    const Args args(words, kOptions);
    if (!args.positional().empty()) {
        throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    }
    ConvtOptions o;
    o.input = args.require("--input");
    o.weight = args.require("--weight");
    o.output = args.require("--output");
    o.bias = args.get("--bias").value_or("");
    o.verbose = args.has("--verbose");

    ConvTransposeParams &p = o.params;
    if (auto v = args.get("--stride")) {
        const IntPair s = parse_pair("--stride", *v, 1);
        p.stride_h = s.h;
        p.stride_w = s.w;
    }
    if (auto v = args.get("--padding")) {
        const Pads pads = parse_padding("--padding", *v);
        p.pad_top = pads.top;
        p.pad_left = pads.left;
        p.pad_bottom = pads.bottom;
        p.pad_right = pads.right;
    }
    if (auto v = args.get("--output-padding")) {
        const IntPair op = parse_pair("--output-padding", *v, 0);
        p.output_padding_h = op.h;
        p.output_padding_w = op.w;
    }
    if (auto v = args.get("--dilation")) {
        const IntPair d = parse_pair("--dilation", *v, 1);
        p.dilation_h = d.h;
        p.dilation_w = d.w;
    }
    if (auto v = args.get("--groups")) p.groups = parse_int("--groups", *v, 1);
    if (auto v = args.get("--threads")) o.threads = parse_int("--threads", *v, 1);
    if (auto v = args.get("--max-elements")) o.max_elements = parse_int64("--max-elements", *v, 1);

    if (auto v = args.get("--method")) {
        try {
            o.method = parse_method(*v);
        } catch (const Error &e) {
            throw UsageError(std::string("--method: ") + e.what());
        }
    }
    if (auto v = args.get("--device")) o.device = parse_device(*v);
    return o;
}

// Compares the files themselves, so "./x.npy", "d/../x.npy", links and symlinks are caught.
void refuse_overwriting_inputs(const ConvtOptions &o) {
    const std::pair<const char *, const std::string *> inputs[] = {
        {"--input", &o.input}, {"--weight", &o.weight}, {"--bias", &o.bias}};
    for (const auto &[option, path] : inputs) {
        if (!path->empty() && same_file(o.output, *path)) {
            throw Error("--output " + o.output + " is the same file as " + option + " " + *path +
                        "; refusing to overwrite an input");
        }
    }
}

std::string shape_text(const std::vector<int64_t> &shape) {
    std::ostringstream text;
    text << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
    text << (shape.size() == 1 ? ",)" : ")");
    return text.str();
}

std::string shape_text(const Shape4 &s) {
    return shape_text(std::vector<int64_t>{s.n, s.c, s.h, s.w});
}

// Prefixes the option so the message says which file it is about, and names the option
// that raises a size limit.
Tensor read_tensor(const char *option, const std::string &path, int64_t max_elements) {
    try {
        return read_npy(path, max_elements);
    } catch (const LimitError &e) {
        throw Error(std::string(option) + ": " + e.what() + " (raise it with --max-elements)");
    } catch (const Error &e) {
        throw Error(std::string(option) + ": " + e.what());
    }
}

Shape4 input_shape_of(const Tensor &t, const std::string &path) {
    const std::vector<int64_t> &s = t.shape;
    if (s.size() == 4) return Shape4{s[0], s[1], s[2], s[3]};
    if (s.size() == 3) return Shape4{1, s[0], s[1], s[2]};
    throw Error("--input " + path + ": expected a 4-D NCHW or 3-D CHW array, got shape " + shape_text(s));
}

WeightShape weight_shape_of(const Tensor &t, const std::string &path) {
    const std::vector<int64_t> &s = t.shape;
    if (s.size() == 4) return WeightShape{s[0], s[1], s[2], s[3]};
    throw Error("--weight " + path + ": expected a 4-D array (Cin, Cout/groups, KH, KW), got shape " + shape_text(s));
}

// The layer takes a bare pointer for the bias, so its length is checked here.
void check_bias(const Tensor &bias, const std::string &path, int64_t cout) {
    if (bias.shape.size() != 1 || bias.shape[0] != cout) {
        throw Error("--bias " + path + ": expected a 1-D array of Cout = " + std::to_string(cout) +
                    " values, got shape " + shape_text(bias.shape));
    }
}

}  // namespace

int run_convt(const std::vector<std::string> &words) {
    if (wants_help(words)) {
        std::cout << kHelp;
        return 0;
    }
    const ConvtOptions o = parse_options(words);
    const Device device = o.method == Method::Reference && o.device == "auto" ? Device::cpu : choose_device(o.device);
    refuse_overwriting_inputs(o);
    if (o.threads > 0) set_num_threads(o.threads);

    const Tensor input = read_tensor("--input", o.input, o.max_elements);
    const Tensor weight = read_tensor("--weight", o.weight, o.max_elements);
    std::optional<Tensor> bias;
    if (!o.bias.empty()) bias = read_tensor("--bias", o.bias, o.max_elements);

    const Shape4 in_shape = input_shape_of(input, o.input);
    const WeightShape w_shape = weight_shape_of(weight, o.weight);
    const Shape4 out_shape = output_shape(o.params, w_shape, in_shape);  // validates it all
    if (bias) check_bias(*bias, o.bias, w_shape.cout_per_group * o.params.groups);
    // In double, so absurd extents cannot overflow the check itself.
    const double out_elements = double(out_shape.n) * double(out_shape.c) * double(out_shape.h) * double(out_shape.w);
    if (out_elements > double(o.max_elements)) {
        throw Error("output shape " + shape_text(out_shape) + " has more than the limit of " +
                    std::to_string(o.max_elements) + " elements (raise it with --max-elements)");
    }

    const ConvTranspose2d layer(o.params, w_shape, weight.data.data(), bias ? bias->data.data() : nullptr, o.method,
                                device);
    Tensor output;
    if (input.shape.size() == 3) {
        output.shape = {out_shape.c, out_shape.h, out_shape.w};
    } else {
        output.shape = {out_shape.n, out_shape.c, out_shape.h, out_shape.w};
    }
    output.data.resize(static_cast<std::size_t>(out_shape.elements()));

    // On a GPU this includes the copies to and from the device.
    const auto start = std::chrono::steady_clock::now();
    layer.run(input.data.data(), in_shape, output.data.data());
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;

    write_npy(o.output, output);

    // Printed only after success, so a failure stays a single line on stderr.
    if (o.verbose) {
        std::cerr << "ksconv: using device " << describe_device(device) << '\n'
                  << "ksconv: input " << shape_text(input.shape) << ", weight " << shape_text(weight.shape)
                  << " -> output " << shape_text(output.shape) << '\n'
                  << "ksconv: method " << method_name(layer.method()) << ", variant " << layer.variant_name() << ", "
                  << std::fixed << std::setprecision(3) << took.count() << " ms\n";
    }
    return 0;
}

}  // namespace ksconv::cli
