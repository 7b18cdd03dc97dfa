// CPU schedule of the FSRCNN network (x86: AVX-512, AVX2, SSE4.1; the vector width comes
// from the target).
//
// Every layer is a small GEMM per pixel row (pixels x output channels x taps*inputs), run
// in register tiles with the reduction outside the tile:
// - convolutions: kConvVectors vectors of pixels x a tile of output channels (a divisor of
//   the channel count); a tap's input vector is loaded once for all channels of the tile,
//   each weight is a broadcast;
// - deconvolution phases (one output channel each): a few vectors of pixels x rows, the tap
//   rows unrolled so each input row is loaded once for all output rows it feeds (phase_tile);
//   the zero-insert correlation: kPhaseVectors vectors x kPhaseRows rows, taps along x
//   unrolled. Each weight is one broadcast for the whole tile.
// Tasks are strips of low-resolution rows, run in parallel.
//
// Layer by layer (fusion=layers, what CMake builds): each map computed whole, rows in
// parallel, before the next layer starts. Fused (fusion=fused): every layer computed per
// block of kPhaseRows rows inside a task's strip, sliding down it, so a few rows of each map
// live in cache. Measured on the 2-vCPU AMD EPYC (Zen 1, AVX2) guest, 512x512 at x2, one
// thread, whole image in one call: layers 511-534 ms, fused 750-777 ms (strips of 64 rows;
// 838 ms with 16). Halide 14 recomputes the halo rows of every block of the deeper layers
// instead of sliding them (conv0's sum took 2.8x its time in layers), which costs more than
// the memory traffic fusion saves (the runtime's tiles keep each map of a call below 30 MiB).
// Layers, on a quieter machine, with 3 x 4 pixel tiles for the phases: 292 ms at x2 on one
// thread, 22.3 GFLOP/s, 57% of the 39 GFLOP/s an AVX2 FMA loop reaches on one core; the
// phases ran at ~16 GFLOP/s in Halide's profiler (each FMA loaded its own input vector),
// the 3x3 layers at ~22. phase_tile below shares input rows between output rows instead:
// 260-275 ms at x2, 305-316 at x3, 302-314 at x4 (from 292, 322, 315).
// Zero-insert deconvolution, same schedule, one thread: x2 1183 ms, x3 3083 ms, x4 4316 ms
// against segregated 511, 554 and 629 ms.
#include <algorithm>

#include "fsrcnn_schedules.h"

using namespace Halide;

