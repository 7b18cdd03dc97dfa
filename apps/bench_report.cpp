#include "bench_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <thread>

namespace ksconv::cli {

namespace {

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) != 0) continue;
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
    return "unknown CPU";
}

std::string load_average() {
    std::ifstream loadavg("/proc/loadavg");
    std::string one_minute;
    return loadavg >> one_minute ? one_minute : "unknown";
}

std::string format(const char *spec, double value) {
    char text[64];
    std::snprintf(text, sizeof text, spec, value);
    return text;
}

// Four significant digits or so, whatever the magnitude, in a fixed-point column.
std::string milliseconds(double ms) {
    return format(ms < 1.0 ? "%.4f" : ms < 100.0 ? "%.3f" : "%.1f", ms);
}

std::string human_bytes(int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return format("%.2f ", value) + units[unit];
}

std::string pad_right(const std::string &text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

std::string pad_left(const std::string &text, std::size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

class TableReport : public BenchReport {
public:
    TableReport(std::ostream &out, const MachineInfo &machine, const std::vector<std::string> &preamble,
                const std::vector<BenchShape> &shapes)
        : out_(out) {
        for (const BenchShape &shape : shapes) name_width_ = std::max(name_width_, shape.name.size());
        out_ << machine_line(machine) << '\n';
        for (const std::string &line : preamble) out_ << line << '\n';
        out_ << '\n';
        print_line({"shape", "method", "median ms", "min ms", "GFLOP/s", "extra bytes", "vs segregated", "notes"});
        out_ << std::flush;
    }

    void add_shape(const BenchShape &shape, const std::vector<BenchRow> &rows,
                   const std::vector<std::string> &skipped) override {
        const BenchRow *segregated = nullptr;
        for (const BenchRow &row : rows) {
            if (row.method == "segregated") segregated = &row;
        }
        std::string name = shape.name;  // on the shape's first line only
        for (const BenchRow &row : rows) {
            std::string speedup = "-";
            if (segregated != nullptr && &row != segregated) {
                speedup = format("%.2fx", row.timing.median_ms / segregated->timing.median_ms);
            }
            print_line({name, row.method, milliseconds(row.timing.median_ms), milliseconds(row.timing.min_ms),
                        format(row.gflops < 10.0 ? "%.2f" : "%.1f", row.gflops), human_bytes(row.extra_bytes), speedup,
                        row.notes});
            name.clear();
        }
        for (const std::string &skip : skipped) {
            out_ << pad_right(name, name_width_) << "  skipped " << skip << '\n';
            name.clear();
        }
        out_ << '\n' << std::flush;
    }

private:
    void print_line(const std::vector<std::string> &cells) {
        out_ << pad_right(cells[0], name_width_) << "  " << pad_right(cells[1], 11);
        const std::size_t widths[] = {11, 11, 10, 13, 15};
        for (std::size_t i = 0; i < 5; ++i) out_ << pad_left(cells[2 + i], widths[i]);
        out_ << "  " << cells[7] << '\n';
    }

    std::ostream &out_;
    std::size_t name_width_ = 5;  // "shape"
};

class CsvReport : public BenchReport {
public:
    CsvReport(std::ostream &out, const MachineInfo &machine) : out_(out), machine_(machine) {
        out_ << "name,method,device,threads,median_ms,min_ms,gflops,extra_bytes\n" << std::flush;
    }

    void add_shape(const BenchShape &shape, const std::vector<BenchRow> &rows,
                   const std::vector<std::string> &) override {
        for (const BenchRow &row : rows) {
            // %g keeps significant digits for sub-microsecond layers.
            out_ << shape.name << ',' << row.method << ',' << machine_.device << ',' << machine_.threads << ','
                 << format("%.6g", row.timing.median_ms) << ',' << format("%.6g", row.timing.min_ms) << ','
                 << format("%.6g", row.gflops) << ',' << row.extra_bytes << '\n';
        }
        out_ << std::flush;
    }

private:
    std::ostream &out_;
    MachineInfo machine_;
};

}  // namespace

MachineInfo describe_machine(int threads, const std::string &device) {
    MachineInfo machine;
    machine.cpu_model = cpu_model();
    machine.cores = std::max(1, int(std::thread::hardware_concurrency()));
    machine.threads = threads;
    machine.device = device;
    machine.load_average = load_average();
    return machine;
}

std::string machine_line(const MachineInfo &machine) {
    return "machine: " + machine.cpu_model + ", " + std::to_string(machine.cores) + " cores; " +
           std::to_string(machine.threads) + (machine.threads == 1 ? " thread" : " threads") + ", device " +
           machine.device + "; load average " + machine.load_average + " at start";
}

std::unique_ptr<BenchReport> make_table_report(std::ostream &out, const MachineInfo &machine,
                                               const std::vector<std::string> &preamble,
                                               const std::vector<BenchShape> &shapes) {
    return std::make_unique<TableReport>(out, machine, preamble, shapes);
}

std::unique_ptr<BenchReport> make_csv_report(std::ostream &out, const MachineInfo &machine) {
    return std::make_unique<CsvReport>(out, machine);
}

}  // namespace ksconv::cli
