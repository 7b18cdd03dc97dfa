// CPU schedules (x86: AVX-512, AVX2, SSE4.1; the vector width comes from the target).
//
// Segregated: each phase is a small GEMM (phase pixels x output channels x (input channels
// * taps)). A task is a block of output rows x output channels (x batch), run in parallel;
// within a task each phase is computed in register tiles with the reduction innermost:
// - many output channels per group: `co_vectors` vectors of channels x `x` pixels; the
//   weights of a tap are one vector load per channel vector, each input pixel a broadcast;
// - few (FSRCNN's 56->1, depthwise): one channel x kColumnTileVectors vectors of pixels.
// The choice is specialized at run time on the layer's channel count.
#include "x86_schedules.h"

#include <algorithm>

using namespace Halide;

namespace ksconv {
namespace {

// Output rows per task: 8 rows of each phase, so the one phase row a task re-computes at a
// block edge (when padding is not a multiple of the stride) costs at most an eighth.
int rows_per_task(int stride_y) { return 8 * std::max(2, stride_y); }
constexpr int kChannelsPerTask = 64;  // output channels per task: parallelism for small, deep layers

// Accumulators must fit the vector register file: 32 registers with AVX-512, 16 below.
// A tile may read up to its width past the last channel: the runtime pads packed weights
// by kChannelPadding (64, runtime/src/packing.hpp), so no tile may be wider than 64.
struct ChannelTile {
    int co_vectors;  // vectors of output channels
    int x;           // phase pixels
};
std::vector<ChannelTile> channel_tiles(const Target &t) {  // widest first
    if (t.has_feature(Target::AVX512_Skylake)) return {{4, 6}, {2, 12}, {1, 24}};
    return {{2, 6}, {1, 12}};
}
// Few channels: every FMA needs its own input vector, so a wide tile buys little and
// wastes work on narrow maps; 4 vectors keep the FMA latency hidden.
constexpr int kColumnTileVectors = 4;

// Output tiles: (batch, row block, channel block) in parallel, vectorized columns inside.
// Returns the parallel task variable.
Var tile_output(Func output, Var ox, Var oy, Var co, Var n, int vec, int rows) {
    Var yo("yo"), yi("yi"), cb("cb"), channel("channel"), rows_channels("rows_channels"), task("task");
    output.split(oy, yo, yi, rows, TailStrategy::GuardWithIf)
        .split(co, cb, channel, kChannelsPerTask, TailStrategy::GuardWithIf)
        .reorder(ox, yi, channel, cb, yo, n)
        .fuse(cb, yo, rows_channels)
        .fuse(rows_channels, n, task)
        .parallel(task)
        .vectorize(ox, vec, TailStrategy::GuardWithIf);
    return task;
}

// One phase (a reduction over r = (ci in group, tap x, tap y)) computed for a task in
// register tiles. `rows_outer` are the phase's pure variables kept outside a tile (row, and
// the phase for run-time strides).
void schedule_phase(Func phase, const RDom &r, Func output, Var task, Var x, Var c, std::vector<VarOrRVar> rows_outer,
                    Expr cout_per_group, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    Func rows = phase.in(output);  // the task's rows of this phase, in memory
    Var xo("xo"), xi("xi"), co("c_tile"), cii("c_in_tile");
    rows.compute_at(output, task);
    // A register tile is one phase row: rows and phases (run-time stride) stay outside.
    auto order = [&](VarOrRVar inner, VarOrRVar next) {
        std::vector<VarOrRVar> o{inner, next, xo};
        o.insert(o.end(), rows_outer.begin(), rows_outer.end());
        o.push_back(co);
        return o;
    };
    const std::vector<ChannelTile> tiles = channel_tiles(target);
    for (const ChannelTile &t : tiles) {
        rows.specialize(cout_per_group >= vec * t.co_vectors)
            .split(x, xo, xi, t.x, TailStrategy::RoundUp)
            .split(c, co, cii, vec * t.co_vectors, TailStrategy::RoundUp)
            .reorder(order(cii, xi))
            .vectorize(cii, vec)
            .unroll(cii)
            .unroll(xi);
    }
    rows.split(x, xo, xi, vec * kColumnTileVectors, TailStrategy::RoundUp)
        .split(c, co, cii, 1)
        .reorder(order(xi, cii))
        .vectorize(xi, vec)
        .unroll(xi);

    // The accumulators: one register tile, reduction loops outside it. Channels are
    // stored fastest so that both tile shapes access whole vectors (a channel tile of
    // one channel makes pixels contiguous).
    // The phase repeats the tiles' conditions word for word so that, inside each tile
    // branch, Halide resolves them and the tile's extents are constants (registers).
    phase.compute_at(rows, xo).reorder_storage(c, x);
    for (const ChannelTile &t : tiles) {
        Expr wide = cout_per_group >= vec * t.co_vectors;
        phase.specialize(wide).vectorize(c, vec).unroll(c).unroll(x);
        phase.update().specialize(wide).reorder(c, x, r.x, r.y, r.z).vectorize(c, vec).unroll(c).unroll(x);
    }
    phase.vectorize(x, vec).unroll(x).unroll(c);
    phase.update().reorder(x, c, r.x, r.y, r.z).vectorize(x, vec).unroll(x).unroll(c);
}

}  // namespace

void schedule_segregated_x86(SegregatedParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    Var task = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec, rows_per_task(p.stride_y));
    // The input slab a task needs, zero border included, copied once per task so the
    // inner loops read dense memory instead of testing bounds.
    p.input_padded.compute_at(p.output, task).vectorize(_0, vec);
    for (Func table : p.tap_tables) table.compute_root();
    std::vector<Func> phases = p.runtime_stride ? std::vector<Func>{p.phase_any} : p.phases;
    for (size_t i = 0; i < phases.size(); i++) {
        std::vector<VarOrRVar> rows_outer{p.qy};
        if (p.runtime_stride) rows_outer = {p.qy, p.px, p.py};
        schedule_phase(phases[i], p.phase_taps_rdoms[i], p.output, task, p.qx, p.co, rows_outer,
                       p.cout_per_group, target);
    }
}

void schedule_zero_insert_x86(ZeroInsertParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    // The zero-inserted tensor is formed whole, as the conventional method does.
    Var task("task");
    p.zero_inserted.compute_root().fuse(p.ci, p.n, task).parallel(task).vectorize(p.x, vec);
    // The convolution gets the segregated phases' register tiles: a fair baseline.
    Var conv_task = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec, rows_per_task(1));
    schedule_phase(p.conv, p.taps, p.output, conv_task, p.ox, p.co, {p.oy}, p.cout_per_group, target);
}

}  // namespace ksconv
