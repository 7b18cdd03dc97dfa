// ksconv upscale: one PNG, or every PNG of a folder, upscaled by 2, 3 or 4 with a classic
// kernel. The library streams each image in strips; this file handles arguments, folders,
// progress and per-file error reports.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "device_option.hpp"
#include "ksconv/error.hpp"
#include "ksconv/files.hpp"
#include "ksconv/fsrcnn.hpp"
#include "ksconv/model.hpp"
#include "ksconv/threads.hpp"
#include "ksconv/upscale.hpp"
#include "progress_bar.hpp"

namespace ksconv::cli {

namespace {

const char kHelp[] =
    R"(Usage: ksconv upscale IN.png OUT.png --scale 2|3|4 [options]
       ksconv upscale IN_DIR OUT_DIR --scale 2|3|4 [options]

Upscales a PNG image by an integer factor. Each interpolation kernel runs as a
kernel-segregated (polyphase) transposed convolution directly on the 8- or 16-bit samples:
no zero-inserted image, no float copy of the image. --method fsrcnn runs the learned FSRCNN
super-resolution network instead (see below). With two folders, every *.png in IN_DIR is
upscaled into OUT_DIR (created if missing) under the same name; unreadable files are
reported and skipped, and the exit status is 1 if any failed.

Options:
  --scale S        2, 3 or 4 (required)
  --method M       nearest, bilinear, bicubic (default), lanczos3, lanczos4 or fsrcnn
  --model FILE     with --method fsrcnn: the network's weights (.ksm, models/README.md);
                   default: the model bundled with ksconv for the scale
  --device D       auto (default: the first available GPU, CUDA first, else cpu), cpu,
                   cuda, opencl. A GPU that is absent is an error, never a silent
                   fallback; --verbose says which device ran.
  --threads N      worker threads (default: one per core)
  --max-pixels N   refuse images whose output would have more than N pixels
                   (default 268435456 = 2^28)
  --quiet          no progress bar (it only appears on a terminal, for long jobs)
  --verbose        print the method, sizes and time of each image on stderr
  -h, --help       print this help

Semantics (as OpenCV's cv::resize at integer factors, within 1 of each 8-bit value):
  output pixel x samples the source at (x + 0.5) / S - 0.5 (half-pixel centres); sources
  outside the image repeat its edge; results are rounded to nearest and saturated.
  nearest = INTER_NEAREST, bilinear = INTER_LINEAR, bicubic = INTER_CUBIC (Keys, a = -0.75),
  lanczos4 = INTER_LANCZOS4 (8 taps); lanczos3 has 6 taps. Weights are normalized to sum 1.
  Every channel, alpha included, uses the same kernel. The output keeps the input's channels
  and bit depth (palette and 1/2/4-bit gray images come out as 8-bit RGB(A) / gray; a tRNS
  transparency chunk becomes an alpha channel). Large images stream through in strips of
  rows, so memory grows with the width, not the area. Outputs are written atomically and
  never over an input.

fsrcnn (Dong, Loy, Tang, ECCV 2016): the image goes to BT.601 studio-range YCbCr as
  MATLAB's rgb2ycbcr computes it (Y = 16 + 65.481 R + 128.553 G + 24.966 B for R, G, B in
  [0, 1]; gray images are R = G = B, so Y = 16 + 219 gray); Y/255 goes through the network,
  whose last layer, a 9x9 transposed convolution with stride S, runs kernel-segregated; Cb,
  Cr and alpha are upscaled bicubic; the result goes back to the input's channels and bit
  depth (16-bit samples are converted at full precision), rounded and saturated. Every
  layer zero-pads at the image border, as PyTorch's Conv2d. Large images run in tiles that
  overlap by the network's receptive field, so they join seamlessly. A model file that is
  missing, truncated, corrupt or for another scale is an error and nothing is written.
)";

const std::vector<OptionSpec> kOptions = {
    {"--scale", true},      {"--method", true}, {"--device", true},   {"--threads", true},
    {"--max-pixels", true}, {"--quiet", false}, {"--verbose", false}, {"--model", true},
};

struct UpscaleOptions {
    std::string in, out;
    UpscaleFileOptions file;
    int threads = 0;
    bool quiet = false, verbose = false;
    std::string device = "auto";
};

UpscaleOptions parse_options(const std::vector<std::string> &words) {
    Args args(words, kOptions);
    if (args.positional().size() != 2) {
        throw UsageError("expected an input and an output (files or folders), got " +
                         std::to_string(args.positional().size()) + " names");
    }
    UpscaleOptions o;
    o.in = args.positional()[0];
    o.out = args.positional()[1];
    const int scale = parse_int("--scale", args.require("--scale"), 1);
    if (scale < 2 || scale > 4) throw UsageError("--scale must be 2, 3 or 4, got " + std::to_string(scale));
    o.file.scale = scale;
    if (auto v = args.get("--method")) {
        try {
            o.file.method = parse_upscale_method(*v);
        } catch (const Error &e) {
            throw UsageError(std::string("--method: ") + e.what());
        }
    }
    if (auto v = args.get("--model")) {
        if (o.file.method != UpscaleMethod::fsrcnn) throw UsageError("--model is for --method fsrcnn");
        o.file.model = *v;
    }
    if (auto v = args.get("--threads")) o.threads = parse_int("--threads", *v, 1);
    if (auto v = args.get("--max-pixels")) o.file.max_output_pixels = parse_int64("--max-pixels", *v, 1);
    if (auto v = args.get("--device")) o.device = parse_device(*v);
    o.quiet = args.has("--quiet");
    o.verbose = args.has("--verbose");
    return o;
}

bool is_directory(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool has_png_suffix(const std::string &name) {
    if (name.size() < 5) return false;
    std::string suffix = name.substr(name.size() - 4);
    std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) { return std::tolower(c); });
    return suffix == ".png";
}

