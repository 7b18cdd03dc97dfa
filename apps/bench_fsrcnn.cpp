#include "bench_fsrcnn.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "bench_report.hpp"
#include "fsrcnn_flops.hpp"
#include "ksconv/error.hpp"
#include "ksconv/fsrcnn.hpp"
#include "ksconv/model.hpp"
#include "ksconv/npy.hpp"
#include "ksconv/png.hpp"
#include "ksconv/version.hpp"
#include "ksconv/ycbcr.hpp"

namespace ksconv::cli {
namespace {

constexpr double kTolerance = 1e-5;  // relative L2 of each output against the segregated one
const char kPython[] = "/usr/bin/python3";

// The network's input: Y/255 of every pixel (gray: R = G = B), as the upscaler computes it.
std::vector<float> luminance(const Image &image) {
    const ImageFormat &f = image.format;
    const float max = f.bit_depth == 8 ? 255.0f : 65535.0f;
    std::vector<float> y(size_t(f.width * f.height));
    for (size_t i = 0; i < y.size(); i++) {
        float v[3] = {0, 0, 0};
        for (int c = 0; c < std::min(f.channels, 3); c++) {
            const size_t at = i * f.channels + c;
            v[c] =
                (f.bit_depth == 8 ? image.data[at] : reinterpret_cast<const uint16_t *>(image.data.data())[at]) / max;
        }
        y[i] = (f.channels >= 3 ? rgb_to_ycbcr({v[0], v[1], v[2]}).y : gray_to_y(v[0])) / 255.0f;
    }
    return y;
}

double relative_l2(const std::vector<float> &a, const std::vector<float> &b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); i++) {
        const double d = double(a[i]) - double(b[i]);
        num += d * d;
        den += double(b[i]) * double(b[i]);
    }
    return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

std::string fixed(double value, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << value;
    return s.str();
}

std::string shell_quote(const std::string &s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// A scratch folder for the files shared with the PyTorch script, removed afterwards.
class ScratchDir {
public:
    ScratchDir() {
        char pattern[] = "/tmp/ksconv-bench-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw Error("cannot create a scratch folder in /tmp");
        path_ = pattern;
    }
    ~ScratchDir() {
        for (const std::string &f : files_) ::unlink(f.c_str());
        ::rmdir(path_.c_str());
    }
    std::string file(const std::string &name) {
        files_.push_back(path_ + "/" + name);
        return files_.back();
    }

private:
    std::string path_;
    std::vector<std::string> files_;
};

struct TorchResult {
    Timing timing;
    std::string version;
    std::vector<float> output;
};

bool torch_available() {
    const std::string command = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

// Runs bench/fsrcnn_torch_bench.py: its output plane and its timing of the forward pass.
TorchResult run_torch(const std::string &model, const std::vector<float> &y, int64_t w, int64_t h, int threads,
                      const TimingPolicy &timing) {
    ScratchDir dir;
    const std::string in = dir.file("y.npy"), out = dir.file("out.npy");
    write_npy(in, Tensor{{h, w}, y});
    const std::string command = std::string(kPython) + " " + shell_quote(KSCONV_TORCH_BENCH_SCRIPT) + " --model " +
                                shell_quote(model) + " --input " + shell_quote(in) + " --output " + shell_quote(out) +
                                " --threads " + std::to_string(threads) + " --min-time " +
                                std::to_string(timing.target_s);
    FILE *pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw Error("cannot run " + std::string(KSCONV_TORCH_BENCH_SCRIPT));
    std::string text;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
    const int status = ::pclose(pipe);
    TorchResult r;
    std::istringstream line(text);
    if (status != 0 || !(line >> r.timing.median_ms >> r.timing.min_ms >> r.timing.reps >> r.version)) {
        throw Error("the PyTorch benchmark (" + std::string(KSCONV_TORCH_BENCH_SCRIPT) + ") failed: '" + text + "'");
    }
    r.output = read_npy(out).data;
    return r;
}

struct Row {
    std::string impl;
    Timing timing;
    double rel_l2 = 0;
};

}  // namespace

void run_fsrcnn_bench(const FsrcnnBenchOptions &o) {
    const Image image = read_png(o.image);
    const ImageFormat &f = image.format;
    const std::vector<float> y = luminance(image);
    const MachineInfo machine = describe_machine(o.threads, device_name(o.device));
    const bool torch = torch_available();
    std::ostream &out = std::cout;
    if (o.format == "csv") {
        out << "image,scale,impl,threads,median_ms,min_ms,gflops,rel_l2\n";
    } else {
        out << machine_line(machine) << "\n"
            << "ksconv " << version() << ", fsrcnn on the luminance of " << o.image << " (" << f.width << "x"
            << f.height << "); peer: "
            << (torch ? "PyTorch (ConvTranspose2d), same weights" : "none (/usr/bin/python3 cannot import torch)")
            << "\n"
            << "the network alone on the Y/255 plane (colour conversion and PNG coding not timed); GFLOP/s counts "
               "useful work; vs X = X median / segregated median\n\n"
            << std::left << std::setw(7) << "scale" << std::setw(22) << "segregated ms (min)" << std::setw(9)
            << "GFLOP/s" << std::setw(22) << "zero-insert ms (min)" << std::setw(16) << "vs zero-insert"
            << std::setw(22) << "pytorch ms (min)"
            << "vs pytorch\n"
            << std::flush;
    }
    for (int scale : o.scales) {
        const std::string path = fsrcnn_model_path(o.model, scale);
        const FsrcnnModel model = read_fsrcnn_model(path, scale);
        const FsrcnnUpscaler segregated(model, o.device, FsrcnnDeconvolution::segregated);
        const FsrcnnUpscaler zero_insert(model, o.device, FsrcnnDeconvolution::zero_insert);
        const size_t n = size_t(f.width * scale * f.height * scale);
        std::vector<float> ours(n), theirs(n);
        segregated.run_luma(y.data(), f.width, f.height, ours.data());
        zero_insert.run_luma(y.data(), f.width, f.height, theirs.data());
        std::vector<Row> rows{{"ksconv-segregated", {}, 0.0}, {"ksconv-zero-insert", {}, relative_l2(theirs, ours)}};
        std::optional<TorchResult> peer;
        if (torch) {
            peer = run_torch(path, y, f.width, f.height, o.threads, o.timing);
            if (peer->output.size() != n) throw Error("PyTorch's output has the wrong size");
            rows.push_back({"pytorch", peer->timing, relative_l2(peer->output, ours)});
        }
        for (const Row &row : rows) {
            if (!(row.rel_l2 < kTolerance)) {
                throw Error("fsrcnn x" + std::to_string(scale) + ": " + row.impl +
                            " disagrees with the segregated network: relative L2 " + std::to_string(row.rel_l2) +
                            " (must be below 1e-5)");
            }
            if (o.verbose) {
                std::cerr << "ksconv: bench: fsrcnn x" << scale << ": " << row.impl << " agrees, relative L2 "
                          << row.rel_l2 << '\n';
            }
        }
        const std::vector<Timing> both = time_runs_interleaved(
            {[&] { segregated.run_luma(y.data(), f.width, f.height, ours.data()); },
             [&] { zero_insert.run_luma(y.data(), f.width, f.height, theirs.data()); }},
            o.timing);
        rows[0].timing = both[0];
        rows[1].timing = both[1];
        const double gflop = fsrcnn_useful_flops(model, f.width, f.height) / 1e9;
        if (o.format == "csv") {
            for (const Row &row : rows) {
                out << o.image << ',' << scale << ',' << row.impl << ',' << o.threads << ','
                    << fixed(row.timing.median_ms, 3) << ',' << fixed(row.timing.min_ms, 3) << ','
                    << fixed(gflop / (row.timing.median_ms * 1e-3), 2) << ',' << row.rel_l2 << '\n';
            }
        } else {
            auto cell = [&](const Timing &t) { return fixed(t.median_ms, 1) + " (" + fixed(t.min_ms, 1) + ")"; };
            const double base = rows[0].timing.median_ms;
            out << std::setw(7) << scale << std::setw(22) << cell(rows[0].timing) << std::setw(9)
                << fixed(gflop / (base * 1e-3), 1) << std::setw(22) << cell(rows[1].timing) << std::setw(16)
                << fixed(rows[1].timing.median_ms / base, 2) + "x";
            if (peer) {
                out << std::setw(22) << cell(peer->timing) << fixed(peer->timing.median_ms / base, 2) << "x";
            } else {
                out << std::setw(22) << "-"
                    << "-";
            }
            out << '\n';
        }
        out << std::flush;
    }
    if (o.format != "csv" && torch) out << "\nPyTorch's forward pass timed by bench/fsrcnn_torch_bench.py\n";
}

}  // namespace ksconv::cli
