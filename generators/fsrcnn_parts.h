// The Funcs of the FSRCNN network, handed from the generator (what is computed) to the
// schedules (how), so the schedules in schedules/ reach every stage without the generator
// knowing the target.
#pragma once

#include <vector>

#include "Halide.h"

namespace ksconv {

enum class FsrcnnDeconv { segregated, zero_insert };
enum class FsrcnnFusion { layers, fused };

// A convolution + PReLU layer: `sum` is bias + correlation, `layer` the activation, zero
// outside the image (what zero padding at the image border means for every layer).
struct FsrcnnConv {
    Halide::Func sum, layer;
    Halide::RDom taps;  // (kx, ky, ci)
    int channels = 0;   // output channels
    int kernel = 1;
};

struct FsrcnnParts {
    Halide::Func input_padded{"input_padded"};  // (x, y): Y/255, zero outside the image
    std::vector<FsrcnnConv> convs;              // layers 0 .. m+2, each (x, y, c)
    // Segregated deconvolution: one Func (qx, qy) per phase, phase (px, py) at index
    // py*scale + px, each reducing over taps (tx, ty, ci).
    std::vector<Halide::Func> phases;
    std::vector<Halide::RDom> phase_taps;
    // Zero-insert deconvolution: the expanded map with zeros inserted (hx, hy, ci) and a
    // dense 9x9 correlation of it (ox, oy) with the flipped kernel.
    Halide::Func zero_inserted{"zero_inserted"}, zero_insert_conv{"zero_insert_conv"};
    Halide::RDom zero_insert_taps;       // (kx, ky, ci)
    Halide::Func output{"fsrcnn"};       // (ox, oy): the tile's high-resolution pixels
    Halide::Var x{"x"}, y{"y"}, c{"c"};  // low-resolution image coordinates, channel
    Halide::Var ox{"ox"}, oy{"oy"};      // output coordinates relative to the tile
    Halide::Var qx{"qx"}, qy{"qy"};      // phase (low-resolution) coordinates
    int scale = 2;
    FsrcnnDeconv deconv = FsrcnnDeconv::segregated;
    FsrcnnFusion fusion = FsrcnnFusion::layers;
};

}  // namespace ksconv
