// ksconv bench: for every shape of a CSV list, checks each method against the float64
// reference and then times it, printing a table or CSV.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "bench_data.hpp"
#include "bench_fsrcnn.hpp"
#include "bench_report.hpp"
#include "bench_runner.hpp"
#include "bench_timer.hpp"
#include "bench_upscale.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "device_option.hpp"
#include "ksconv/error.hpp"
#include "ksconv/threads.hpp"
#include "ksconv/version.hpp"
#include "onednn_peer.hpp"
#include "shapes_csv.hpp"

namespace ksconv::cli {

namespace {

const char kHelpTop[] =
    R"(Usage: ksconv bench --shapes FILE.csv [options]
       ksconv bench --upscale IMAGE.png [--scale LIST] [--method LIST] [options]

Times ksconv's transposed convolution, and its peers, on a list of layer shapes. For each
shape it makes random data (uniform in (-1, 1), never zero, seeded from the shape name;
no bias), checks every method against the float64 reference (relative L2 error < 1e-4)
before timing anything, and then times each method: warm-up (at least 2 runs and 0.1 s),
then max(10, enough runs to cover 0.5 s) repetitions (at most 2000, and a cell stays within
about 2.5 s), each timed on its own with a steady clock. The methods of a shape are timed
side by side: their repetitions are taken in up to 5 interleaved rounds (a block of each
method per round, a fast method's block after one untimed run), so that a machine whose
speed drifts slows all of them alike. Only the layer call is timed: weight packing, reorders
and the reference check are not.

Options:
  --shapes FILE.csv  the shapes, with exactly the header
                       name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation,groups
                     one layer per line (stride, pad, output_pad, dilation apply to both
                     dimensions; weight Cin x Cout/groups x KH x KW). Blank lines and lines
                     starting with '#' are skipped.
  --methods LIST     comma-separated, timed in this order:
                       segregated   ksconv, kernel segregation
                       zero-insert  ksconv, the conventional zero-insertion method
                       onednn       oneDNN deconvolution_forward (deconvolution_direct,
                                    forward_inference), )";

const char kHelpBottom[] = R"(
                     default: segregated,zero-insert, plus onednn when it is built
  --only NAME,...    run only these shapes (in file order)
  --model FILE       with --upscale and --method fsrcnn, one --scale: the network's weights
                     (.ksm) instead of the bundled model
  --threads N        worker threads for ksconv and oneDNN (OpenMP); default: one per core
  --device D         auto (default: the first available GPU, CUDA first, else cpu), cpu,
                     cuda, opencl. On a GPU the timed call is the kernel on tensors
                     already on the device plus a device synchronization; the copies of
                     the input to the device and the output back are timed separately
                     (rows host-to-device and device-to-host). onednn is cpu only.
  --format F         table (default) or csv
  --verbose          progress and notes on stderr
  -h, --help         print this help
  --min-time S       (for tests) time each cell for about S seconds instead of 0.5; the
                     warm-up and the per-cell cap scale with it. Short warm-ups let one
                     thread pool's wind-down (ksconv's, OpenMP's) skew the next method.

oneDNN is created two ways: format_tag::any for src, weights and dst (oneDNN picks its
blocked layouts) and plain nchw src/dst (weights any). Both are checked and timed; the
faster is reported as 'onednn', with its implementation (impl_info_str) and layouts in the
table's notes (or on stderr with --verbose). Reorders into oneDNN's layouts are done once,
untimed, as a user who keeps blocked tensors would. oneDNN has no output padding; it is
expressed by reducing the end padding, and a shape where that is impossible is skipped
with a note.

Columns (table: per shape and method; csv: exactly
name,method,device,threads,median_ms,min_ms,gflops,extra_bytes):
  median ms, min ms  over the timed repetitions
  GFLOP/s            useful work / median time. Useful work = 2 * (Cout/groups) * Cin * N *
                     P, where P counts the (input pixel, kernel tap) pairs whose output
                     position lands inside the output; pairs cut off by the padding and
                     the inserted zeros of zero-insertion are not counted. The condition
                     separates by axis, so P = (pairs along H) * (pairs along W), each
                     counted exactly.
  extra bytes        memory a method needs beyond input, weights and output, measured:
                     ksconv: its packed weights + the peak of the scratch it allocates
                     while running (ksconv's allocator hook); oneDNN: reordered weights,
                     blocked src/dst copies when its layout is not plain NCHW, and its
                     scratchpad (user-managed, so the size is what is allocated).
  vs segregated      (table) this method's median / segregated's median: above 1 means
                     segregated is faster.

Exit status: 0 on success; 1 on a runtime failure (unreadable or malformed shapes file,
a method disagreeing with the reference, a method that is not built); 2 on a usage error.
Errors are one line on stderr, e.g. 'ksconv: error: shapes.csv line 3: ...'.

Image upscaling (--upscale IMAGE.png): times ksconv's upscaling kernel on the image held in
memory (PNG decoding and encoding are not timed) for each --method (default
bilinear,bicubic; also nearest, lanczos3, lanczos4) and --scale (default 2,3,4), and
OpenCV's cv::resize on the same image and threads when OpenCV was found at build time (the
two timed side by side, as the methods of a shape). The two outputs must agree within 1 per
8-bit sample (1/255 of full scale for 16-bit) before anything is timed. csv columns:
  image,method,scale,impl,threads,median_ms,min_ms,megapixels_per_s,max_abs_diff

--method fsrcnn times the FSRCNN network (ksconv upscale --method fsrcnn) on the image's
luminance plane (Y/255; the colour conversion is not timed), per --scale with the bundled
model (or --model FILE, one scale): ksconv with the segregated deconvolution, ksconv with
the zero-insert deconvolution (the same network otherwise), and PyTorch 'ConvTranspose2d'
with the same weights (bench/fsrcnn_torch_bench.py, run with /usr/bin/python3 when it can
import torch; torch.set_num_threads(--threads); forward pass only, same timing policy, in
its own process: the two ksconv networks are timed side by side, PyTorch after them).
Every output must agree with the segregated one (relative L2 < 1e-5) before anything is
timed. GFLOP/s counts useful work (taps that read inside the image). csv columns:
  image,scale,impl,threads,median_ms,min_ms,gflops,rel_l2

Example:
  ksconv bench --shapes bench/shapes.csv --threads 2
  ksconv bench --shapes bench/shapes.csv --methods segregated,onednn --format csv --only dcgan_l1
  ksconv bench --upscale data/sample.png --scale 2,4 --method bilinear,bicubic --threads 2
  ksconv bench --upscale photo.png --method fsrcnn --scale 2,3,4 --threads 2
)";

constexpr double kTolerance = 1e-4;

const std::vector<OptionSpec> kOptions = {
    {"--shapes", true},  {"--methods", true},  {"--only", true},     {"--threads", true},
    {"--upscale", true}, {"--scale", true},    {"--method", true},   {"--device", true},
    {"--format", true},  {"--verbose", false}, {"--min-time", true}, {"--model", true},
};

const char *const kMethodNames[] = {"segregated", "zero-insert", "onednn"};

struct BenchOptions {
    std::string shapes;
    std::string upscale_image;  // --upscale: the image benchmark instead of layer shapes
    std::vector<UpscaleMethod> upscale_methods = {UpscaleMethod::bilinear, UpscaleMethod::bicubic};
    std::vector<int> upscale_scales = {2, 3, 4};
    std::string model;  // --model: fsrcnn weights (one scale)
    std::vector<std::string> methods;
    bool methods_given = false;  // --methods was on the command line
    std::vector<std::string> only;
    int threads = 0;
    std::string device = "auto";
    Device resolved_device = Device::cpu;
    std::string format = "table";
    bool verbose = false;
    TimingPolicy timing;
};

std::vector<std::string> split_list(const std::string &option, const std::string &text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        if (item.empty()) throw UsageError(option + ": empty item in '" + text + "'");
        if (std::find(items.begin(), items.end(), item) != items.end()) {
            throw UsageError(option + ": '" + item + "' given twice");
        }
        items.push_back(item);
    }
    if (items.empty() || text.back() == ',') throw UsageError(option + ": empty item in '" + text + "'");
    return items;
}

