// Parameter shorthands shared by the unit tests.
#pragma once

#include "ksconv/conv_transpose.hpp"

namespace ksconv::test {

// PyTorch-style parameters: the same value on both axes and all four padding sides.
inline ConvTransposeParams symmetric(int stride, int pad, int output_pad = 0, int dilation = 1, int groups = 1) {
    ConvTransposeParams p;
    p.stride_h = p.stride_w = stride;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.output_padding_h = p.output_padding_w = output_pad;
    p.dilation_h = p.dilation_w = dilation;
    p.groups = groups;
    return p;
}

}  // namespace ksconv::test
