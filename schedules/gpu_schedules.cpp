// GPU schedules (CUDA and OpenCL from the same source).
//
// Transposed convolution. A GPU block computes one output tile of kTileX x kTileY pixels
// for kBlockChannels output channels of one image (gpu_tiles.h).
// - Compile-time strides (ungrouped layers): all sh*sw phases are one Func with the phase
//   as a dimension (SegregatedParts::phases). The block walks the input channels in
//   chunks; for each, its threads stage the chunk's input tile in shared (OpenCL: local)
//   memory together, then every thread accumulates all phases of one quotient pixel for
//   kThreadChannels channels in registers, reading every phase's taps from that one tile
//   (schedule_all_phases). The block's phases sit in shared memory, from which the block
//   writes the interleaved output one thread per output pixel along rows, so a warp's
//   stores are contiguous.
// - Run-time strides, grouped layers, and tiles too big for shared memory: each phase
//   pixel's thread reads the input through L1 (schedule_accumulation), neighbouring threads
//   neighbouring pixels so a warp's loads coalesce; the same shared-memory interleave.
// Sub-kernel loads are broadcasts (all threads of a block use the same weights). No thread
// ever touches an inserted zero: the phases read the original input.
//
// Image upscaling: a block covers 32*s output columns and kUpscaleRows source rows (s
// output rows each). The horizontal pass (already interleaved like the output) is computed
// once per block into shared memory, covering the rows the vertical taps reach; every
// output thread then computes its s row phases from it, so each horizontally filtered
// sample is computed once and shared by all s row phases.
#include "gpu_schedules.h"

#include "gpu_tiles.h"

using namespace Halide;

namespace ksconv {
namespace {

using namespace gpu_tiles;

// Output tile per block, one thread per output pixel of the tile, the block's channels in
// each thread. Returns the block-level loop where the phases are computed.
Var tile_output(Func output, Var ox, Var oy, Var co, Var n) {
    Var xo("xo"), yo("yo"), xi("xi"), yi("yi"), cb("cb"), ci("c_in_block"), block("block");
    output.split(ox, xo, xi, kTileX, TailStrategy::GuardWithIf)
        .split(oy, yo, yi, kTileY, TailStrategy::GuardWithIf)
        .split(co, cb, ci, kBlockChannels, TailStrategy::GuardWithIf)
        .reorder(ci, xi, yi, xo, yo, cb, n)
        .fuse(cb, n, block)
        .gpu_blocks(xo, yo, block)
        .gpu_threads(xi, yi);
    return xo;
}

// One phase (or the zero-insert convolution) for a block: `rows` holds the block's part in
// shared memory; each thread computes kThreadChannels channels of one pixel in registers,
// reducing over r = (ci in group, tap x, tap y). `x`, `y` are the Func's pixel variables,
// `c` its channel; `serial` are further pure variables looped inside each thread (the
// phase of a run-time stride). Layers with fewer channels per group than a thread's tile
// get one channel per thread instead of wasted accumulators.
// `stride_x`, `stride_y` (0: known only at run time) bound the block's quotient grid
// (quotient_extent). With the bound as the thread count, no loop needs a tail guard
// (guards multiply the generated code, which PoCL then compiles for minutes).
void schedule_accumulation(Func f, const RDom &r, Func output, Var block, Var x, Var y, Var c,
                           const std::vector<Var> &serial, Expr cout_per_group, int stride_x, int stride_y) {
    Func rows = f.in(output);
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("c_tile"), cii("c_in_tile");
    rows.compute_at(output, block);
    const bool bounded = stride_x > 0 && stride_y > 0;
    if (bounded) {
        rows.bound_extent(x, quotient_extent(kTileX, stride_x)).bound_extent(y, quotient_extent(kTileY, stride_y));
    }
    for (int channels : {kThreadChannels, 1}) {
        Stage s = channels == 1 ? Stage(rows) : rows.specialize(cout_per_group >= channels);
        s.split(c, co, cii, channels, TailStrategy::RoundUp);
        std::vector<VarOrRVar> order{cii, co};
        order.insert(order.end(), serial.begin(), serial.end());
        if (bounded) {
            for (VarOrRVar v : std::vector<VarOrRVar>{x, y}) order.push_back(v);
            s.reorder(order).gpu_threads(x, y).unroll(cii);
            continue;
        }
        // A run-time stride: up to kTileX + 1 columns (stride 1 on that axis).
        for (VarOrRVar v : std::vector<VarOrRVar>{xi, yi, xo, yo}) order.push_back(v);
        s.split(x, xo, xi, kTileX + 1, TailStrategy::GuardWithIf)
            .split(y, yo, yi, kTileY + 1, TailStrategy::GuardWithIf)
            .reorder(order)
            .gpu_threads(xi, yi)
            .unroll(cii);
    }
    // Registers: a thread's tile of channels, the reduction inside.
    f.compute_at(rows, co).unroll(c);
    f.update().reorder(c, r.x, r.y, r.z).unroll(c);
}

// All phases of a compile-time stride (the one Func of SegregatedParts::phases) for a block. The
// reduction over input channels is factored (rfactor) into chunks of kInputChunk channels:
// for each chunk, at block level,
// 1. the block's threads copy the chunk's input tile into shared memory together
//    (neighbouring threads, neighbouring pixels: coalesced);
// 2. each thread owns one quotient pixel and walks the block's channels kThreadChannels at
//    a time, accumulating every phase of them over the chunk in registers (phases and
//    channels unrolled), reading the taps of all its phases from the shared tile: each
//    input tile is loaded once for all sh*sw phases;
// 3. the thread adds its sums into the block's phases, kept in shared memory, from which the
//    output threads finally store the interleaved pixels.
void schedule_all_phases(SegregatedParts &p, Var block) {
    Func f = p.phases[0].func;
    const RDom &r = p.phases[0].taps;
    RVar chunk("ci_chunk"), in_chunk("ci_in_chunk");
    Var k("chunk");
    f.update().split(r.x, chunk, in_chunk, kInputChunk, TailStrategy::GuardWithIf);
    Func partial = f.update().rfactor(chunk, k);  // (qx, qy, px, py, co, g, n, chunk)

    f.compute_at(p.output, block)
        .bound_extent(p.qx, quotient_extent(kTileX, p.stride_x))
        .bound_extent(p.qy, quotient_extent(kTileY, p.stride_y))
        .bound(p.px, 0, p.stride_x)
        .bound(p.py, 0, p.stride_y)
        .bound(p.g, 0, 1);  // ungrouped: the output asks for group 0 only
    Var co("c_tile"), cii("c_in_tile");
    for (int channels : {kThreadChannels, 1}) {
        Expr wide = p.cout_per_group >= channels;
        Stage init = channels == 1 ? Stage(f) : f.specialize(wide);
        Stage merge = channels == 1 ? f.update() : f.update().specialize(wide);
        for (Stage s : {init, merge}) {
            s.split(p.co, co, cii, channels, TailStrategy::RoundUp)
                .gpu_threads(p.qx, p.qy)
                .unroll(cii)
                .unroll(p.px)
                .unroll(p.py);
        }
        // A thread walks the block's channel tiles: the thread count stays the quotient grid's.
        init.reorder(cii, p.px, p.py, co, p.qx, p.qy, p.g, p.n);
        merge.reorder(cii, p.px, p.py, co, p.qx, p.qy, p.g, p.n, chunk);
    }
    // A thread's sums over one chunk for one channel tile: registers.
    partial.compute_at(f, co).unroll(p.co).unroll(p.px).unroll(p.py);
    partial.update().reorder(p.co, r.y, r.z, p.px, p.py, in_chunk).unroll(p.co).unroll(p.px).unroll(p.py);
    // The chunk's input tile, spread over the threads' (x, y) grid; channels loop inside.
    Func staged = p.input_padded.in(partial);
    std::vector<Var> a = staged.args();  // (ix, iy, ci, n)
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
    staged.compute_at(f, chunk)
        .split(a[0], xo, xi, quotient_extent(kTileX, p.stride_x), TailStrategy::GuardWithIf)
        .split(a[1], yo, yi, quotient_extent(kTileY, p.stride_y), TailStrategy::GuardWithIf)
        .reorder(xi, yi, a[2], a[3], xo, yo)
        .gpu_threads(xi, yi);
}

}  // namespace

void schedule_segregated_gpu(SegregatedParts &p, const Target &) {
    Var block = tile_output(p.output, p.ox, p.oy, p.co, p.n);
    for (Func table : p.tap_tables) table.compute_root();
    if (p.runtime_stride) {
        schedule_accumulation(p.phases[0].func, p.phases[0].taps, p.output, block, p.qx, p.qy, p.co, {p.px, p.py},
                              p.cout_per_group, 0, 0);
        return;
    }
    p.output.specialize(p.single_group);
    p.output.specialize_fail("the compile-time-stride GPU kernels take ungrouped layers");
    schedule_all_phases(p, block);
}

void schedule_zero_insert_gpu(ZeroInsertParts &p, const Target &) {
    // The zero-inserted tensor is formed whole in device memory, as the conventional
    // method does; then the same per-block accumulation as a segregated phase.
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), plane("plane");
    p.zero_inserted.compute_root()
        .fuse(p.ci, p.n, plane)
        .gpu_tile(p.x, p.y, xo, yo, xi, yi, kTileX, kTileY, TailStrategy::GuardWithIf);
    Var block = tile_output(p.output, p.ox, p.oy, p.co, p.n);
    schedule_accumulation(p.conv, p.taps, p.output, block, p.ox, p.oy, p.co, {}, p.cout_per_group, 1, 1);
}

