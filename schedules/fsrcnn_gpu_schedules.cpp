// GPU schedule of the FSRCNN network, one source for CUDA and OpenCL.
//
// Layer by layer, each map in device memory: a kernel per convolution in which a thread
// computes a few output channels of one pixel in registers (its input reads coalesce
// along rows of a 32-wide block; the weights are broadcasts), then one kernel per
// deconvolution phase (a thread per phase pixel) and one that interleaves the phases.
// Intermediate maps are rounded up to whole blocks, so no kernel but the last needs a
// tail guard (guards multiply the code PoCL compiles; see schedules/gpu_schedules.cpp).
#include "fsrcnn_schedules.h"

using namespace Halide;

namespace ksconv {
namespace {

constexpr int kBlockX = 32;
constexpr int kBlockY = 8;
constexpr int kThreadChannels = 4;  // accumulators per thread

int channel_tile(int channels) {
    for (int tile = kThreadChannels; tile > 1; tile--) {
        if (channels % tile == 0) return tile;
    }
    return 1;
}

// One kernel computing f (x, y, [channel]): a thread per pixel, blocks of kBlockX x kBlockY
// pixels, and with `channels` > 0 a tile of that many channels unrolled in each thread, the
// channel tiles in more blocks. Returns the innermost thread variable.
Var thread_per_pixel(Func f, Var x, Var y, TailStrategy tail, Var c = Var(), int channels = 0) {
    Var xo("xo"), yo("yo"), xi("xi"), yi("yi"), co("co"), ci("ci");
    f.compute_root().split(x, xo, xi, kBlockX, tail).split(y, yo, yi, kBlockY, tail);
    if (channels == 0) {
        f.reorder(xi, yi, xo, yo).gpu_blocks(xo, yo).gpu_threads(xi, yi);
        return xi;
    }
    f.split(c, co, ci, channels, TailStrategy::RoundUp)
        .reorder(ci, xi, yi, xo, yo, co)
        .gpu_blocks(xo, yo, co)
        .gpu_threads(xi, yi)
        .unroll(ci);
    return xi;
}

// A one-channel correlation (a phase, the zero-insert convolution) as its own kernel: the
// sum accumulates in a register of each thread.
void single_channel_kernel(Func f, const RDom &r, Var x, Var y, TailStrategy tail) {
    Func pixels = f.in();
    f.compute_at(pixels, thread_per_pixel(pixels, x, y, tail));
    f.update().reorder(r.x, r.y, r.z);
}

}  // namespace

void schedule_fsrcnn_gpu(FsrcnnParts &p, const Target &) {
    thread_per_pixel(p.input_padded, p.x, p.y, TailStrategy::RoundUp);
    for (FsrcnnConv &conv : p.convs) {
        Var thread = thread_per_pixel(conv.layer, p.x, p.y, TailStrategy::RoundUp, p.c, channel_tile(conv.channels));
        conv.sum.compute_at(conv.layer, thread).unroll(p.c);
        conv.sum.update().reorder(p.c, conv.taps.x, conv.taps.y, conv.taps.z).unroll(p.c);
    }
    if (p.deconv == FsrcnnDeconv::segregated) {
        for (size_t i = 0; i < p.phases.size(); i++) {
            single_channel_kernel(p.phases[i], p.phase_taps[i], p.qx, p.qy, TailStrategy::RoundUp);
        }
    } else {
        Var hx = p.zero_inserted.args()[0], hy = p.zero_inserted.args()[1];
        thread_per_pixel(p.zero_inserted, hx, hy, TailStrategy::RoundUp, p.c, 1);
        single_channel_kernel(p.zero_insert_conv, p.zero_insert_taps, p.ox, p.oy, TailStrategy::RoundUp);
    }
    thread_per_pixel(p.output, p.ox, p.oy, TailStrategy::GuardWithIf);
}

}  // namespace ksconv
