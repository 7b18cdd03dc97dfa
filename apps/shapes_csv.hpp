// The benchmark's shape list: a CSV file with the header
//   name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation,groups
// and one layer per line (stride, pad, output_pad and dilation apply to both dimensions).
// Blank lines and lines starting with '#' are skipped.
#pragma once

#include <string>
#include <vector>

#include "ksconv/conv_transpose.hpp"

namespace ksconv::cli {

struct BenchShape {
    std::string name;
    int line = 0;  // line number in the file, for messages
    Shape4 input;  // N x Cin x H x W
    WeightShape weights;
    ConvTransposeParams params;
    Shape4 output;
};

extern const char kShapesHeader[];

// Reads and validates every line; a problem throws ksconv::Error "PATH line K: ...".
std::vector<BenchShape> read_shapes_csv(const std::string &path);

}  // namespace ksconv::cli