// The *.png entries of a folder, sorted so batch output order is stable.
std::vector<std::string> png_names(const std::string &dir) {
    DIR *d = ::opendir(dir.c_str());
    if (!d) throw Error(dir + ": cannot read folder: " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent *entry = ::readdir(d)) {
        std::string name = entry->d_name;
        if (has_png_suffix(name) && !is_directory(dir + "/" + name)) names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

// The FSRCNN network of --model (or the bundled model), built once for every image.
std::unique_ptr<FsrcnnUpscaler> load_network(const UpscaleOptions &o) {
    if (o.file.method != UpscaleMethod::fsrcnn) return nullptr;
    const std::string path = fsrcnn_model_path(o.file.model, o.file.scale);
    const FsrcnnModel model = read_fsrcnn_model(path, o.file.scale);
    if (o.verbose) std::cerr << "ksconv: FSRCNN model " << path << '\n';
    return std::make_unique<FsrcnnUpscaler>(model, o.file.device);
}

void upscale_one(const std::string &in, const std::string &out, UpscaleFileOptions file, const UpscaleOptions &o,
                 const FsrcnnUpscaler *network, ProgressBar *bar, const std::string &label) {
    const auto start = std::chrono::steady_clock::now();
    if (bar) file.progress = [&](double fraction) { bar->update(fraction, label); };
    try {
        upscale_png_file(in, out, file, network);
    } catch (const LimitError &e) {
        throw Error(std::string(e.what()) + " (raise it with --max-pixels)");
    }
    if (o.verbose) {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (bar) bar->clear();
        std::cerr << "ksconv: " << in << " -> " << out << " (" << upscale_method_name(file.method) << " x" << file.scale
                  << ", " << device_name(file.device) << ") in " << took.count() << " s\n";
    }
}

int run_batch(const UpscaleOptions &o, const FsrcnnUpscaler *network) {
    if (!is_directory(o.out)) {
        if (::mkdir(o.out.c_str(), 0777) != 0) throw Error(o.out + ": cannot create folder: " + std::strerror(errno));
    }
    if (same_file(o.in, o.out)) {
        throw Error(o.out + " is the input folder; refusing to overwrite its images");
    }
    const std::vector<std::string> names = png_names(o.in);
    if (names.empty()) throw Error(o.in + ": no .png files in this folder");
    ProgressBar bar(!o.quiet);
    int failed = 0;
    for (size_t i = 0; i < names.size(); i++) {
        bar.update(double(i) / double(names.size()), names[i]);
        try {
            UpscaleFileOptions file = o.file;
            upscale_one(o.in + "/" + names[i], o.out + "/" + names[i], file, o, network, nullptr, names[i]);
        } catch (const std::exception &e) {
            bar.clear();
            const std::string path = o.in + "/" + names[i], message = e.what();
            // Reader errors already start with the file's name.
            std::cerr << "ksconv: error: " << (message.rfind(path, 0) == 0 ? "" : path + ": ") << message
                      << " (skipped)\n";
            failed++;
        }
    }
    bar.clear();
    if (failed > 0) {
        throw Error(std::to_string(failed) + " of " + std::to_string(names.size()) + " images failed");
    }
    return 0;
}

}  // namespace

int run_upscale(const std::vector<std::string> &words) {
    if (wants_help(words)) {
        std::cout << kHelp;
        return 0;
    }
    UpscaleOptions o = parse_options(words);
    o.file.device = choose_device(o.device);
    if (o.verbose) std::cerr << "ksconv: using device " << describe_device(o.file.device) << '\n';
    if (o.threads > 0) set_num_threads(o.threads);
    const std::unique_ptr<FsrcnnUpscaler> network = load_network(o);
    if (is_directory(o.in)) return run_batch(o, network.get());
    if (is_directory(o.out)) throw Error(o.out + " is a folder; give an output file name for one image");
    ProgressBar bar(!o.quiet);
    upscale_one(o.in, o.out, o.file, o, network.get(), &bar, o.in);
    return 0;
}

}  // namespace ksconv::cli