std::vector<std::string> parse_methods(const std::string &text) {
    std::vector<std::string> methods = split_list("--methods", text);
    for (const std::string &method : methods) {
        if (std::find(std::begin(kMethodNames), std::end(kMethodNames), method) == std::end(kMethodNames)) {
            throw UsageError("--methods: unknown method '" + method + "' (expected segregated, zero-insert or onednn)");
        }
    }
    return methods;
}

double parse_seconds(const std::string &option, const std::string &text) {
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value > 0.0) || value > 60.0 || !std::isdigit((unsigned char)text[0])) {
        throw UsageError(option + ": expected a number of seconds above 0 and at most 60, got '" + text + "'");
    }
    return value;
}

BenchOptions parse_options(const std::vector<std::string> &words) {
    const Args args(words, kOptions);
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    BenchOptions o;
    if (auto v = args.get("--upscale")) {
        if (args.has("--shapes") || args.has("--methods") || args.has("--only")) {
            throw UsageError("--upscale benchmarks an image; --shapes, --methods and --only are for layers");
        }
        o.upscale_image = *v;
        if (auto m = args.get("--method")) {
            o.upscale_methods.clear();
            for (const std::string &name : split_list("--method", *m)) {
                try {
                    o.upscale_methods.push_back(parse_upscale_method(name));
                } catch (const Error &e) {
                    throw UsageError(std::string("--method: ") + e.what());
                }
            }
        }
        if (auto v = args.get("--scale")) o.upscale_scales = parse_int_list("--scale", *v, {1, 2, 3}, 2);
        for (int scale : o.upscale_scales) {
            if (scale > 4) throw UsageError("--scale: " + std::to_string(scale) + " is not 2, 3 or 4");
        }
        if (auto v = args.get("--model")) {
            const bool fsrcnn = std::find(o.upscale_methods.begin(), o.upscale_methods.end(), UpscaleMethod::fsrcnn) !=
                                o.upscale_methods.end();
            if (!fsrcnn) throw UsageError("--model is for --method fsrcnn");
            if (o.upscale_scales.size() != 1) throw UsageError("--model holds one scale's network: give one --scale");
            o.model = *v;
        }
    } else {
        if (args.has("--scale") || args.has("--method") || args.has("--model")) {
            throw UsageError("--scale, --method and --model need --upscale IMAGE");
        }
        o.shapes = args.require("--shapes");
    }
    o.verbose = args.has("--verbose");
    if (auto v = args.get("--methods")) {
        o.methods = parse_methods(*v);
        o.methods_given = true;
    } else {
        o.methods = {"segregated", "zero-insert"};
        if (onednn_built()) o.methods.push_back("onednn");
    }
    if (auto v = args.get("--only")) o.only = split_list("--only", *v);
    if (auto v = args.get("--threads")) o.threads = parse_int("--threads", *v, 1);
    if (auto v = args.get("--device")) o.device = parse_device(*v);
    if (auto v = args.get("--format")) {
        if (*v != "table" && *v != "csv") throw UsageError("--format: expected table or csv, got '" + *v + "'");
        o.format = *v;
    }
    if (auto v = args.get("--min-time")) o.timing = TimingPolicy::with_target(parse_seconds("--min-time", *v));
    return o;
}

