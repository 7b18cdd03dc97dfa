// Tests of .npy reading and writing: round trips, files laid out exactly as NumPy writes
// them (built byte by byte here, so no Python is needed), and every malformed case.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ksconv/error.hpp"
#include "ksconv/npy.hpp"
#include "largest_allocation.hpp"
#include "png_test_util.hpp"

namespace {

using ksconv::Error;
using ksconv::Tensor;
using ::testing::HasSubstr;

class NpyTest : public ::testing::Test {
protected:
    std::string path(const std::string &name) const { return scratch_.path(name); }
    std::vector<std::string> list_dir() const { return scratch_.list(); }

    std::string write_bytes(const std::string &name, const std::string &bytes) const {
        return scratch_.write(name, bytes);
    }

    // Reads `bytes` back as a file and returns the error message read_npy throws.
    std::string read_error(const std::string &bytes,
                           int64_t max_elements = ksconv::kNpyMaxElements) {
        std::string file = write_bytes("bad.npy", bytes);
        try {
            ksconv::read_npy(file, max_elements);
        } catch (const Error &e) {
            std::string message = e.what();
            EXPECT_THAT(message, HasSubstr(file + ": "));
            EXPECT_EQ(message.find('\n'), std::string::npos) << "message must be one line";
            return message;
        }
        ADD_FAILURE() << "read_npy accepted a malformed file";
        return "";
    }

    ksconv_test::ScratchDir scratch_;
    const std::string &dir_ = scratch_.dir();
};

using ksconv_test::read_file;

std::string le_bytes(uint64_t value, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += char((value >> (8 * i)) & 0xff);
    return out;
}

std::string floats_bytes(const std::vector<float> &values) {
    return std::string(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
}

// A .npy file as NumPy lays it out: magic, version, header length, the dict padded with
// spaces to an `align` boundary and ending in '\n', then the data.
std::string npy_file(const std::string &dict, const std::string &data = "", int major = 1,
                     size_t align = 64) {
    size_t length_size = major == 1 ? 2 : 4;
    size_t unpadded = 8 + length_size + dict.size() + 1;
    size_t padding = align - unpadded % align;
    std::string header = dict + std::string(padding, ' ') + "\n";
    return std::string("\x93NUMPY", 6) + char(major) + char(0) +
           le_bytes(header.size(), int(length_size)) + header + data;
}

const char kDict23[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

Tensor make_tensor(std::vector<int64_t> shape) {
    Tensor t;
    t.shape = std::move(shape);
    int64_t count = t.element_count();
    for (int64_t i = 0; i < count; ++i) t.data.push_back(0.5f * float(i) - 3.25f);
    return t;
}

// ---------------------------------------------------------------------------------------
// Round trips and NumPy-compatible layout.

TEST_F(NpyTest, RoundTripsSeveralShapes) {
    const std::vector<std::vector<int64_t>> shapes = {
        {}, {1}, {7}, {2, 3}, {2, 3, 4, 5}, {1, 1, 1, 1}, {0}, {3, 0, 2}, {1, 16, 9, 11}};
    for (const auto &shape : shapes) {
        Tensor original = make_tensor(shape);
        ksconv::write_npy(path("t.npy"), original);
        Tensor back = ksconv::read_npy(path("t.npy"));
        EXPECT_EQ(back.shape, original.shape);
        EXPECT_EQ(back.data, original.data);
        EXPECT_EQ(back.element_count(), int64_t(back.data.size()));
    }
}

TEST_F(NpyTest, ScalarHasEmptyShapeAndOneElement) {
    Tensor scalar;
    scalar.data = {42.0f};
    ksconv::write_npy(path("s.npy"), scalar);
    Tensor back = ksconv::read_npy(path("s.npy"));
    EXPECT_TRUE(back.shape.empty());
    ASSERT_EQ(back.data.size(), 1u);
    EXPECT_EQ(back.data[0], 42.0f);
}

TEST_F(NpyTest, WritesExactlyWhatNumpyWrites) {
    // NumPy 1.24 output for np.arange(6, dtype='<f4').reshape(2, 3): the dict, 20 spare
    // spaces (room for a 21-digit first extent), padding to 64 bytes, '\n'.
    Tensor t = make_tensor({2, 3});
    ksconv::write_npy(path("t.npy"), t);
    std::string expected =
        npy_file(std::string(kDict23) + std::string(20, ' '), floats_bytes(t.data));
    EXPECT_EQ(read_file(path("t.npy")), expected);
    EXPECT_EQ(read_file(path("t.npy")).size() % 64, 24u);  // 64-byte header + 24 data bytes

    ksconv::write_npy(path("s.npy"), make_tensor({}));
    EXPECT_EQ(read_file(path("s.npy")).substr(10, 59),
              "{'descr': '<f4', 'fortran_order': False, 'shape': (), }    ");
}

TEST_F(NpyTest, WritesVersion2WhenTheHeaderIsTooLongForVersion1) {
    Tensor t = make_tensor(std::vector<int64_t>(30000, 1));  // "1, " x 30000 > 65535 bytes
    ksconv::write_npy(path("t.npy"), t);
    std::string bytes = read_file(path("t.npy"));
    ASSERT_GT(bytes.size(), 12u);
    EXPECT_EQ(bytes[6], 2);
    uint32_t header_size = uint8_t(bytes[8]) | uint8_t(bytes[9]) << 8 | uint8_t(bytes[10]) << 16 |
                           uint32_t(uint8_t(bytes[11])) << 24;
    EXPECT_EQ((12 + header_size) % 64, 0u);
    EXPECT_EQ(ksconv::read_npy(path("t.npy")).shape, t.shape);
}

TEST_F(NpyTest, ReadsNumpyStyleFiles) {
    std::vector<float> values = {1, 2, 3, 4, 5, 6};
    Tensor t = ksconv::read_npy(write_bytes("a.npy", npy_file(kDict23, floats_bytes(values))));
    EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.data, values);

    // Version 2.0 (4-byte header length) and 3.0 (same layout, utf-8 header).
    for (int major : {2, 3}) {
        t = ksconv::read_npy(write_bytes("v.npy", npy_file(kDict23, floats_bytes(values), major)));
        EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
        EXPECT_EQ(t.data, values);
    }

    // Older NumPy aligned to 16 bytes; Python 2 wrote 5L for longs.
    t = ksconv::read_npy(write_bytes(
        "old.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (5L,), }",
                            floats_bytes({1, 2, 3, 4, 5}), 1, 16)));
    EXPECT_EQ(t.shape, (std::vector<int64_t>{5}));

    t = ksconv::read_npy(write_bytes(
        "scalar.npy",
        npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats_bytes({7}))));
    EXPECT_TRUE(t.shape.empty());
    EXPECT_EQ(t.data, std::vector<float>{7});

