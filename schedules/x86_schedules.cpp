// CPU schedules (x86: AVX-512, AVX2, SSE4.1; the vector width comes from the target).
//
// Segregated: each phase is a small GEMM (phase pixels x output channels x (input channels
// * taps)). A task is a block of output rows x output channels (x batch), run in parallel;
// within a task each phase is computed in register tiles with the reduction innermost:
// - many output channels per group: `co_vectors` vectors of channels x `x` pixels; the
//   weights of a tap are one vector load per channel vector, each input pixel a broadcast;
// - few (FSRCNN's 56->1, depthwise, RGB): one channel x kColumnTileVectors vectors of pixels x
//   kColumnTileRows rows, the weight a broadcast.
// The choice is specialized at run time on the layer's channel count.
#include "x86_schedules.h"

#include <algorithm>

using namespace Halide;

namespace ksconv {
namespace {

// Output rows per task: 8 rows of each phase, so the one phase row a task re-computes at a
// block edge (when padding is not a multiple of the stride) costs at most an eighth.
int rows_per_task(int stride_y) { return 8 * std::max(2, stride_y); }
// Output channels per task: 64, or fewer when the layer has too few row blocks to give
// kMinTasks tasks (small maps: a 16x16 output with 64 channels is otherwise one task).
// Every task copies its rows' whole input slab, so more channel blocks repeat that copy:
// on Zen 3, 2 tasks instead of 4 (64 channels instead of 32) made dcgan_l2 and dcgan_l3
// 4-6% faster at 2 threads (minima of 4 alternating rounds) and 3-8% at 1.
constexpr int kMaxChannelsPerTask = 64;
constexpr int kMinTasks = 2;
Expr channels_per_task(const LayerExtents &layer, int rows) {
    Expr row_tasks = (layer.height + rows - 1) / rows * layer.batch;
    auto tasks = [&](int block) { return row_tasks * ((layer.channels + block - 1) / block); };
    return select(tasks(kMaxChannelsPerTask) >= kMinTasks, kMaxChannelsPerTask, tasks(32) >= kMinTasks, 32, 16);
}

// Accumulators must fit the vector register file: 32 registers with AVX-512, 16 below.
// A tile rounds its channels up, reading past the last channel, but never past the end of
// its task's channel block (tiles are no wider than the block and divide it); the runtime
// pads the packed weights to a multiple of 64 channels (kChannelPadding,
// runtime/src/packing.hpp), which is why neither a block nor a tile may be wider than 64.
struct ChannelTile {
    int co_vectors;  // vectors of output channels
    int x;           // phase pixels
};
std::vector<ChannelTile> channel_tiles(const Target &t, bool narrow_rows) {  // widest first
    if (t.has_feature(Target::AVX512_Skylake)) return {{4, 6}, {2, 12}, {1, 24}};
    // With 16 registers, 6-pixel tiles load the fewest operands per FMA, but on narrow phase
    // rows (4, 8, 16 pixels: small maps) they round up to 6, 12, 18 pixels; 4-pixel ones fit.
    if (narrow_rows) return {{2, 4}, {1, 8}};
    return {{2, 6}, {1, 12}};
}
// Few channels: every FMA needs its own input vector, so a wide tile buys little and
// wastes work on narrow maps; two rows of 4 vectors share each weight broadcast and keep
// 8 FMAs in flight.
constexpr int kColumnTileVectors = 4;
constexpr int kColumnTileRows = 2;

// The region computed, declared from the pipeline's own extent inputs (which the phases'
// clamps rely on); Halide checks the output buffer holds it.
void bound_to_extents(Func output, Var ox, Var oy, Var co, Var n, const LayerExtents &extents) {
    output.bound(ox, 0, extents.width)
        .bound(oy, 0, extents.height)
        .bound(co, 0, extents.channels)
        .bound(n, 0, extents.batch);
}

// Output tiles: (batch, row block, channel block) in parallel, vectorized columns inside.
// The channel block, sized at run time, is the outermost part of the fused task: inner, its
// count would divide the others and Halide's bounds of them came out unbounded (a failed
// buffer check at run time).
struct OutputLoops {
    Var task;     // the parallel tasks
    Var row;      // one output row of a task's channel
};
OutputLoops tile_output(Func output, Var ox, Var oy, Var co, Var n, int vec, int rows, Expr channels) {
    Var yo("yo"), yi("yi"), cb("cb"), channel("channel"), rows_channels("rows_channels"), task("task");
    output.split(oy, yo, yi, rows, TailStrategy::GuardWithIf)
        .split(co, cb, channel, channels, TailStrategy::GuardWithIf)
        .reorder(ox, yi, channel, yo, n, cb)
        .fuse(yo, n, rows_channels)
        .fuse(rows_channels, cb, task)
        .parallel(task)
        .vectorize(ox, vec, TailStrategy::GuardWithIf);
    return {task, yi};
}

// The interleave, one output row at a time, for strides of 3 and more: the row's columns in
// stride_x groups, so that vector `i` of every group comes from one phase (chosen by a scalar
// select) and is a dense load of that phase's row; the groups' strided stores become one
// interleaved dense store. Inline, each vector took its lanes from several phases through
// per-lane selects: 45% of a stride-4 layer's time. The interleave's columns are in the
// padded frame, so with the groups aligned to the stride each unrolled column has its phase
// column fixed at compile time and the select is over row phases only (over all s_h*s_w
// phases it was 22% of stride4_k8's time). Specializing on the padding's phase instead
// doubled the compile time.
void schedule_interleave(Func interleave, Func output, Var ox, int sx, Var row, int vec) {
    Var xo("xo"), xg("x_group"), xr("x_in_group");
    interleave.compute_at(output, row)
        .align_bounds(ox, sx * vec)
        .split(ox, xg, xr, sx)
        .split(xg, xo, xg, vec)
        .reorder(xg, xr, xo)
        .vectorize(xg)
        .unroll(xr);
}

// The channel tiles in the order they are tried, each with the condition (on the layer)
// under which a phase takes it; when none holds, the few-channel column tile. Channel tiles
// serve ungrouped layers (`single_group`) only: only there do their weight vectors start on
// a block of the packed weights (see schedule_segregated_x86); grouped layers, mostly
// depthwise, take the column tile. Each condition tests the chosen index for equality:
// Halide 14 mis-simplified a chain of overlapping conditions (cout >= 16 && wide rows, then
// cout >= 16), skipping the input copy in one branch.
std::vector<std::pair<ChannelTile, Expr>> channel_tile_choice(Expr cout_per_group, Expr task_channels,
                                                              Expr single_group, Expr narrow_tiles,
                                                              const Target &target) {
    const int vec = target.natural_vector_size<float>();
    std::vector<ChannelTile> candidates = channel_tiles(target, false), narrow = channel_tiles(target, true);
    std::vector<Expr> fits;
    Expr channels = min(cout_per_group, task_channels);  // a task's channels of one group
    for (const ChannelTile &t : candidates) fits.push_back(channels >= vec * t.co_vectors);
    if (narrow_tiles.defined() && narrow[0].x != candidates[0].x) {
        for (Expr &f : fits) f = f && !narrow_tiles;
        for (const ChannelTile &t : narrow) {
            candidates.push_back(t);
            fits.push_back(channels >= vec * t.co_vectors);
        }
    }
    Expr choice = int(candidates.size());  // none: the few-channel column tile
    for (int i = int(candidates.size()) - 1; i >= 0; i--) choice = select(fits[i], i, choice);
    choice = select(single_group, choice, int(candidates.size()));
    std::vector<std::pair<ChannelTile, Expr>> tiles;
    for (size_t i = 0; i < candidates.size(); i++) tiles.push_back({candidates[i], choice == int(i)});
    return tiles;
}

// One phase (a reduction over r = (ci in group, tap x, tap y)) computed for a task in
// register tiles. `rows_outer` are the phase's pure variables kept outside a tile (row, and
// the phase for run-time strides).
//
// With input_block > 0 the input channels are reduced in blocks of that many, each block
// over a whole phase row before the next: the tile's weights for one block (16 channels x
// 64 inputs x taps) then stay in L1 across the row's tiles; in one block, 512 inputs x 4 taps
// are 128 KB and every tile streamed them from L2. Each tile sums one block in registers and
// adds it to the row's sums in memory, channels fastest (one load and store per accumulator
// and block). Zen 3, 1 thread, minima of 3: 128 -> 64 channels, 4x4 kernel on 32x48 6.0 ->
// 5.5 ms, 512 -> 64 on 16x24 6.7 -> 6.3; the extra pass made small reductions slower (the
// depthwise bilinear_x2_rgb 20%), so the runtime picks these libraries for large reductions
// only (runtime/src/halide_calls.cpp).
void schedule_phase(Func phase, const RDom &r, Func consumer, Func output, Var task, Var x, Var c,
                    std::vector<VarOrRVar> rows_outer, Expr cout_per_group, Expr single_group, Expr narrow_tiles,
                    Expr task_channels, int input_block, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    Func rows = phase.in(consumer);  // the task's rows of this phase, in memory
    Var xo("xo"), xi("xi"), co("c_tile"), cii("c_in_tile");
    Var row = rows_outer[0].var, row_o("row_o"), row_i("row_i");
    rows.compute_at(output, task);
    // Loop order, innermost first: a register tile's loops, its column block, the loops over
    // rows (and phases, run-time stride) outside it, then the channel block.
    std::vector<VarOrRVar> outside{row_o};
    outside.insert(outside.end(), rows_outer.begin() + 1, rows_outer.end());
    auto order = [&](std::vector<VarOrRVar> tile) {
        tile.push_back(xo);
        tile.insert(tile.end(), outside.begin(), outside.end());
        tile.push_back(co);
        return tile;
    };
    const auto tiles = channel_tile_choice(cout_per_group, task_channels, single_group, narrow_tiles, target);
    for (const auto &[t, condition] : tiles) {
        rows.specialize(condition)
            .split(x, xo, xi, t.x, TailStrategy::RoundUp)
            .split(c, co, cii, vec * t.co_vectors, TailStrategy::RoundUp)
            .split(row, row_o, row_i, 1)
            .reorder(order({xi, cii, row_i}))  // one phase row
            .vectorize(xi)  // rows are pixel-major: a tile's channel vectors are transposed
            .unroll(cii);   // by shuffles (vectorized over channels: scalar extract stores)
    }
    // The column tile spans kColumnTileRows rows (one row: bilinear_x2_rgb took 25-29 ms
    // instead of 19-20 on Zen 1). ShiftInwards: RoundUp measured 10% slower on fsrcnn_x3,
    // whose tasks have odd row counts (padding not a multiple of the stride).
    rows.split(x, xo, xi, vec * kColumnTileVectors, TailStrategy::RoundUp)
        .split(c, co, cii, 1)
        .split(row, row_o, row_i, kColumnTileRows, TailStrategy::ShiftInwards)
        .reorder(order({xi, cii, row_i}))
        .vectorize(xi, vec)
        .unroll(xi)
        .unroll(row_i);

    // The register tile: the phase itself, or with input blocks the sum of one block.
    Func tile = phase;
    RVar reduction = r.x;
    if (input_block > 0) {
        RVar block("ci_block"), in_block("ci_in_block");
        Var kb("kb");
        tile = phase.update().split(r.x, block, in_block, input_block, TailStrategy::GuardWithIf).rfactor(block, kb);
        reduction = in_block;
        phase.compute_at(rows, row_o).reorder_storage(c, x, row);
        for (const auto &[t, condition] : tiles) {
            phase.specialize(condition).vectorize(c, vec);
            phase.update()
                .specialize(condition)
                .split(x, xo, xi, t.x, TailStrategy::RoundUp)
                .split(c, co, cii, vec * t.co_vectors, TailStrategy::RoundUp)
                .reorder(cii, xi, xo, block, row, co)
                .vectorize(cii, vec)
                .unroll(cii)
                .unroll(xi);
        }
        phase.vectorize(x, vec);
        phase.update()
            .split(x, xo, xi, vec * kColumnTileVectors, TailStrategy::RoundUp)
            .reorder(xi, c, row, xo, block)
            .vectorize(xi, vec)
            .unroll(xi)
            .unroll(c)
            .unroll(row);
        tile.compute_at(phase, xo);
    } else {
        tile.compute_at(rows, xo);
    }
    // Reduction loops outside the tile. Channels are stored fastest, then pixels, then rows,
    // so that both tile shapes access whole vectors (a column tile has one channel, so its
    // pixels are contiguous). The tile repeats the tiles' conditions word for word so that,
    // inside each tile branch, Halide resolves them and the tile's extents are constants
    // (registers).
    tile.reorder_storage(c, x, row);
    for (const auto &[t, condition] : tiles) {
        tile.specialize(condition).vectorize(c, vec).unroll(c).unroll(x);
        tile.update().specialize(condition).reorder(c, x, reduction, r.y, r.z).vectorize(c, vec).unroll(c).unroll(x);
    }
    tile.vectorize(x, vec).unroll(x).unroll(c).unroll(row);
    tile.update().reorder(x, c, row, reduction, r.y, r.z).vectorize(x, vec).unroll(x).unroll(c).unroll(row);
}

}  // namespace

void schedule_segregated_x86(SegregatedParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    const int rows = rows_per_task(p.stride_y);
    Expr task_channels = channels_per_task(p.extents, rows);
    bound_to_extents(p.output, p.ox, p.oy, p.co, p.n, p.extents);
    auto [task, row] = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec, rows, task_channels);
    // At stride 2 the inline interleave measured as fast (3-5% faster on wide maps).
    if (p.interleave.defined() && p.stride_x >= 3)
        schedule_interleave(p.interleave, p.output, p.ox, p.stride_x, row, vec);
    // Same schedule in every branch. Ungrouped layers (single_group) name their channels
    // directly, so a task's phases start on its channel block, a multiple of the packed
    // weights' blocks: the channel tiles' weight vectors are dense loads (elsewhere, gathers).
    // On small maps (narrow) the simplifier drops the column clamp that is off.
    Stage ungrouped = p.output.specialize(p.single_group);
    // One comparison per specialization, nested, so that every branch knows what narrow is:
    // in the else branch of specialize(narrow) Halide learned nothing from its disjunction,
    // kept the interleave's select of the clamped column, and fsrcnn_x2 ran 7x slower.
    if (p.narrow_width.defined()) {
        ungrouped.specialize(p.narrow_width);
        ungrouped.specialize(p.narrow_width_few_channels).specialize(p.few_channels);
    }
    // The input slab a task needs, zero border included, copied once per task so the
    // inner loops read dense memory instead of testing bounds.
    p.input_padded.compute_at(p.output, task).vectorize(_0, vec);
    for (Func table : p.tap_tables) table.compute_root();
    Func consumer = p.interleave.defined() ? p.interleave : p.output;  // the phases' one caller
    std::vector<VarOrRVar> rows_outer{p.qy};
    if (p.runtime_stride) rows_outer = {p.qy, p.px, p.py};
    const Expr narrow = p.narrow();
    for (const PhaseFunc &phase : p.phases) {
        schedule_phase(phase.func, phase.taps, consumer, p.output, task, p.qx, p.co, rows_outer, p.cout_per_group,
                       p.single_group, narrow, task_channels, p.input_block, target);
    }
}