std::vector<BenchShape> select_shapes(std::vector<BenchShape> shapes, const BenchOptions &o) {
    if (o.only.empty()) return shapes;
    for (const std::string &name : o.only) {
        const bool found =
            std::any_of(shapes.begin(), shapes.end(), [&](const BenchShape &s) { return s.name == name; });
        if (!found) throw Error("--only: no shape named '" + name + "' in " + o.shapes);
    }
    shapes.erase(std::remove_if(shapes.begin(), shapes.end(),
                                [&](const BenchShape &s) {
                                    return std::find(o.only.begin(), o.only.end(), s.name) == o.only.end();
                                }),
                 shapes.end());
    return shapes;
}

// A method and the ways it can be run (oneDNN has two; the faster one is reported).
struct MethodRunners {
    std::string method;
    std::vector<std::unique_ptr<BenchRunner>> runners;
};

class ShapeBench {
public:
    ShapeBench(const BenchShape &shape, const BenchOptions &o)
        : shape_(shape),
          o_(o),
          weights_(random_values(shape.weights.elements(), seed_for(shape.name, 1))),
          input_(random_values(shape.input.elements(), seed_for(shape.name, 2))),
          output_(static_cast<std::size_t>(shape.output.elements())) {}

    void run(BenchReport &report) {
        std::vector<std::string> skipped;
        std::vector<BenchRow> rows;
        try {
            std::vector<MethodRunners> methods = create(skipped);
            check(methods);
            rows = time_methods(methods);
            if (o_.resolved_device != Device::cpu) add_transfer_rows(rows);
        } catch (const Error &e) {
            throw Error("shape " + shape_.name + ": " + e.what());
        }
        report.add_shape(shape_, rows, skipped);
    }

private:
    std::vector<MethodRunners> create(std::vector<std::string> &skipped) {
        std::vector<MethodRunners> methods;
        for (const std::string &method : o_.methods) {
            MethodRunners m{method, {}};
            if (method != "onednn") {
                try {
                    m.runners.push_back(make_ksconv_runner(shape_, parse_method(method), o_.resolved_device,
                                                           weights_.data(), input_.data(), output_.data()));
                } catch (const Error &e) {
                    throw Error("method " + method + ": " + e.what());
                }
            } else {
                std::vector<std::string> notes;
                try {
                    m.runners = make_onednn_runners(shape_, weights_.data(), input_.data(), output_.data(), notes);
                } catch (const OnednnUnsupported &e) {
                    skipped.push_back(method + ": " + e.what());
                    note(method + " skipped: " + e.what());
                    continue;
                }
                for (const std::string &line : notes) note(line);
            }
            methods.push_back(std::move(m));
        }
        return methods;
    }

