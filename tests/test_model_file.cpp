// Tests of the FSRCNN model reader: the bundled models, a round trip through files written
// byte by byte here (independent of tools/ksm_format.py, with a CRC-32 of our own), and one
// test per kind of broken file, each checking the exact one-line message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ksconv/error.hpp"
#include "ksconv/model.hpp"
#include "largest_allocation.hpp"
#include "png_test_util.hpp"

namespace {

using ksconv::Error;
using ksconv::FsrcnnModel;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Record = std::array<uint32_t, 9>;  // kind, out, in, kh, kw, stride, padding, output padding, prelu

// CRC-32 (IEEE 802.3, reflected, as zlib and PNG), bit by bit.
uint32_t crc32_of(const std::string &bytes) {
    uint32_t crc = 0xffffffffu;
    for (unsigned char c : bytes) {
        crc ^= c;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string le32(uint32_t value) {
    std::string out;
    for (int i = 0; i < 4; ++i) out += char((value >> (8 * i)) & 0xff);
    return out;
}

std::string le_float(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return le32(bits);
}

// A model file's contents, every field editable before serializing.
struct ModelFile {
    std::string magic = "KSFSRCNN";
    uint32_t version = 1, scale = 2, d = 4, s = 3, m = 1;
    uint32_t layer_count = 0;
    std::vector<Record> layers;
    std::vector<float> payload;

    // The layer table of models/README.md, written out independently of the reader.
    static std::vector<Record> fsrcnn_records(uint32_t scale, uint32_t d, uint32_t s, uint32_t m) {
        auto conv = [](uint32_t out, uint32_t in, uint32_t k) { return Record{0, out, in, k, k, 1, k / 2, 0, out}; };
        std::vector<Record> layers = {conv(d, 1, 5), conv(s, d, 1)};
        for (uint32_t i = 0; i < m; ++i) layers.push_back(conv(s, s, 3));
        layers.push_back(conv(d, s, 1));
        layers.push_back(Record{1, 1, d, 9, 9, scale, 4, scale - 1, 0});
        return layers;
    }

    // A valid file: that table and random values.
    static ModelFile fsrcnn(uint32_t scale, uint32_t d, uint32_t s, uint32_t m, uint32_t seed = 1) {
        ModelFile f;
        f.scale = scale;
        f.d = d;
        f.s = s;
        f.m = m;
        f.layers = fsrcnn_records(scale, d, s, m);
        f.layer_count = uint32_t(f.layers.size());
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (const Record &r : f.layers) {
            const size_t count = size_t(r[1]) * r[2] * r[3] * r[4] + r[1] + r[8];
            for (size_t i = 0; i < count; ++i) f.payload.push_back(value(rng));
        }
        return f;
    }

    std::string body() const {
        std::string out = magic + le32(version) + le32(scale) + le32(d) + le32(s) + le32(m) + le32(layer_count);
        for (const Record &r : layers) {
            for (uint32_t v : r) out += le32(v);
        }
        for (float v : payload) out += le_float(v);
        return out;
    }
    std::string bytes() const { return body() + le32(crc32_of(body())); }

    // Index into `payload` of layer `index`'s first weight.
    size_t offset_of(size_t index) const {
        size_t offset = 0;
        for (size_t i = 0; i < index; ++i) {
            const Record &r = layers[i];
            offset += size_t(r[1]) * r[2] * r[3] * r[4] + r[1] + r[8];
        }
        return offset;
    }
};

class ModelFileTest : public ::testing::Test {
protected:
    std::string write(const std::string &bytes, const std::string &name = "model.ksm") {
        return scratch_.write(name, bytes);
    }

    // Returns the message read_fsrcnn_model throws for a file holding `bytes`, after checking
    // it is one line starting with the file's path.
    std::string error_for(const std::string &bytes) { return error_at(write(bytes, "bad.ksm")); }

    std::string error_at(const std::string &path) {
        try {
            ksconv::read_fsrcnn_model(path);
        } catch (const Error &e) {
            const std::string message = e.what();
            EXPECT_THAT(message, StartsWith(path + ": "));
            EXPECT_EQ(message.find('\n'), std::string::npos) << "message must be one line: " << message;
            return message.substr(std::min(message.size(), path.size() + 2));
        }
        ADD_FAILURE() << "read_fsrcnn_model accepted a broken file";
        return "";
    }

    ksconv_test::ScratchDir scratch_;
};

void expect_fsrcnn_shapes(const FsrcnnModel &model) {
    const int d = model.d, s = model.s, m = model.m;
    ASSERT_EQ(model.layers.size(), size_t(m + 4));
    for (size_t i = 0; i < model.layers.size(); ++i) {
        SCOPED_TRACE("layer " + std::to_string(i));
        const FsrcnnModel::Layer &layer = model.layers[i];
        const bool deconv = i == size_t(m + 3);
        const int out = i == 0 || i == size_t(m + 2) ? d : deconv ? 1 : s;
        const int in = i == 0 ? 1 : i == 1 || deconv ? d : s;
        const int k = i == 0 ? 5 : deconv ? 9 : (i == 1 || i == size_t(m + 2)) ? 1 : 3;
        EXPECT_EQ(layer.kind, deconv ? FsrcnnModel::LayerKind::deconv : FsrcnnModel::LayerKind::conv);
        EXPECT_EQ(layer.out_channels, out);
        EXPECT_EQ(layer.in_channels, in);
        EXPECT_EQ(layer.kernel_h, k);
        EXPECT_EQ(layer.kernel_w, k);
        EXPECT_EQ(layer.stride, deconv ? model.scale : 1);
        EXPECT_EQ(layer.padding, deconv ? 4 : k / 2);
        EXPECT_EQ(layer.output_padding, deconv ? model.scale - 1 : 0);
        EXPECT_EQ(layer.weights.size(), size_t(out) * in * k * k);
        EXPECT_EQ(layer.bias.size(), size_t(out));
        EXPECT_EQ(layer.prelu.size(), deconv ? 0u : size_t(out));
    }
}

TEST(BundledModels, LoadWithThePaperShapes) {
    for (int scale : {2, 3, 4}) {
        SCOPED_TRACE("x" + std::to_string(scale));
        const std::string path = ksconv::bundled_model_path(scale);
        EXPECT_THAT(path, ::testing::EndsWith("/fsrcnn_x" + std::to_string(scale) + ".ksm"));
        const FsrcnnModel model = ksconv::read_fsrcnn_model(path);
        EXPECT_EQ(model.scale, scale);
        EXPECT_EQ(model.d, 56);
        EXPECT_EQ(model.s, 12);
        EXPECT_EQ(model.m, 4);
        expect_fsrcnn_shapes(model);
    }
    EXPECT_THROW(ksconv::bundled_model_path(5), Error);
}

TEST_F(ModelFileTest, RoundTripsEveryValueInFileOrder) {
    for (uint32_t scale : {2u, 3u, 4u}) {
        const ModelFile file = ModelFile::fsrcnn(scale, 5, 3, 2, scale);
        const FsrcnnModel model = ksconv::read_fsrcnn_model(write(file.bytes()));
        EXPECT_EQ(model.scale, int(scale));
        EXPECT_EQ(model.d, 5);
        EXPECT_EQ(model.s, 3);
        EXPECT_EQ(model.m, 2);
        expect_fsrcnn_shapes(model);
        std::vector<float> values;
        for (const FsrcnnModel::Layer &layer : model.layers) {
            values.insert(values.end(), layer.weights.begin(), layer.weights.end());
            values.insert(values.end(), layer.bias.begin(), layer.bias.end());
            values.insert(values.end(), layer.prelu.begin(), layer.prelu.end());
        }
        EXPECT_EQ(values, file.payload);
    }
    // The smallest FSRCNN the format allows, and m = 0 (no mapping layers).
    expect_fsrcnn_shapes(ksconv::read_fsrcnn_model(write(ModelFile::fsrcnn(2, 1, 1, 0).bytes())));
}

TEST_F(ModelFileTest, RefusesWrongMagic) {
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.magic = "KSFSRCNM";
    EXPECT_EQ(error_for(file.bytes()), "not an FSRCNN model file (bad magic)");
    EXPECT_EQ(error_for("\x89PNG\r\n\x1a\n"), "not an FSRCNN model file (bad magic)");
}

TEST_F(ModelFileTest, RefusesUnsupportedVersion) {
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.version = 2;
    EXPECT_EQ(error_for(file.bytes()), "unsupported format version 2 (this reader knows 1)");
}

TEST_F(ModelFileTest, RefusesScalesOtherThanTwoToFour) {
    for (uint32_t scale : {0u, 1u, 5u, 0xffffffffu}) {
        ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
        file.scale = scale;
        EXPECT_EQ(error_for(file.bytes()), "scale " + std::to_string(scale) + " is not supported (2, 3 or 4)");
    }
}

TEST_F(ModelFileTest, RefusesADeconvolutionThatDoesNotMatchTheScale) {
    // A valid x3 model relabelled x2: its deconvolution has stride 3.
    ModelFile file = ModelFile::fsrcnn(3, 4, 3, 1);
    file.scale = 2;
    EXPECT_EQ(error_for(file.bytes()), "layer 4 (deconvolution) has stride 3, expected the scale 2");

    file = ModelFile::fsrcnn(4, 4, 3, 1);
    file.layers[4][7] = 0;
    EXPECT_EQ(error_for(file.bytes()), "layer 4 (deconvolution) has output_padding 0, expected scale - 1 = 3");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[4][3] = 8;
    EXPECT_EQ(error_for(file.bytes()), "layer 4 (deconvolution) has kernel_h 8, expected 9");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[4][0] = 0;
    EXPECT_EQ(error_for(file.bytes()), "layer 4 (deconvolution) has kind 0, expected 1 (deconvolution)");
}

TEST_F(ModelFileTest, RefusesBrokenChannelChaining) {
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[2][2] = 4;  // the mapping layer claims d inputs, the shrinking layer gives s
    EXPECT_EQ(error_for(file.bytes()),
              "layer 2 (mapping 1) has in_channels 4, but the layer before it gives 3 channels");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[1][1] = 4;  // the shrinking layer must give s outputs
    EXPECT_EQ(error_for(file.bytes()), "layer 1 (shrinking) has out_channels 4, expected 3");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[0][2] = 3;  // FSRCNN reads one channel
    EXPECT_EQ(error_for(file.bytes()), "layer 0 (feature extraction) has in_channels 3, expected 1");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[3][8] = 1;  // one shared PReLU slope is not this format (the converter expands it)
    EXPECT_EQ(error_for(file.bytes()), "layer 3 (expanding) has prelu_count 1, expected 4");
}

TEST_F(ModelFileTest, RefusesALayerCountThatDoesNotMatchM) {
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layer_count = 6;
    EXPECT_EQ(error_for(file.bytes()), "layer count 6 does not match FSRCNN(d=4, s=3, m=1), which has 5 layers");
}

TEST_F(ModelFileTest, RefusesTruncatedHeaders) {
    const std::string bytes = ModelFile::fsrcnn(2, 4, 3, 1).bytes();
    EXPECT_EQ(error_for(bytes.substr(0, 5)), "truncated header (file has 5 bytes, the header needs 32)");
    EXPECT_EQ(error_for(bytes.substr(0, 31)), "truncated header (file has 31 bytes, the header needs 32)");
    EXPECT_EQ(error_for(bytes.substr(0, 32 + 36 * 5 - 1)),
              "truncated header (file ends inside the layer table: 211 bytes, the table ends at 212)");
}

TEST_F(ModelFileTest, RefusesTruncatedPayloadsAndTrailingBytes) {
    const std::string bytes = ModelFile::fsrcnn(2, 4, 3, 1).bytes();
    const std::string size = std::to_string(bytes.size());
    EXPECT_EQ(
        error_for(bytes.substr(0, bytes.size() - 1)),
        "truncated payload (the header implies " + size + " bytes, file has " + std::to_string(bytes.size() - 1) + ")");
    EXPECT_EQ(error_for(bytes.substr(0, 32 + 36 * 5)),
              "truncated payload (the header implies " + size + " bytes, file has 212)");
    EXPECT_EQ(error_for(bytes + "abc"), "3 unexpected bytes after the checksum");
}

TEST_F(ModelFileTest, RefusesAChecksumMismatch) {
    const ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    std::string bytes = file.bytes();
    const uint32_t stored = crc32_of(file.body());
    bytes[32 + 36 * 5 + 123] ^= 0x10;  // one payload bit
    char expected[96];
    std::snprintf(expected, sizeof expected, "checksum mismatch (file says 0x%08x, contents give 0x%08x)",
                  unsigned(stored), unsigned(crc32_of(bytes.substr(0, bytes.size() - 4))));
    EXPECT_EQ(error_for(bytes), expected);

    // The checksum field itself damaged.
    bytes = file.bytes();
    bytes.back() ^= 1;
    EXPECT_THAT(error_for(bytes), StartsWith("checksum mismatch"));
}

TEST_F(ModelFileTest, RefusesNonFiniteValuesEvenWithAGoodChecksum) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.payload[file.offset_of(1) + 2] = nan;
    EXPECT_EQ(error_for(file.bytes()), "layer 1 (shrinking) weights[2] is NaN");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.payload[file.offset_of(4) + 4 * 81] = inf;  // the deconvolution's bias
    EXPECT_EQ(error_for(file.bytes()), "layer 4 (deconvolution) bias[0] is +inf");

    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.payload[file.offset_of(1) - 1] = -inf;  // the last PReLU slope of layer 0
    EXPECT_EQ(error_for(file.bytes()), "layer 0 (feature extraction) PReLU slopes[3] is -inf");
}

TEST_F(ModelFileTest, RefusesHugeClaimsWithoutAllocating) {
    const size_t kLarge = size_t(1) << 20;
    ModelFile file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.d = 0xffffffffu;
    EXPECT_EQ(error_for(file.bytes()), "d 4294967295 is out of range 1..1024");
    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.s = 0;
    EXPECT_EQ(error_for(file.bytes()), "s 0 is out of range 1..1024");
    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.m = 1u << 31;
    EXPECT_EQ(error_for(file.bytes()), "m 2147483648 is out of range 0..64");

    // A layer claiming 2^31 channels, with weights of 2^31 * 2^31 * 25 floats.
    file = ModelFile::fsrcnn(2, 4, 3, 1);
    file.layers[0][1] = 1u << 31;
    EXPECT_EQ(error_for(file.bytes()), "layer 0 (feature extraction) has out_channels 2147483648, expected 4");

    // The largest structure allowed, with a consistent table and no payload: 2.4 GB claimed.
    ModelFile big;
    big.d = big.s = 1024;
    big.m = 64;
    big.layers = ModelFile::fsrcnn_records(2, 1024, 1024, 64);
    big.layer_count = uint32_t(big.layers.size());
    const std::string header = big.body();
    const uint64_t floats =
        25 * 1024 + 1024 + 1024 + 2 * (1024 * 1024 + 1024 + 1024) + 64 * (9 * 1024 * 1024 + 2048) + 81 * 1024 + 1;
    ksconv_test::reset_largest_allocation();
    EXPECT_EQ(error_for(header), "truncated payload (the header implies " +
                                     std::to_string(header.size() + 4 * floats + 4) + " bytes, file has " +
                                     std::to_string(header.size()) + ")");
    EXPECT_LT(ksconv_test::largest_allocation(), kLarge);
}

TEST_F(ModelFileTest, RefusesEmptyMissingAndNonRegularFiles) {
    EXPECT_EQ(error_for(""), "not an FSRCNN model file (empty file)");
    EXPECT_EQ(error_at(scratch_.path("absent.ksm")), "cannot open: No such file or directory");
    EXPECT_EQ(error_at(scratch_.dir()), "is a directory, not a model file");
}

}  // namespace
