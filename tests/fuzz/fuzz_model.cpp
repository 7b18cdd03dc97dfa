// libFuzzer target: ksconv::read_fsrcnn_model on arbitrary bytes. Every input must either be
// refused with ksconv::Error or load; anything else (a crash, a sanitizer report, a leak, a
// huge allocation) is a finding. The format has exactly one encoding of each model, so a
// loaded model written back here must reproduce the input byte for byte. Each input is also
// tried with its last four bytes replaced by the right CRC-32, so mutations get past the
// checksum to the value checks.
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_file.hpp"
#include "ksconv/error.hpp"
#include "ksconv/model.hpp"

namespace {

void put32(std::string &out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out += char((value >> (8 * i)) & 0xff);
}

std::string serialize(const ksconv::FsrcnnModel &model) {
    std::string out = "KSFSRCNN";
    for (int v : {ksconv::kFsrcnnFormatVersion, model.scale, model.d, model.s, model.m, int(model.layers.size())}) {
        put32(out, uint32_t(v));
    }
    for (const auto &l : model.layers) {
        const int kind = l.kind == ksconv::FsrcnnModel::LayerKind::deconv ? 1 : 0;
        for (int v : {kind, l.out_channels, l.in_channels, l.kernel_h, l.kernel_w, l.stride, l.padding,
                      l.output_padding, int(l.prelu.size())}) {
            put32(out, uint32_t(v));
        }
    }
    for (const auto &l : model.layers) {
        for (const auto *values : {&l.weights, &l.bias, &l.prelu}) {
            out.append(reinterpret_cast<const char *>(values->data()), values->size() * sizeof(float));
        }
    }
    put32(out, uint32_t(crc32(0, reinterpret_cast<const Bytef *>(out.data()), uInt(out.size()))));
    return out;
}

void load_and_compare(const uint8_t *data, size_t size) {
    static ksconv::fuzz::ScratchFile input("ksm");
    input.write(data, size);
    ksconv::FsrcnnModel model;
    try {
        model = ksconv::read_fsrcnn_model(input.path());
    } catch (const ksconv::Error &) {
        return;
    }
    const std::string again = serialize(model);
    if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    load_and_compare(data, size);
    if (size >= 4) {
        std::string fixed(reinterpret_cast<const char *>(data), size);
        fixed.resize(size - 4);
        put32(fixed, uint32_t(crc32(0, data, uInt(size - 4))));
        load_and_compare(reinterpret_cast<const uint8_t *>(fixed.data()), size);
    }
    return 0;
}
