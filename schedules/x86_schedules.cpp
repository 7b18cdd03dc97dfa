// Plain CPU schedules: vectorized along output columns, parallel over row blocks and batch.
// Register tiles hold `kAccumulators` vectors of one output row so each weight broadcast
// feeds several FMAs. Tuning to peak (channel blocking, packing for few-channel layers)
// is a separate step.
#include "x86_schedules.h"

using namespace Halide;

namespace ksconv {
namespace {

constexpr int kRowsPerTask = 8;    // output rows per parallel task
constexpr int kAccumulators = 4;   // vectors per register tile

// Output tiles: (n, row block) in parallel, then channels, then rows, vectorized columns.
// Returns the fused parallel loop variable.
Var tile_output(Func output, Var ox, Var oy, Var co, Var n, int vec) {
    Var yo("yo"), yi("yi"), task("task");
    output.split(oy, yo, yi, kRowsPerTask, TailStrategy::GuardWithIf)
        .reorder(ox, yi, co, yo, n)
        .fuse(yo, n, task)
        .parallel(task)
        .vectorize(ox, vec, TailStrategy::GuardWithIf);
    return task;
}

// A reduction stage: bias initialisation, then taps and channels outside a register tile
// of kAccumulators vectors along x.
void schedule_reduction(Func f, Var x, const std::vector<RVar> &taps_inner_to_outer, int vec) {
    Var xo("xo"), xi("xi");
    f.vectorize(x, vec);
    Stage update = f.update();
    update.split(x, xo, xi, vec * kAccumulators, TailStrategy::RoundUp);
    std::vector<VarOrRVar> order{xi};
    for (const RVar &r : taps_inner_to_outer) order.push_back(r);
    order.push_back(xo);
    update.reorder(order).vectorize(xi);
}

}  // namespace

void schedule_segregated_x86(SegregatedParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    Var task = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec);
    // The input slab a task needs, zero border included, copied once per task.
    p.input_padded.compute_at(p.output, task);
    for (Func table : p.tap_tables) table.compute_root();
    std::vector<Func> phases = p.runtime_stride ? std::vector<Func>{p.phase_any} : p.phases;
    for (size_t i = 0; i < phases.size(); i++) {
        const RDom &r = p.phase_taps_rdoms[i];
        phases[i].compute_at(p.output, p.co);
        schedule_reduction(phases[i], p.qx, {r.y, r.z, r.x}, vec);
    }
}

void schedule_zero_insert_x86(ZeroInsertParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    // The zero-inserted tensor is formed whole, as the conventional method does.
    Var task("task");
    p.zero_inserted.compute_root().fuse(p.ci, p.n, task).parallel(task).vectorize(p.x, vec);
    tile_output(p.output, p.ox, p.oy, p.co, p.n, vec);
    p.conv.compute_at(p.output, p.co);
    schedule_reduction(p.conv, p.ox, {p.taps.y, p.taps.z, p.taps.x}, vec);
}

}  // namespace ksconv