// Tap products: tasks are blocks of output rows and columns (a task's products are then a
// few hundred KB, mostly in L2, whatever the map's width), and within a task the input
// slab, the products GEMM, the phases, and the interleave row by row. The GEMM's register
// tile is kProductRows rows x one vector of pixels x product_taps() taps, the input channels
// innermost: per channel, 2 input vectors and 6 weight broadcasts feed 12 FMAs (AVX2). 2 x 6
// measured fastest on FSRCNN's x2 and x3 deconvolutions (Zen 3); 4 vectors x 3 taps spilled
// a register (17 live), 9 x 1 and 3 x 3 were 5-10% slower. 32 registers (AVX-512) fit twice
// the taps (not measured: no AVX-512 machine).
constexpr int kTaskPhaseRows = 16;  // the products' halo rows are (taps - 1) / 16 of the work
// Maps are split in column blocks of at most this many phase columns, as even as the vector
// width allows, so a task's products stay bounded on any width.
constexpr int kTaskPhaseColumns = 256;
Expr task_columns(Expr output_width, int s, int vec) {
    Expr phase_width = (output_width + s - 1) / s;
    Expr blocks = (phase_width + kTaskPhaseColumns - 1) / kTaskPhaseColumns;
    Expr block = (phase_width + blocks - 1) / blocks;
    return (block + vec - 1) / vec * vec * s;
}
constexpr int kProductRows = 2;
int product_taps(const Target &t) { return t.has_feature(Target::AVX512_Skylake) ? 12 : 6; }