    // Every method must agree with the reference before any timing starts.
    void check(std::vector<MethodRunners> &methods) {
        const auto start = std::chrono::steady_clock::now();
        const std::vector<float> reference = reference_output(shape_, weights_.data(), input_.data(), o_.threads);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        note("float64 reference computed in " + std::to_string(took.count()) + " s");
        for (MethodRunners &m : methods) {
            for (const std::unique_ptr<BenchRunner> &runner : m.runners) {
                std::fill(output_.begin(), output_.end(), std::numeric_limits<float>::quiet_NaN());
                runner->checked_run();
                const double error = relative_l2_error(output_, reference);
                if (!(error < kTolerance)) {
                    std::ostringstream message;
                    message << "method " << m.method << " (" << runner->label() << ", " << runner->implementation()
                            << ") disagrees with the float64 reference: relative L2 error " << error
                            << " (must be below " << kTolerance << ")";
                    throw Error(message.str());
                }
                std::ostringstream line;
                line << m.method << " (" << runner->label() << ") matches the reference, relative L2 error " << error;
                note(line.str());
            }
        }
    }

    // All methods' runners are timed side by side (time_runs_interleaved), then each method
    // reports its fastest runner.
    std::vector<BenchRow> time_methods(std::vector<MethodRunners> &methods) {
        std::vector<std::function<void()>> runs;
        for (MethodRunners &m : methods) {
            for (const std::unique_ptr<BenchRunner> &runner : m.runners) runs.push_back([&runner] { runner->run(); });
        }
        const std::vector<Timing> all = time_runs_interleaved(runs, o_.timing);
        std::vector<BenchRow> rows;
        std::size_t next = 0;
        for (MethodRunners &m : methods) {
            const std::vector<Timing> timings(all.begin() + long(next), all.begin() + long(next + m.runners.size()));
            next += m.runners.size();
            rows.push_back(method_row(m, timings));
        }
        return rows;
    }

    BenchRow method_row(const MethodRunners &m, const std::vector<Timing> &timings) {
        for (std::size_t i = 0; i < timings.size(); ++i) {
            std::ostringstream line;
            line << m.method << " (" << m.runners[i]->label() << ", " << m.runners[i]->implementation() << "): median "
                 << timings[i].median_ms << " ms, min " << timings[i].min_ms << " ms, " << timings[i].reps << " reps";
            note(line.str());
        }
        std::size_t best = 0;
        for (std::size_t i = 1; i < timings.size(); ++i) {
            if (timings[i].median_ms < timings[best].median_ms) best = i;
        }
        const BenchRunner &winner = *m.runners[best];
        BenchRow row;
        row.method = m.method;
        row.timing = timings[best];
        row.gflops = useful_flops(shape_) / (row.timing.median_ms * 1e-3) / 1e9;
        row.extra_bytes = winner.extra_bytes();
        row.notes = m.runners.size() == 1
                        ? winner.implementation()
                        : winner.label() + " won: " + winner.implementation() + losers(m, timings, best);
        if (m.runners.size() > 1) note(m.method + ": " + row.notes);
        return row;
    }