    t = ksconv::read_npy(write_bytes(
        "empty.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }")));
    EXPECT_EQ(t.shape, (std::vector<int64_t>{4, 0}));
    EXPECT_TRUE(t.data.empty());
}

TEST_F(NpyTest, HeaderSyntaxVariantsAreAccepted) {
    const std::string data = floats_bytes({1, 2, 3, 4, 5, 6});
    for (const char *dict : {
             "{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"<f4\"}",
             "{'fortran_order':False,'shape':(2,3),'descr':'<f4'}",
             "  {  'descr' : '<f4' ,\n 'shape' : ( 2 , 3 , ) , 'fortran_order' : False , }  ",
         }) {
        SCOPED_TRACE(dict);
        Tensor t = ksconv::read_npy(write_bytes("v.npy", npy_file(dict, data)));
        EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
    }
}

// ---------------------------------------------------------------------------------------
// Malformed files: each fails with one line naming the file and the problem.

TEST_F(NpyTest, RejectsBadMagicAndVersion) {
    EXPECT_THAT(read_error("PK\x03\x04 this is a zip file"),
                HasSubstr("not a .npy file (bad magic)"));
    EXPECT_THAT(read_error(""), HasSubstr("not a .npy file (empty file)"));
    EXPECT_THAT(read_error(std::string("\x93NUM", 4)), HasSubstr("truncated header"));

    std::string v4 = npy_file(kDict23, floats_bytes({1, 2, 3, 4, 5, 6}), 2);
    v4[6] = 4;
    EXPECT_THAT(read_error(v4), HasSubstr("unsupported .npy format version 4.0"));
    std::string v11 = npy_file(kDict23, floats_bytes({1, 2, 3, 4, 5, 6}));
    v11[7] = 1;
    EXPECT_THAT(read_error(v11), HasSubstr("unsupported .npy format version 1.1"));
}

