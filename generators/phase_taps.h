// Which kernel taps feed which output phase, as Halide expressions of the run-time kernel
// size and dilation. Along one axis with stride s, dilation d and kernel size K, output
// phase r = (o + pad) mod s meets the taps k with k*d = r (mod s). They are
//   k0, k0 + step, k0 + 2*step, ...   (k0 the smallest such k in [0, s), step = s / gcd(s, d))
// and tap j of the phase reads input  q + offset - j * tap_step  at quotient q = (o + pad) / s,
// with offset = (r - k0*d) / s and tap_step = d / gcd(s, d).
// runtime/src/packing.cpp lays out the sub-kernels by the same rule.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"

namespace ksconv {

struct PhaseTaps {
    Halide::Expr count;     // number of taps (0: the phase is bias only)
    Halide::Expr offset;    // input offset of tap 0
    Halide::Expr tap_step;  // input step between successive taps
    // Compile-time stride only: tap j is kernel index first + j * kernel_step.
    Halide::Expr first, kernel_step;
    std::vector<Halide::Func> tables;  // run-time stride only: small Funcs to compute_root
};

// Phase `r` of a compile-time stride `s`, for run-time kernel size and dilation.
inline PhaseTaps phase_taps(int r, int s, Halide::Expr kernel, Halide::Expr dilation) {
    using Halide::Expr;
    using Halide::select;
    Expr gcd = 1;
    for (int div = 2; div <= s; div++) {
        if (s % div == 0) gcd = select(dilation % div == 0, div, gcd);
    }
    Expr step = s / gcd;
    Expr first = s;  // s means "no tap"
    for (int k = s - 1; k >= 0; k--) first = select((k * dilation - r) % s == 0, k, first);
    PhaseTaps taps;
    taps.count = select(first < s && first < kernel, (kernel - first + step - 1) / step, 0);
    taps.offset = select(first < s, (r - first * dilation) / s, 0);
    taps.tap_step = dilation / gcd;
    taps.first = first;
    taps.kernel_step = step;
    return taps;
}

// Quotient q of an output coordinate clamped to the quotients that phase r has in an output
// of `extent` pixels with padding `pad`: q is unchanged where the phase is selected, but
// Halide then sizes each phase by its own residue class instead of by the whole output's
// range (at stride 2 with odd padding, one row and one column fewer per phase).
inline Halide::Expr phase_quotient(Halide::Expr q, int r, int s, Halide::Expr pad, Halide::Expr extent) {
    return Halide::clamp(q, (pad - r + s - 1) / s, (pad + extent - 1 - r) / s);
}

// The interleave of s_x * s_y phases: phase_at(i) of phase (i % sx, i / sx) where the output
// coordinate's remainders are (rx, ry).
template <typename PhaseAt>
Halide::Expr interleave_phases(int sx, int sy, Halide::Expr rx, Halide::Expr ry, PhaseAt phase_at) {
    Halide::Expr value = phase_at(sx * sy - 1);
    for (int i = sx * sy - 2; i >= 0; i--) value = Halide::select(ry == i / sx && rx == i % sx, phase_at(i), value);
    return value;
}

// Phase `r` (an Expr in [0, s)) of a compile-time stride `s`: each phase's taps, picked by r.
// A schedule that unrolls r over [0, s) gets phase_taps(r, ...) in each copy.
inline PhaseTaps phase_taps_of(Halide::Expr r, int s, Halide::Expr kernel, Halide::Expr dilation) {
    PhaseTaps taps = phase_taps(s - 1, s, kernel, dilation);
    for (int i = s - 2; i >= 0; i--) {
        PhaseTaps t = phase_taps(i, s, kernel, dilation);
        taps.count = Halide::select(r == i, t.count, taps.count);
        taps.offset = Halide::select(r == i, t.offset, taps.offset);
    }
    return taps;  // tap_step does not depend on the phase
}

// Phase `r` (a Var or Expr in [0, s)) of a run-time stride `s`. With m = s / gcd(s, d) (the
// tap step) and g = s / m, phase r has taps iff g divides r, and then its first tap is
// k0 = (r / g) * inverse(d / g) mod m. The step and the inverse are found by small scalar
// reductions, O(s) each; trying every k per phase instead cost O(s^2) (minutes at the
// strides up to 2^20 that validation accepts). Products that can pass 2^31 are in int64.
// Offsets are clamped to their proven range (1 - d .. 0) so Halide can bound the input reads.
inline PhaseTaps phase_taps_runtime(Halide::Expr r, Halide::Expr s, Halide::Expr kernel, Halide::Expr dilation,
                                    const std::string &axis) {
    using namespace Halide;
    RDom t(1, s, "tap_period_" + axis);  // step = smallest t >= 1 with s | t*d
    Func step("tap_period_" + axis);
    step() = s;
    step() = min(step(), select((cast<int64_t>(t) * dilation) % s == 0, t, s));
    Expr m = step(), g = s / step();
    RDom u(0, s, "tap_inverse_" + axis);  // inverse of d / g modulo m (1 % m is 0 when m = 1)
    Func inverse("tap_inverse_" + axis);
    inverse() = s;
    inverse() = min(inverse(), select(u < m && (cast<int64_t>(u) * (dilation / g)) % m == 1 % m, u, s));
    Var p("p");
    Func first("first_tap_" + axis);
    first(p) = select(p % g == 0, cast<int>((cast<int64_t>(p / g) * inverse()) % m), s);

    Expr k0 = clamp(first(r), 0, s);
    PhaseTaps taps;
    taps.count = select(k0 < s && k0 < kernel, (kernel - k0 + m - 1) / m, 0);
    taps.offset = clamp(select(k0 < s, cast<int>((r - cast<int64_t>(k0) * dilation) / s), 0), 1 - dilation, 0);
    taps.tap_step = clamp(dilation / g, 1, dilation);
    taps.tables = {first, step, inverse};
    return taps;
}

}  // namespace ksconv
