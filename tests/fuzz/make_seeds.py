#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/ (committed; rerun only to
change them). A few small valid files of each kind and a few broken ones."""

import io
import os
import struct
import sys
import zlib

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import ksm_format  # noqa: E402


def put(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def npy_seeds():
    rng = np.random.default_rng(1)
    put("npy", "scalar.npy", npy_bytes(np.float32(1.5)))
    put("npy", "vector.npy", npy_bytes(rng.standard_normal(5).astype("<f4")))
    put("npy", "nchw.npy", npy_bytes(rng.standard_normal((1, 2, 3, 4)).astype("<f4")))
    put("npy", "empty.npy", npy_bytes(np.zeros((2, 0, 3), "<f4")))
    put("npy", "v2.npy", npy_bytes(rng.standard_normal((2, 2)).astype("<f4"), version=(2, 0)))
    put("npy", "float64.npy", npy_bytes(np.ones(3, "<f8")))
    put("npy", "fortran.npy", npy_bytes(np.asfortranarray(np.ones((2, 3), "<f4"))))
    put("npy", "truncated.npy", npy_bytes(np.ones((4, 4), "<f4"))[:-7])
    put("npy", "huge_shape.npy", npy_bytes(np.ones(1, "<f4")).replace(b"(1,)", b"(99999999999, 99999999)", 1))


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width, height, depth, color, rows, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace)
    raw = b"".join(b"\0" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) +
            chunk(b"IEND", b""))


def png_seeds():
    put("png", "gray8.png", png(3, 2, 8, 0, [bytes([0, 128, 255]), bytes([1, 2, 3])]))
    put("png", "gray1.png", png(9, 1, 1, 0, [bytes([0b10110011, 0b10000000])]))
    put("png", "gray16.png", png(2, 1, 16, 0, [bytes([0, 1, 255, 254])]))
    put("png", "rgb8.png", png(2, 2, 8, 2, [bytes(range(6)), bytes(range(6, 12))]))
    put("png", "rgba16.png", png(1, 1, 16, 6, [bytes(range(8))]))
    put("png", "gray_alpha8.png", png(2, 1, 8, 4, [bytes([10, 20, 30, 40])]))
    palette = chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0])) + chunk(b"tRNS", bytes([128]))
    put("png", "palette_trns.png", png(4, 1, 2, 3, [bytes([0b00010001])], extra=palette))
    put("png", "rgb_trns.png", png(1, 1, 8, 2, [bytes([1, 2, 3])], extra=chunk(b"tRNS", bytes([0, 1, 0, 2, 0, 3]))))
    # Adam7 with one pixel: only pass 1 holds data.
    put("png", "interlaced.png", png(1, 1, 8, 0, [bytes([77])], interlace=1))
    put("png", "bad_crc.png", png(2, 1, 8, 0, [bytes([1, 2])])[:-1] + b"\0")
    put("png", "truncated.png", png(3, 3, 8, 2, [bytes(9)] * 3)[:40])


def args_seeds():
    lines = {
        "convt.txt": "--input\nx.npy\n--weight\nw.npy\n--output\ny.npy\n--stride\n2\n--padding\n1\n",
        "pads4.txt": "--input=x.npy\n--weight=w.npy\n--output=y.npy\n--padding=1,0,1,0\n--output-padding\n1,1\n",
        "flags.txt": "--verbose\n--threads\n4\n--max-elements\n1000000\n--\n--positional\n",
        "help.txt": "-h\n",
        "bad.txt": "--stride\n2,\n--groups\n-1\n--dilation\n99999999999\n--unknown\n",
    }
    for name, text in lines.items():
        put("cli_args", name, text.encode())


def tiny_model(scale, d, s, m, seed):
    """A valid FSRCNN model file with random weights (small d, s, m keep the seeds short)."""
    rng = np.random.default_rng(seed)
    layers = []
    for spec in ksm_format.expected_layers(scale, d, s, m):
        layer = {"kind": spec[0], "weight": rng.standard_normal(ksm_format.layer_shape(spec)),
                 "bias": rng.standard_normal(spec[1])}
        if spec[8]:
            layer["prelu"] = rng.standard_normal(spec[8])
        layers.append(layer)
    return ksm_format.model_bytes(scale, d, s, m, layers)


def with_crc(body):
    return body + struct.pack("<I", zlib.crc32(body))


def model_seeds():
    put("model", "x2_d2_s1_m1.ksm", tiny_model(2, 2, 1, 1, 1))
    put("model", "x3_d1_s1_m0.ksm", tiny_model(3, 1, 1, 0, 2))
    put("model", "x4_d3_s2_m2.ksm", tiny_model(4, 3, 2, 2, 3))
    good = tiny_model(2, 2, 1, 1, 4)
    put("model", "bad_crc.ksm", good[:-1] + bytes([good[-1] ^ 1]))
    put("model", "truncated.ksm", good[:-9])
    put("model", "trailing.ksm", good + b"\0\0")
    put("model", "version2.ksm", with_crc(good[:8] + struct.pack("<I", 2) + good[12:-4]))
    # The x2 file relabelled x3: its deconvolution's stride no longer matches.
    put("model", "wrong_scale.ksm", with_crc(good[:12] + struct.pack("<I", 3) + good[16:-4]))
    put("model", "huge_d.ksm", with_crc(good[:16] + struct.pack("<I", 0xFFFFFFFF) + good[20:-4]))


npy_seeds()
png_seeds()
args_seeds()
model_seeds()
