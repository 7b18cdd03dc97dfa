#include "ksconv/upscale.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>
#include <vector>

#include "image_calls.hpp"
#include "ksconv/error.hpp"
#include "ksconv/files.hpp"
#include "ksconv/fsrcnn.hpp"
#include "ksconv/model.hpp"

namespace ksconv {
namespace {

struct MethodInfo {
    UpscaleMethod method;
    const char *name;
    int reach;  // source rows beyond a strip its taps read (the kernel's radius)
};

const MethodInfo kMethods[] = {
    {UpscaleMethod::nearest, "nearest", 0},
    {UpscaleMethod::bilinear, "bilinear", 1},
    {UpscaleMethod::bicubic, "bicubic", 2},
    {UpscaleMethod::lanczos3, "lanczos3", 3},
    {UpscaleMethod::lanczos4, "lanczos4", 4},
    {UpscaleMethod::fsrcnn, "fsrcnn", 8},  // the receptive field of FSRCNN(56, 12, 4), the compiled network
};

const MethodInfo &info(UpscaleMethod method) {
    for (const MethodInfo &m : kMethods) {
        if (m.method == method) return m;
    }
    throw Error("unknown upscale method " + std::to_string(int(method)));
}

// Output samples per kernel call stay well inside Halide's int32 indexing.
constexpr int64_t kMaxStripSamples = int64_t(1) << 30;

// Source rows per strip: about 16 MiB of output, at least 64 rows (four parallel tasks of
// the kernels) and never more samples than one kernel call may index.
int64_t strip_rows(const Upscaler &up) {
    const ImageFormat &out = up.output_format();
    const int64_t bytes_per_source_row = out.row_bytes() * up.scale();
    const int64_t samples_per_source_row = out.width * out.channels * up.scale();
    int64_t rows = std::max<int64_t>(64, (int64_t(16) << 20) / bytes_per_source_row);
    rows = std::min(rows, std::max<int64_t>(1, kMaxStripSamples / samples_per_source_row));
    return std::min(rows, up.source_format().height);
}

}  // namespace

UpscaleMethod parse_upscale_method(const std::string &name) {
    for (const MethodInfo &m : kMethods) {
        if (name == m.name) return m.method;
    }
    throw Error("unknown upscale method '" + name +
                "' (expected nearest, bilinear, bicubic, lanczos3, lanczos4 or fsrcnn)");
}

const char *upscale_method_name(UpscaleMethod method) {
    return info(method).name;
}

int upscale_reach(UpscaleMethod method) {
    return info(method).reach;
}

Upscaler::Upscaler(UpscaleMethod method, int scale, const ImageFormat &source, Device device)
    : method_(method), scale_(scale), source_(source), output_(source), device_(device) {
    info(method);  // rejects values outside the enum
    if (method == UpscaleMethod::fsrcnn) {
        throw Error("fsrcnn is a learned network, not an interpolation kernel: use FsrcnnUpscaler (ksconv/fsrcnn.hpp)");
    }
    if (scale < 2 || scale > 4) throw Error("scale " + std::to_string(scale) + " must be 2, 3 or 4");
    if (source.channels < 1 || source.channels > 4) {
        throw Error("images must have 1 to 4 channels, not " + std::to_string(source.channels));
    }
    if (source.bit_depth != 8 && source.bit_depth != 16) {
        throw Error("images must have 8 or 16 bits per sample, not " + std::to_string(source.bit_depth));
    }
    if (source.width < 1 || source.height < 1) {
        throw Error("image size " + std::to_string(source.width) + "x" + std::to_string(source.height) + " is empty");
    }
    // Halide strides are int32: one output row, and each source row index, must fit.
    if (source.width > INT_MAX / (scale * source.channels) || source.height > INT_MAX / scale) {
        throw Error("image " + std::to_string(source.width) + "x" + std::to_string(source.height) +
                    " is too large to upscale by " + std::to_string(scale));
    }
    output_.width = source.width * scale;
    output_.height = source.height * scale;
    const std::string why = device_unavailable_reason(device);
    if (!why.empty()) throw Error(why);
}

void Upscaler::run_strip(const void *rows, int64_t rows_first, int64_t rows_count, int64_t first, int64_t count,
                         void *output) const {
    const int reach = upscale_reach(method_);
    const int64_t need_first = std::max<int64_t>(0, first - reach);
    const int64_t need_last = std::min(source_.height - 1, first + count - 1 + reach);
    if (first < 0 || count < 1 || first + count > source_.height) {
        throw Error("strip of source rows " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                    " is outside the image's " + std::to_string(source_.height) + " rows");
    }
    if (rows_first > need_first || rows_first + rows_count - 1 < need_last) {
        throw Error("strip of source rows " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                    " needs rows " + std::to_string(need_first) + ".." + std::to_string(need_last));
    }
    detail::run_upscale_kernel(device_, method_, scale_, source_, rows, rows_first, rows_count, first, count, output);
}

void Upscaler::run(const void *source, void *output) const {
    const int64_t strip = strip_rows(*this);
    const auto *in = static_cast<const uint8_t *>(source);
    auto *out = static_cast<uint8_t *>(output);
    const int reach = upscale_reach(method_);
    for (int64_t first = 0; first < source_.height; first += strip) {
        const int64_t count = std::min(strip, source_.height - first);
        const int64_t rows_first = std::max<int64_t>(0, first - reach);
        const int64_t rows_end = std::min(source_.height, first + count + reach);
        run_strip(in + rows_first * source_.row_bytes(), rows_first, rows_end - rows_first, first, count,
                  out + first * scale_ * output_.row_bytes());
    }
}

void upscale_png_file(const std::string &in, const std::string &out, const UpscaleFileOptions &options) {
    if (options.method != UpscaleMethod::fsrcnn) {
        upscale_png_file(in, out, options, nullptr);
        return;
    }
    const FsrcnnModel model = read_fsrcnn_model(fsrcnn_model_path(options.model, options.scale), options.scale);
    const FsrcnnUpscaler network(model, options.device);
    upscale_png_file(in, out, options, &network);
}

void upscale_png_file(const std::string &in, const std::string &out, const UpscaleFileOptions &options,
                      const FsrcnnUpscaler *fsrcnn) {
    const bool learned = options.method == UpscaleMethod::fsrcnn;
    if (learned && (fsrcnn == nullptr || fsrcnn->scale() != options.scale)) {
        throw Error("fsrcnn upscaling by " + std::to_string(options.scale) + " needs the network of that scale");
    }
    if (same_file(in, out)) throw Error(out + " is the input file; refusing to overwrite it");
    PngReader reader(in, options.max_output_pixels);
    const ImageFormat &source = reader.format();
    const int64_t s = options.scale;
    if (source.width * s > options.max_output_pixels / (source.height * s)) {
        throw LimitError(in + ": upscaled by " + std::to_string(s) + " it would have " +
                         std::to_string(source.width * s) + "x" + std::to_string(source.height * s) +
                         " pixels, more than the limit " + std::to_string(options.max_output_pixels));
    }
    // Either kernel takes a window of source rows and writes the output rows of a strip.
    std::optional<Upscaler> classic;
    ImageFormat output;
    int64_t strip = 0, reach = 0;
    if (learned) {
        output = fsrcnn->output_format(source);
        strip = fsrcnn->strip_rows(source);
        reach = fsrcnn->reach();
    } else {
        classic.emplace(options.method, options.scale, source, options.device);
        output = classic->output_format();
        strip = strip_rows(*classic);
        reach = upscale_reach(options.method);
    }
    auto run_strip = [&](const void *rows, int64_t rows_first, int64_t rows_count, int64_t first, int64_t count,
                         void *result) {
        if (learned) {
            fsrcnn->run_strip(source, rows, rows_first, rows_count, first, count, result);
        } else {
            classic->run_strip(rows, rows_first, rows_count, first, count, result);
        }
    };
    const int64_t row_bytes = source.row_bytes();
    // A sliding window of source rows: each strip keeps the `reach` rows above it.
    std::vector<uint8_t> window(size_t((strip + 2 * reach) * row_bytes));
    std::vector<uint8_t> strip_out(size_t(strip * s * output.row_bytes()));
    int64_t window_first = 0, window_count = 0;
    PngWriter writer(out, output);
    for (int64_t first = 0; first < source.height; first += strip) {
        const int64_t count = std::min(strip, source.height - first);
        const int64_t keep_from = std::max<int64_t>(0, first - reach);
        const int64_t read_to = std::min(source.height, first + count + reach);  // exclusive
        if (keep_from > window_first) {
            const int64_t drop = std::min(keep_from - window_first, window_count);
            std::memmove(window.data(), window.data() + drop * row_bytes, size_t((window_count - drop) * row_bytes));
            window_first += drop;
            window_count -= drop;
        }
        const int64_t missing = read_to - (window_first + window_count);
        if (missing > 0) {
            reader.read_rows(window.data() + window_count * row_bytes, missing);
            window_count += missing;
        }
        run_strip(window.data(), window_first, window_count, first, count, strip_out.data());
        writer.write_rows(strip_out.data(), count * s);
        if (options.progress) options.progress(double(first + count) / double(source.height));
    }
    writer.commit();
}

}  // namespace ksconv
