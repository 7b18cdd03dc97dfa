#include "bench_upscale.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "bench_report.hpp"
#include "ksconv/error.hpp"
#include "ksconv/png.hpp"
#include "ksconv/version.hpp"
#include "opencv_peer.hpp"

namespace ksconv::cli {

namespace {

// Largest difference between two images of the same format, in sample units.
int64_t max_abs_difference(const ImageFormat &f, const std::vector<uint8_t> &a, const std::vector<uint8_t> &b) {
    int64_t worst = 0;
    if (f.bit_depth == 8) {
        for (size_t i = 0; i < a.size(); i++) worst = std::max<int64_t>(worst, std::abs(int(a[i]) - int(b[i])));
    } else {
        const auto *pa = reinterpret_cast<const uint16_t *>(a.data());
        const auto *pb = reinterpret_cast<const uint16_t *>(b.data());
        for (size_t i = 0; i < a.size() / 2; i++) worst = std::max<int64_t>(worst, std::abs(int(pa[i]) - int(pb[i])));
    }
    return worst;
}

struct Cell {
    UpscaleMethod method;
    int scale;
    Timing ksconv, opencv;
    bool has_opencv = false;
    int64_t max_diff = 0;
};

std::string fixed(double value, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << value;
    return s.str();
}

}  // namespace

void run_upscale_bench(const UpscaleBenchOptions &o) {
    const Image image = read_png(o.image);
    const ImageFormat &f = image.format;
    opencv_set_threads(o.threads);
    const MachineInfo machine = describe_machine(o.threads, device_name(o.device));
    const int64_t tolerance = f.bit_depth == 8 ? 1 : 65535 / 255;
    std::ostream &out = std::cout;
    if (o.format == "csv") {
        out << "image,method,scale,impl,threads,median_ms,min_ms,megapixels_per_s,max_abs_diff\n";
    } else {
        out << machine_line(machine) << "\n"
            << "ksconv " << version() << ", upscale " << o.image << ": " << f.width << "x" << f.height << ", "
            << f.channels << " channels, " << f.bit_depth << "-bit; peer: " << opencv_version() << "\n"
            << "Mpix/s = output megapixels per second; speedup = opencv median / ksconv median; max diff = largest "
               "|ksconv - opencv| sample\n"
            << (o.device == Device::cpu ? ""
                                        : "on " + describe_device(o.device) +
                                              ": ksconv times include copying the image to the device and back\n")
            << "\n"
            << std::left << std::setw(10) << "method" << std::setw(7) << "scale" << std::setw(20) << "ksconv ms (min)"
            << std::setw(10) << "Mpix/s" << std::setw(20) << "opencv ms (min)" << std::setw(10) << "Mpix/s"
            << std::setw(9) << "speedup"
            << "max diff\n"
            << std::flush;
    }
    for (UpscaleMethod method : o.methods) {
        for (int scale : o.scales) {
            const Upscaler up(method, scale, f, o.device);
            const ImageFormat &of = up.output_format();
            std::vector<uint8_t> ours(size_t(of.row_bytes() * of.height)), theirs;
            Cell cell{method, scale, {}, {}, false, 0};
            up.run(image.data.data(), ours.data());
            if (opencv_has(method)) {
                theirs.resize(ours.size());
                opencv_upscale(f, image.data.data(), scale, method, theirs.data());
                cell.has_opencv = true;
                cell.max_diff = max_abs_difference(of, ours, theirs);
                if (cell.max_diff > tolerance) {
                    throw Error(std::string(upscale_method_name(method)) + " x" + std::to_string(scale) +
                                ": ksconv and OpenCV differ by " + std::to_string(cell.max_diff) +
                                " in some sample (at most " + std::to_string(tolerance) + " allowed)");
                }
            }
            std::vector<std::function<void()>> runs{[&] { up.run(image.data.data(), ours.data()); }};
            if (cell.has_opencv) runs.push_back([&] { opencv_upscale(f, image.data.data(), scale, method, theirs.data()); });
            const std::vector<Timing> timings = time_runs_interleaved(runs, o.timing);
            cell.ksconv = timings[0];
            if (cell.has_opencv) cell.opencv = timings[1];
            const double mpix = double(of.width) * double(of.height) / 1e6;
            const std::string name = upscale_method_name(method);
            if (o.format == "csv") {
                out << o.image << ',' << name << ',' << scale << ",ksconv," << o.threads << ','
                    << fixed(cell.ksconv.median_ms, 4) << ',' << fixed(cell.ksconv.min_ms, 4) << ','
                    << fixed(mpix / (cell.ksconv.median_ms * 1e-3), 1) << ',' << cell.max_diff << '\n';
                if (cell.has_opencv) {
                    out << o.image << ',' << name << ',' << scale << ",opencv," << o.threads << ','
                        << fixed(cell.opencv.median_ms, 4) << ',' << fixed(cell.opencv.min_ms, 4) << ','
                        << fixed(mpix / (cell.opencv.median_ms * 1e-3), 1) << ',' << cell.max_diff << '\n';
                }
            } else {
                out << std::setw(10) << name << std::setw(7) << scale << std::setw(20)
                    << fixed(cell.ksconv.median_ms, 3) + " (" + fixed(cell.ksconv.min_ms, 3) + ")" << std::setw(10)
                    << fixed(mpix / (cell.ksconv.median_ms * 1e-3), 0);
                if (cell.has_opencv) {
                    out << std::setw(20) << fixed(cell.opencv.median_ms, 3) + " (" + fixed(cell.opencv.min_ms, 3) + ")"
                        << std::setw(10) << fixed(mpix / (cell.opencv.median_ms * 1e-3), 0) << std::setw(9)
                        << fixed(cell.opencv.median_ms / cell.ksconv.median_ms, 2) + "x" << cell.max_diff;
                } else {
                    out << std::setw(20) << "-" << std::setw(10) << "-" << std::setw(9) << "-"
                        << "-";
                }
                out << '\n';
            }
            out << std::flush;
        }
    }
}

}  // namespace ksconv::cli
