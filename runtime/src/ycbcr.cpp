#include "ksconv/ycbcr.hpp"

namespace ksconv {
namespace {

// Rows: Y, Cb, Cr; columns: R, G, B (8-bit units per unit of R, G, B).
constexpr double kForward[3][3] = {
    {65.481, 128.553, 24.966},
    {-37.797, -74.203, 112.0},
    {112.0, -93.786, -18.214},
};
constexpr double kOffset[3] = {16.0, 128.0, 128.0};

struct Inverse {
    float m[3][3];
};

// The adjugate over the determinant, once, in double.
Inverse invert() {
    const auto &a = kForward;
    double cof[3][3];
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            const int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
            cof[i][j] = a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1];
        }
    }
    const double det = a[0][0] * cof[0][0] + a[0][1] * cof[0][1] + a[0][2] * cof[0][2];
    Inverse inv;
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) inv.m[i][j] = float(cof[j][i] / det);
    }
    return inv;
}

const Inverse &inverse() {
    static const Inverse inv = invert();
    return inv;
}

}  // namespace

YCbCr rgb_to_ycbcr(const Rgb &c) {
    const auto &a = kForward;
    YCbCr out;
    out.y = float(kOffset[0] + a[0][0] * c.r + a[0][1] * c.g + a[0][2] * c.b);
    out.cb = float(kOffset[1] + a[1][0] * c.r + a[1][1] * c.g + a[1][2] * c.b);
    out.cr = float(kOffset[2] + a[2][0] * c.r + a[2][1] * c.g + a[2][2] * c.b);
    return out;
}

Rgb ycbcr_to_rgb(const YCbCr &c) {
    const auto &m = inverse().m;
    const float y = c.y - float(kOffset[0]), cb = c.cb - float(kOffset[1]), cr = c.cr - float(kOffset[2]);
    Rgb out;
    out.r = m[0][0] * y + m[0][1] * cb + m[0][2] * cr;
    out.g = m[1][0] * y + m[1][1] * cb + m[1][2] * cr;
    out.b = m[2][0] * y + m[2][1] * cb + m[2][2] * cr;
    return out;
}

}  // namespace ksconv
