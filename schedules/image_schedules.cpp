#include "image_schedules.h"

using namespace Halide;

namespace ksconv {

void schedule_upscale_x86(UpscaleParts &p, const Target &target) {
    const int s = p.scale;
    const int vec = target.natural_vector_size(p.accumulator);
    Func out = p.output;
    Var qy("qy_o"), py("py_o"), task("task"), cx("cx"), cxo("cxo"), cxi("cxi");
    // Each unrolled py is one row phase: the interleave select folds away. Channels and
    // columns fuse into one dense run of samples per output row. The phases sit inside the
    // vector loop: the s output rows of a source row read the same few rows of `columns`,
    // so each vector of them is loaded once for all s phases.
    out.split(p.y, qy, py, s, TailStrategy::RoundUp)
        .fuse(p.c, p.x, cx)
        .split(cx, cxo, cxi, vec * 2, TailStrategy::GuardWithIf)
        .reorder(cxi, py, cxo, qy)
        .unroll(py)
        .vectorize(cxi);
    const int rows_per_task = 16;
    out.split(qy, task, qy, rows_per_task, TailStrategy::GuardWithIf).parallel(task);
    for (int channels = 1; channels <= 4; channels++) out.specialize(p.channels == channels);
    // The runtime accepts 1 to 4 channels; no code for other counts.
    out.specialize_fail("upscaling takes 1 to 4 channels");
    // The horizontal pass runs once per source row; sliding over the task's rows reuses the
    // rows the previous output rows already needed.
    Var qx("qx_c"), px("px_c");
    p.columns.compute_at(out, qy)
        .store_at(out, task)
        .split(p.x, qx, px, s, TailStrategy::RoundUp)
        .reorder(p.c, px, qx, p.y)
        .unroll(px)
        .vectorize(qx, vec, TailStrategy::GuardWithIf);
    for (int channels = 1; channels <= 4; channels++) p.columns.specialize(p.channels == channels).unroll(p.c);
    // Widen each source row once, densely: strided loads that also convert would be split
    // into scalar inserts on x86.
    Var wx("wx");
    p.widened.compute_at(p.columns, p.y)
        .store_at(out, task)
        .fuse(p.c, p.x, wx)
        .vectorize(wx, vec, TailStrategy::GuardWithIf);
}

}  // namespace ksconv