void schedule_tap_products_x86(TapProductParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>(), s = p.stride, taps = product_taps(target);
    static_assert(kTapPadding % 12 == 0 && kTapPadding % 6 == 0, "a GEMM tile's taps must divide the padding");
    bound_to_extents(p.output, p.ox, p.oy, p.co, p.n, p.extents);
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), blocks("blocks"), task("task");
    p.output.split(p.ox, xo, xi, task_columns(p.extents.width, s, vec), TailStrategy::GuardWithIf)
        .split(p.oy, yo, yi, kTaskPhaseRows * s, TailStrategy::GuardWithIf)
        .reorder(xi, yi, p.co, xo, yo, p.n)
        .fuse(xo, yo, blocks)
        .fuse(blocks, p.n, task)
        .parallel(task)
        .vectorize(xi, vec, TailStrategy::GuardWithIf);
    if (s >= 3) schedule_interleave(p.interleave, p.output, p.ox, s, yi, vec);
    p.input_padded.compute_at(p.output, task).vectorize(_0, vec);

    // The task's products in memory, computed tile by tile; each tile accumulates in its own
    // Func of constant extents, which LLVM keeps in registers (accumulating in the task's
    // buffer, whose strides are run-time values, it loaded and stored every accumulator per
    // input channel: it could not prove them apart).
    Func stored = p.products.in();
    Var ixo("ixo"), ixi("ixi"), iyo("iyo"), iyi("iyi"), to("tap_o"), ti("tap_i");
    stored.compute_at(p.output, task)
        .align_bounds(p.tap, taps)
        .split(p.ix, ixo, ixi, vec, TailStrategy::RoundUp)
        .split(p.iy, iyo, iyi, kProductRows, TailStrategy::RoundUp)
        .split(p.tap, to, ti, taps, TailStrategy::RoundUp)
        .reorder(ixi, iyi, ti, to, ixo, iyo)  // a pixel vector's input and weights stay in L1
        .vectorize(ixi)
        .unroll(iyi)
        .unroll(ti);
    p.products.compute_at(stored, to).vectorize(p.ix).unroll(p.iy).unroll(p.tap);
    p.products.update()
        .reorder(p.ix, p.iy, p.tap, p.input_channels)
        .vectorize(p.ix)
        .unroll(p.iy)
        .unroll(p.tap);
    for (PhaseFunc &phase : p.phases) {
        phase.func.compute_at(p.output, task).vectorize(p.qx, vec);
        phase.func.update().vectorize(p.qx, vec);
    }
}

void schedule_zero_insert_x86(ZeroInsertParts &p, const Target &target) {
    const int vec = target.natural_vector_size<float>();
    // The zero-inserted tensor is formed whole, as the conventional method does.
    Var task("task");
    p.zero_inserted.compute_root().fuse(p.ci, p.n, task).parallel(task).vectorize(p.x, vec);
    // The convolution gets the segregated phases' register tiles: a fair baseline.
    Expr task_channels = channels_per_task(p.extents, rows_per_task(1));
    Var conv_task = tile_output(p.output, p.ox, p.oy, p.co, p.n, vec, rows_per_task(1), task_channels).task;
    // As the segregated phases: in the ungrouped branch tasks start on a multiple of 16
    // channels (counted from 0, hence the bound), so the weight vectors are dense loads.
    p.output.bound(p.co, 0, p.extents.channels).specialize(p.single_group);
    schedule_phase(p.conv, p.taps, p.output, p.output, conv_task, p.ox, p.co, {p.oy}, p.cout_per_group, p.single_group,
                   Expr(), task_channels, p.input_block, target);
}

}  // namespace ksconv