TEST_F(NpyTest, RejectsOtherDtypesAndFortranOrder) {
    const std::string data = floats_bytes({1, 2, 3, 4, 5, 6});
    for (const char *descr : {"<f8", ">f4", "<i4", "|u1", "<f2"}) {
        std::string dict =
            std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (2, 3), }";
        EXPECT_THAT(read_error(npy_file(dict, data)),
                    HasSubstr(std::string("unsupported dtype '") + descr +
                              "' (only little-endian float32 '<f4' is supported)"));
    }
    EXPECT_THAT(read_error(npy_file("{'descr': [('a', '<f4')], 'fortran_order': False, "
                                    "'shape': (2,), }",
                                    floats_bytes({1, 2}))),
                HasSubstr("unsupported dtype (structured"));
    EXPECT_THAT(
        read_error(npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data)),
        HasSubstr("Fortran-order arrays are not supported"));
}

TEST_F(NpyTest, RejectsTruncatedFiles) {
    std::string whole = npy_file(kDict23, floats_bytes({1, 2, 3, 4, 5, 6}));
    // Ends inside the header length, then inside the header itself.
    EXPECT_THAT(read_error(whole.substr(0, 9)), HasSubstr("truncated header"));
    EXPECT_THAT(read_error(whole.substr(0, 40)),
                HasSubstr("truncated header (expected 118 bytes, file has 30)"));
    // Ends inside the data.
    EXPECT_THAT(read_error(whole.substr(0, whole.size() - 4)),
                HasSubstr("truncated data (expected 24 bytes, file has 20)"));
    EXPECT_THAT(read_error(whole + "xyz"), HasSubstr("3 unexpected bytes after the data"));
    // A header length beyond 1 MiB is refused whatever the file size.
    EXPECT_THAT(read_error(std::string("\x93NUMPY\x02\x00", 8) + le_bytes(2 << 20, 4) +
                           std::string(3 << 20, ' ')),
                HasSubstr("header length 2097152 exceeds the limit of 1048576 bytes"));
}

TEST_F(NpyTest, RejectsMalformedHeaders) {
    const std::string data = floats_bytes({1, 2, 3, 4, 5, 6});
    struct Case {
        const char *dict;
        const char *message;
    };
    const Case cases[] = {
        {"{'descr': '<f4', 'fortran_order': False, }", "missing key 'shape'"},
        {"{'descr': '<f4', 'shape': (2, 3), }", "missing key 'fortran_order'"},
        {"{'fortran_order': False, 'shape': (2, 3), }", "missing key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': ('a', 3), }",
         "'shape' must be a tuple of integers"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5, 3), }", "expected an integer"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6), }",
         "'shape' must be a tuple of integers"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",
         "'shape' must be a tuple of integers"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }",
         "'fortran_order' must be True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
         "unexpected key 'extra'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
         "duplicate key 'descr'"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
         "expected ',' or '}' (at the end of the header)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", "at the end of the header"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}", "expected ':' (at byte 9 "},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}'"},
        {"('descr', '<f4')", "expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk",
         "unexpected text after the dictionary"},
        {"{'descr': '<f4', 'fortran_order': Nope, 'shape': (2, 3)}", "unexpected name 'Nope'"},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.dict);
        std::string message = read_error(npy_file(c.dict, data));
        EXPECT_THAT(message, HasSubstr("malformed header: "));
        EXPECT_THAT(message, HasSubstr(c.message));
    }
    // Deep nesting is refused, not recursed into.
    std::string deep = "{'descr': " + std::string(5000, '(') + "}";
    EXPECT_THAT(read_error(npy_file(deep, data)), HasSubstr("nested too deeply"));
}

TEST_F(NpyTest, RejectsBadDimensions) {
    auto with_shape = [](const std::string &shape, const std::string &data = "") {
        return npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", data);
    };
    EXPECT_THAT(read_error(with_shape("(2, -3)")), HasSubstr("negative dimension -3 in the shape"));
    EXPECT_THAT(read_error(with_shape("(99999999999999999999,)")),
                HasSubstr("dimension 99999999999999999999 in the shape does not fit in 64 bits"));
    EXPECT_THAT(read_error(with_shape("(4294967296, 4294967296, 4294967296)"),
                           std::numeric_limits<int64_t>::max()),
                HasSubstr("more elements than fit in 64 bits"));
    EXPECT_THAT(read_error(with_shape("(1099511627776, 1099511627776, 0)")),
                HasSubstr("has extents whose product exceeds the limit of 2147483648 elements"));
}