namespace ksconv {
namespace {

constexpr int kConvVectors = 3;
constexpr int kPhaseVectors = 3;
constexpr int kPhaseRows = 4;
constexpr int kStripRows = 16;       // layers: low-resolution rows per parallel task
constexpr int kFusedStripRows = 64;  // fused: rows per task; each task recomputes its halo

// Accumulators a register tile may hold: 32 vector registers with AVX-512, 16 below, a few
// kept for operands.
int accumulators(const Target &t) {
    return t.has_feature(Target::AVX512_Skylake) ? 24 : 12;
}

// The largest tile of output channels that divides the channel count and fits the budget.
int channel_tile(int channels, int budget) {
    for (int tile = std::min(channels, budget); tile > 1; tile--) {
        if (channels % tile == 0) return tile;
    }
    return 1;
}

// A convolution layer in register tiles; the caller decides where the layer is computed.
// x tiles outside channel tiles: a tile's input patch stays in L1 for all channels.
void tile_conv(FsrcnnConv &conv, const FsrcnnParts &p, const Target &t) {
    const int vec = t.natural_vector_size<float>();
    const int channels = channel_tile(conv.channels, accumulators(t) / kConvVectors);
    Var xo("xo"), xi("xi"), co("co"), ci("ci");
    conv.layer.split(p.x, xo, xi, vec * kConvVectors, TailStrategy::RoundUp)
        .split(p.c, co, ci, channels, TailStrategy::RoundUp)
        .reorder(xi, ci, co, xo, p.y)
        .vectorize(xi, vec)
        .unroll(ci);
    const RDom &r = conv.taps;
    conv.sum.compute_at(conv.layer, co).vectorize(p.x, vec).unroll(p.x).unroll(p.c);
    conv.sum.update().reorder(p.x, p.c, r.x, r.y, r.z).vectorize(p.x, vec).unroll(p.x).unroll(p.c).unroll(r.x);
}

// Register tile of a one-channel correlation: `vectors` vectors of pixels x `rows` rows.
// With the tap rows unrolled innermost, an input row loaded once feeds every output row
// of the tile it reaches (rows + taps - 1 loads for rows * taps FMAs per pixel vector).
struct SingleChannelTile {
    int vectors, rows;
    bool share_rows;
};

// FSRCNN's phases, measured in Halide's profiler on one Zen 1 core (phase time, 512x512):
// x2 (5 tap rows) 1 vector x 8 rows sharing rows 36.5 ms against 49.8 for 3 x 4 without;
// x3 (3 tap rows) 2 x 4 sharing 50.0 against 63.5; x4 (3 and 2 tap rows) 2 x 4 sharing 50.3
// against 51.6. More accumulators (1 x 10, 1 x 12) or more unrolling spill.
SingleChannelTile phase_tile(int tap_rows) {
    return tap_rows >= 5 ? SingleChannelTile{1, 8, true} : SingleChannelTile{2, 4, true};
}
// The zero-insert correlation has 9 tap rows: unrolled they would spill; the pixel tile.
constexpr SingleChannelTile kZeroInsertTile{kPhaseVectors, kPhaseRows, false};

// A one-channel correlation f(x, y) (a phase, or the zero-insert convolution) computed for
// the consumer's loop `at` in register tiles; r = (tap x, tap y, input channel).
void tile_single_channel(Func f, const RDom &r, Var x, Var y, Func consumer, Var at, SingleChannelTile tile,
                         const Target &t) {
    const int vec = t.natural_vector_size<float>();
    Func rows = f.in(consumer);
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
    rows.compute_at(consumer, at)
        .split(x, xo, xi, vec * tile.vectors, TailStrategy::RoundUp)
        .split(y, yo, yi, tile.rows, TailStrategy::RoundUp)
        .reorder(xi, yi, xo, yo)
        .vectorize(xi, vec)
        .unroll(yi);
    f.compute_at(rows, xo).vectorize(x, vec).unroll(x).unroll(y);
    Stage update = f.update();
    if (tile.share_rows) {
        update.reorder(x, y, r.y, r.x, r.z).unroll(r.y);
    } else {
        update.reorder(x, y, r.x, r.y, r.z).unroll(r.x);
    }
    update.vectorize(x, vec).unroll(x).unroll(y);
}

}  // namespace

void schedule_fsrcnn_x86(FsrcnnParts &p, const Target &t) {
    const int vec = t.natural_vector_size<float>();
    const int s = p.scale;
    Func out = p.output;
    // Output: each unrolled (xr, yr) is one phase, so the interleave select folds away and
    // the s strided stores of a row merge into dense ones.
    Var xq("xq"), xr("xr"), yq("yq"), yr("yr"), strip("strip"), block("block"), yb("yb");
    out.split(p.oy, yq, yr, s, TailStrategy::RoundUp)
        .split(p.ox, xq, xr, s, TailStrategy::RoundUp)
        .reorder(xr, xq, yr, yq)
        .unroll(xr)
        .unroll(yr)
        .vectorize(xq, vec, TailStrategy::GuardWithIf)
        .split(yq, strip, yq, p.fusion == FsrcnnFusion::fused ? kFusedStripRows : kStripRows, TailStrategy::GuardWithIf)
        .parallel(strip);
    const bool fused = p.fusion == FsrcnnFusion::fused;
    Var deconv_at = strip;
    if (fused) {
        out.split(yq, block, yb, kPhaseRows, TailStrategy::GuardWithIf);
        deconv_at = block;
    }

    // Where the layers are computed: whole maps in parallel rows (layers), or row blocks
    // sliding down each task's strip (fused: a few rows of each map live at a time).
    auto place = [&](Func f) {
        if (fused) {
            f.compute_at(out, block).store_at(out, strip);
        } else {
            Var yo("yo"), yi("yi");
            f.compute_root().split(p.y, yo, yi, kStripRows, TailStrategy::GuardWithIf).parallel(yo);
        }
    };
    place(p.input_padded);
    p.input_padded.vectorize(p.x, vec, TailStrategy::GuardWithIf);
    for (FsrcnnConv &conv : p.convs) {
        tile_conv(conv, p, t);
        place(conv.layer);
    }
    if (p.deconv == FsrcnnDeconv::segregated) {
        // Phase 0 has the most taps: ceil(9 / scale) rows of them.
        const SingleChannelTile tile = phase_tile((9 + s - 1) / s);
        for (size_t i = 0; i < p.phases.size(); i++) {
            tile_single_channel(p.phases[i], p.phase_taps[i], p.qx, p.qy, out, deconv_at, tile, t);
        }
    } else {
        // The conventional method forms the zero-inserted map (whole, or per row block).
        Var hx = p.zero_inserted.args()[0], hy = p.zero_inserted.args()[1];
        if (fused) {
            p.zero_inserted.compute_at(out, block).store_at(out, strip);
        } else {
            Var yo("yo"), yi("yi");
            p.zero_inserted.compute_root().split(hy, yo, yi, kStripRows, TailStrategy::GuardWithIf).parallel(yo);
        }
        p.zero_inserted.vectorize(hx, vec, TailStrategy::GuardWithIf);
        tile_single_channel(p.zero_insert_conv, p.zero_insert_taps, p.ox, p.oy, out, deconv_at, kZeroInsertTile, t);
    }
}

}  // namespace ksconv