void schedule_upscale_gpu(UpscaleParts &p, const Target &) {
    const int s = p.scale;
    constexpr int kUpscaleRows = 8;  // source rows per block
    Func out = p.output;
    Var xo("xo"), xi("xi"), qy("qy_o"), py("py_o"), qyo("qyo"), qyi("qyi");
    // Each unrolled py is one row phase, so the interleave select folds away.
    out.split(p.y, qy, py, s, TailStrategy::RoundUp)
        .split(qy, qyo, qyi, kUpscaleRows, TailStrategy::GuardWithIf)
        .split(p.x, xo, xi, kTileX * s, TailStrategy::GuardWithIf)
        .reorder(p.c, py, xi, qyi, xo, qyo)
        .gpu_blocks(xo, qyo)
        .gpu_threads(xi, qyi)
        .unroll(py);
    for (int channels = 1; channels <= 4; channels++) out.specialize(p.channels == channels).unroll(p.c);
    out.specialize_fail("upscaling takes 1 to 4 channels");
    // The horizontal pass in shared memory; blocks start at multiples of s columns, so the
    // unrolled px of each thread is one column phase.
    Var qx("qx_c"), px("px_c"), rows_o("rows_o"), rows_i("rows_i");
    p.columns.compute_at(out, xo)
        .split(p.x, qx, px, s, TailStrategy::RoundUp)
        .split(p.y, rows_o, rows_i, kUpscaleRows, TailStrategy::GuardWithIf)
        .reorder(p.c, px, qx, rows_i, rows_o)
        .gpu_threads(qx, rows_i)
        .unroll(px);
    for (int channels = 1; channels <= 4; channels++) p.columns.specialize(p.channels == channels).unroll(p.c);
}

}  // namespace ksconv