TEST_F(NpyTest, RefusesHugeShapesWithoutAllocating) {
    auto with_shape = [](const std::string &shape, const std::string &data = "") {
        return npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", data);
    };
    // Within max_elements the data must still match: 12 elements, a 10-element limit.
    EXPECT_THAT(read_error(with_shape("(3, 4)", std::string(48, '\0')), 10),
                HasSubstr("shape (3, 4) has 12 elements, more than the limit of 10"));

    const size_t kHuge = size_t(1) << 20;
    ksconv_test::reset_largest_allocation();
    EXPECT_THAT(
        read_error(with_shape("(100000000000,)"), 1000),
        HasSubstr("shape (100000000000,) has 100000000000 elements, more than the limit of 1000"));
    EXPECT_THAT(read_error(with_shape("(100000000000,)")),
                HasSubstr("more than the limit of 2147483648"));
    // Allowed by the limit (4 GB of floats) but the file is tiny: refused from the file size.
    EXPECT_THAT(read_error(with_shape("(1000000000,)")),
                HasSubstr("truncated data (expected 4000000000 bytes, file has 0)"));
    EXPECT_LT(ksconv_test::largest_allocation(), kHuge);
}

TEST_F(NpyTest, RejectsUnreadablePaths) {
    try {
        ksconv::read_npy(path("missing.npy"));
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(path("missing.npy") + ": cannot open: No such file"));
    }
    try {
        ksconv::read_npy(dir_);
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(dir_ + ": is a directory"));
    }
    try {
        ksconv::read_npy("/dev/null");
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("/dev/null: not a regular file"));
    }
}

// ---------------------------------------------------------------------------------------
// Atomic writing.

TEST_F(NpyTest, WriteLeavesNoTemporaryFileBehind) {
    ksconv::write_npy(path("out.npy"), make_tensor({2, 2}));
    ksconv::write_npy(path("out.npy"), make_tensor({3}));  // replaces the previous file
    EXPECT_EQ(list_dir(), std::vector<std::string>{"out.npy"});
    EXPECT_EQ(ksconv::read_npy(path("out.npy")).shape, std::vector<int64_t>{3});

    // Fails cleanly into a missing directory, or onto a directory.
    std::string nowhere = path("no_such_dir/out.npy");
    EXPECT_THROW(
        {
            try {
                ksconv::write_npy(nowhere, make_tensor({2}));
            } catch (const Error &e) {
                EXPECT_THAT(e.what(), HasSubstr(nowhere + ": cannot create temporary file"));
                throw;
            }
        },
        Error);
    mkdir(path("sub").c_str(), 0755);
    EXPECT_THROW(
        {
            try {
                ksconv::write_npy(path("sub"), make_tensor({2}));
            } catch (const Error &e) {
                EXPECT_THAT(e.what(), HasSubstr(path("sub") + ": cannot rename"));
                throw;
            }
        },
        Error);
    rmdir(path("sub").c_str());
    EXPECT_EQ(list_dir(), std::vector<std::string>{"out.npy"});
}

TEST_F(NpyTest, WriteRejectsInconsistentTensors) {
    Tensor t = make_tensor({2, 3});
    t.data.pop_back();
    try {
        ksconv::write_npy(path("bad.npy"), t);
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(path("bad.npy") +
                                        ": shape (2, 3) needs 6 values but the tensor holds 5"));
    }
    t.shape = {-2, 3};
    EXPECT_THROW(ksconv::write_npy(path("bad.npy"), t), Error);
    EXPECT_TRUE(list_dir().empty());
}

TEST_F(NpyTest, WrittenFilesAreNotPrivate) {
    // The temporary file is created with 0666 & ~umask, like any new file, not mkstemp's 0600.
    mode_t old = umask(022);
    ksconv::write_npy(path("out.npy"), make_tensor({2}));
    umask(old);
    struct stat info;
    ASSERT_EQ(stat(path("out.npy").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0644u);
}

}  // namespace