    // A GPU layer called on host arrays also copies its input in and its output out.
    void add_transfer_rows(std::vector<BenchRow> &rows) {
        const TransferTimings t = time_transfers(shape_, o_.resolved_device, input_.data(), output_.data(), o_.timing);
        const int64_t in_bytes = shape_.input.elements() * int64_t(sizeof(float));
        const int64_t out_bytes = shape_.output.elements() * int64_t(sizeof(float));
        rows.push_back({"host-to-device", t.to_device, 0.0, 0, "input, " + std::to_string(in_bytes) + " bytes"});
        rows.push_back({"device-to-host", t.to_host, 0.0, 0, "output, " + std::to_string(out_bytes) + " bytes"});
    }

    // "; layout nchw: x64:gemm:jit 1.52x slower"
    static std::string losers(const MethodRunners &m, const std::vector<Timing> &timings, std::size_t best) {
        std::string text;
        for (std::size_t i = 0; i < m.runners.size(); ++i) {
            if (i == best) continue;
            std::ostringstream part;
            part.precision(3);
            part << "; " << m.runners[i]->label() << ": " << m.runners[i]->implementation() << ' '
                 << timings[i].median_ms / timings[best].median_ms << "x slower";
            text += part.str();
        }
        return text;
    }

    void note(const std::string &line) const {
        if (o_.verbose) std::cerr << "ksconv: bench: " << shape_.name << ": " << line << '\n';
    }

    const BenchShape &shape_;
    const BenchOptions &o_;
    std::vector<float> weights_, input_, output_;
};

}  // namespace

int run_bench(const std::vector<std::string> &words) {
    if (wants_help(words)) {
        std::cout << kHelpTop << (onednn_built() ? "built: " + onednn_version() : std::string("not built")) << '.'
                  << kHelpBottom;
        return 0;
    }
    BenchOptions o = parse_options(words);
    o.resolved_device = choose_device(o.device);
    const std::string device = device_name(o.resolved_device);
    const bool wants_onednn = std::find(o.methods.begin(), o.methods.end(), "onednn") != o.methods.end();
    if (wants_onednn && !onednn_built()) {
        throw Error("method 'onednn' is not built (oneDNN was not found at build time)");
    }
    if (o.resolved_device != Device::cpu) {
        if (wants_onednn && o.methods_given) {
            throw Error(std::string("method 'onednn' runs on the cpu only, not on ") + device);
        }
        o.methods.erase(std::remove(o.methods.begin(), o.methods.end(), "onednn"), o.methods.end());
    }
    if (o.threads == 0) o.threads = std::max(1, int(std::thread::hardware_concurrency()));
    set_num_threads(o.threads);
    if (!o.upscale_image.empty()) {
        std::vector<UpscaleMethod> kernels = o.upscale_methods;
        kernels.erase(std::remove(kernels.begin(), kernels.end(), UpscaleMethod::fsrcnn), kernels.end());
        if (!kernels.empty()) {
            run_upscale_bench({o.upscale_image, kernels, o.upscale_scales, o.threads, o.resolved_device, o.format,
                               o.verbose, o.timing});
        }
        if (kernels.size() != o.upscale_methods.size()) {
            if (!kernels.empty()) std::cout << '\n';
            run_fsrcnn_bench({o.upscale_image, o.upscale_scales, o.model, o.threads, o.resolved_device, o.format,
                              o.verbose, o.timing});
        }
        return 0;
    }
    const std::vector<BenchShape> shapes = select_shapes(read_shapes_csv(o.shapes), o);
    onednn_set_threads(o.threads);

    const MachineInfo machine = describe_machine(o.threads, device);
    std::unique_ptr<BenchReport> report;
    if (o.format == "csv") {
        report = make_csv_report(std::cout, machine);
    } else {
        std::vector<std::string> preamble = {std::string("ksconv ") + version() + ", shapes " + o.shapes};
        if (o.resolved_device != Device::cpu) preamble.push_back("device: " + describe_device(o.resolved_device));
        if (onednn_built() && wants_onednn) preamble.push_back("peer: " + onednn_version());
        preamble.push_back(
            "GFLOP/s counts useful work only; vs segregated = median / segregated median (above 1: segregated "
            "faster); see 'ksconv bench --help'");
        report = make_table_report(std::cout, machine, preamble, shapes);
    }
    for (const BenchShape &shape : shapes) {
        if (o.verbose) std::cerr << "ksconv: bench: " << shape.name << " (line " << shape.line << ")\n";
        ShapeBench(shape, o).run(*report);
    }
    return 0;
}

}  // namespace ksconv::cli
