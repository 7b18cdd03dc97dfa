// CPU schedules (x86: AVX-512, AVX2, SSE4.1; the vector width comes from the target).
//
// Segregated: each phase is a small GEMM-like reduction (pixels x channels x taps). A task
// is a block of output rows x output channels (x batch), run in parallel; within a task
// each phase is computed in register tiles of `x_vectors` vectors of phase columns by `co`
// output channels, the reduction over input channels and taps innermost, so every weight
// broadcast feeds x_vectors FMAs and every input vector feeds `co` FMAs. The tile shape is
// specialized at run time: many output channels per group use the channel-blocked tile,
// few (FSRCNN's 56->1, depthwise) spend the registers on columns instead.
#include "x86_schedules.h"

using namespace Halide;

namespace ksconv {
namespace {

constexpr int kRowsPerTask = 16;      // output rows per task: few rows per phase re-computed at block edges
constexpr int kChannelsPerTask = 32;  // output channels per task: parallelism for small, deep layers

struct RegisterTile {
    int co;         // output channels (unrolled)
    int x_vectors;  // vectors of phase columns
};

// Accumulators must fit the vector register file: 32 registers with AVX-512, 16 below.
RegisterTile many_channel_tile(const Target &t) {
    return t.has_feature(Target::AVX512_Skylake) ? RegisterTile{8, 3} : RegisterTile{4, 3};
}
RegisterTile few_channel_tile(const Target &t) {
    return t.has_feature(Target::AVX512_Skylake) ? RegisterTile{1, 12} : RegisterTile{1, 6};
}

struct OutputLoops {
    Var task{"task"};        // parallel: (batch, row block, channel block)
    Var channel{"channel"};  // one output channel within a task
};

// Output tiles: (batch, row block, channel block) in parallel, vectorized columns inside.
OutputLoops tile_output(Func output, Var ox, Var oy, Var co, Var n, int vec) {
    OutputLoops loops;
    Var yo("yo"), yi("yi"), cb("cb"), rows_channels("rows_channels");
    output.split(oy, yo, yi, kRowsPerTask, TailStrategy::GuardWithIf)
        .split(co, cb, loops.channel, kChannelsPerTask, TailStrategy::GuardWithIf)
        .reorder(ox, yi, loops.channel, cb, yo, n)
        .fuse(cb, yo, rows_channels)
        .fuse(rows_channels, n, loops.task)
        .parallel(loops.task)
        .vectorize(ox, vec, TailStrategy::GuardWithIf);
    return loops;
}

// One phase (a reduction over r = (ci in group, tap x, tap y)) computed for a task in
// register tiles. `outer` are the phase's pure variables other than x and channel.
void schedule_phase(Func phase, const RDom &r, Func output, Var task, Var x, Var c, Expr many_channels,
                    const Target &target) {
    const int vec = target.natural_vector_size<float>();
    Func rows = phase.in(output);  // the task's rows of this phase, in memory
    Var xo("xo"), xi("xi"), co("c_tile"), cii("c_in_tile");
    rows.compute_at(output, task);
    auto tile = [&](Stage s, RegisterTile t) {
        s.split(x, xo, xi, vec * t.x_vectors, TailStrategy::RoundUp)
            .split(c, co, cii, t.co, TailStrategy::RoundUp)
            .reorder(xi, cii, xo, co)
            .vectorize(xi, vec)
            .unroll(xi)
            .unroll(cii);
    };
    tile(rows.specialize(many_channels), many_channel_tile(target));
    tile(rows, few_channel_tile(target));

    // The accumulators: one register tile, reduction loops outside it.
    phase.compute_at(rows, xo).vectorize(x, vec).unroll(x).unroll(c);
    phase.update().reorder(x, c, r.x, r.y, r.z).vectorize(x, vec).unroll(x).unroll(c);
}

}  // namespace

void schedule_segregated_x86(SegregatedParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    OutputLoops loops = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec);
    // The input slab a task needs, zero border included, copied once per task so the
    // inner loops read dense memory instead of testing bounds.
    p.input_padded.compute_at(p.output, loops.task).vectorize(_0, vec);
    for (Func table : p.tap_tables) table.compute_root();
    Expr many_channels = p.cout_per_group >= many_channel_tile(target).co;
    std::vector<Func> phases = p.runtime_stride ? std::vector<Func>{p.phase_any} : p.phases;
    for (size_t i = 0; i < phases.size(); i++) {
        schedule_phase(phases[i], p.phase_taps_rdoms[i], p.output, loops.task, p.qx, p.co, many_channels, target);
    }
}

void schedule_zero_insert_x86(ZeroInsertParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    // The zero-inserted tensor is formed whole, as the conventional method does.
    Var task("task");
    p.zero_inserted.compute_root().fuse(p.ci, p.n, task).parallel(task).vectorize(p.x, vec);
    OutputLoops loops = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec);
    Var xo("xo"), xi("xi");
    p.conv.compute_at(p.output, loops.channel).vectorize(p.ox, vec);
    p.conv.update()
        .split(p.ox, xo, xi, vec * 4, TailStrategy::RoundUp)
        .reorder(xi, p.taps.y, p.taps.z, p.taps.x, xo)
        .vectorize(xi, vec)
        .unroll(xi);
}

}  // namespace ksconv
