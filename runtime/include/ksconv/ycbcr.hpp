// BT.601 studio-range YCbCr, as MATLAB's rgb2ycbcr computes it and as the super-resolution
// literature (and ksconv's FSRCNN models) measure luminance. In 8-bit units, for R, G, B in
// [0, 1]:
//   Y  =  16 +  65.481 R + 128.553 G +  24.966 B      (16 .. 235)
//   Cb = 128 -  37.797 R -  74.203 G + 112.000 B      (16 .. 240)
//   Cr = 128 + 112.000 R -  93.786 G -  18.214 B      (16 .. 240)
// A gray value v in [0, 1] is R = G = B = v: Y = 16 + 219 v, Cb = Cr = 128 exactly (the Cb
// and Cr rows sum to zero), so gray images keep their chroma neutral.
#pragma once

namespace ksconv {

struct YCbCr {
    float y = 0, cb = 0, cr = 0;  // 8-bit units, not rounded
};

struct Rgb {
    float r = 0, g = 0, b = 0;  // [0, 1] for colours inside the RGB cube; not clamped
};

YCbCr rgb_to_ycbcr(const Rgb &rgb);

// The exact inverse of rgb_to_ycbcr (the matrix inverted in double precision).
Rgb ycbcr_to_rgb(const YCbCr &ycc);

// Gray: Y of a gray value in [0, 1], and back.
inline float gray_to_y(float v) {
    return 16.0f + 219.0f * v;
}
inline float y_to_gray(float y) {
    return (y - 16.0f) / 219.0f;
}

}  // namespace ksconv
