// How `ksconv bench` prints its results: an aligned table for people (default) or CSV
// for scripts. Both print one shape at a time, as soon as it is measured.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "bench_timer.hpp"
#include "shapes_csv.hpp"

namespace ksconv::cli {

struct MachineInfo {
    std::string cpu_model;  // "model name" from /proc/cpuinfo
    int cores = 1;          // logical CPUs
    int threads = 1;
    std::string device;
    std::string load_average;  // 1-minute load when the bench started: other work skews timings
};

MachineInfo describe_machine(int threads, const std::string &device);
// The first line of every bench table: "machine: <cpu>, <n> cores; <t> threads, device <d>;
// load average <l> at start" (no newline).
std::string machine_line(const MachineInfo &machine);

// One measured (shape, method) cell.
struct BenchRow {
    std::string method;
    Timing timing;
    double gflops = 0.0;
    int64_t extra_bytes = 0;
    std::string notes;  // implementation details (table only)
};

class BenchReport {
public:
    virtual ~BenchReport() = default;
    // `skipped` holds "method: reason" for methods that could not run this shape.
    virtual void add_shape(const BenchShape &shape, const std::vector<BenchRow> &rows,
                           const std::vector<std::string> &skipped) = 0;
};

// The table starts with the machine and `preamble` lines; shape names are padded to the
// longest of `shapes`.
std::unique_ptr<BenchReport> make_table_report(std::ostream &out, const MachineInfo &machine,
                                               const std::vector<std::string> &preamble,
                                               const std::vector<BenchShape> &shapes);

// Header `name,method,device,threads,median_ms,min_ms,gflops,extra_bytes`, one row per cell.
std::unique_ptr<BenchReport> make_csv_report(std::ostream &out, const MachineInfo &machine);

}  // namespace ksconv::cli
