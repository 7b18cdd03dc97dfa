#!/usr/bin/python3
"""End-to-end tests of `ksconv upscale`.

Usage: /usr/bin/python3 tests/e2e/test_upscale.py path/to/ksconv

PNG files are written and read here with zlib alone (independent of ksconv's libpng code).
Checks the output size and format, nearest against numpy's repeat, bilinear and bicubic
against a float64 reference written here (within 1 per 8-bit sample), batch folders with a
bad file, and the error contract: exit status 1 or 2, one stderr line starting
`ksconv: error:`, no output or temporary file left behind, inputs never modified.
Randomness is seeded from KSCONV_TEST_SEED (or the time) and the seed is printed.
"""

import ctypes.util
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

TIMEOUT_S = 120
COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type


# ---------------------------------------------------------------- PNG by hand

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(pixels):
    """pixels: uint8 or uint16 array (H, W, C), C in 1..4; filter type 0 on every row."""
    h, w, c = pixels.shape
    bits = 16 if pixels.dtype == np.uint16 else 8
    rows = pixels.astype(">u2" if bits == 16 else "u1").reshape(h, -1).view(np.uint8)
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, bits, COLOR_TYPES[c], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data):
    """Non-interlaced 8/16-bit gray, gray+alpha, RGB, RGBA (what ksconv writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, bits, color, _, _, interlace = header
    assert interlace == 0
    c = {v: k for k, v in COLOR_TYPES.items()}[color]
    bpp = c * bits // 8
    stride = w * bpp
    raw = zlib.decompress(idat)
    out = bytearray()
    prev = bytearray(stride)
    for y in range(h):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            cc = prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, paeth(a, b, cc))[kind]) & 0xFF
        out += line
        prev = line
    dtype = ">u2" if bits == 16 else "u1"
    return np.frombuffer(bytes(out), dtype=dtype).reshape(h, w, c).astype(np.uint16 if bits == 16 else np.uint8)


# ---------------------------------------------------------------- reference

def kernel_weights(method, scale, n):
    """(n*scale, n) matrix: output coordinate -> weights over source samples (edges clamped)."""
    m = np.zeros((n * scale, n))
    for o in range(n * scale):
        if method == "nearest":
            m[o, min(o // scale, n - 1)] = 1
            continue
        f = (o + 0.5) / scale - 0.5
        left = int(np.floor(f))
        r = {"bilinear": 1, "bicubic": 2}[method]
        taps = []
        for i in range(left - r + 1, left + r + 1):
            d = abs(f - i)
            if method == "bilinear":
                wgt = max(0.0, 1 - d)
            else:
                a = -0.75
                wgt = ((a + 2) * d - (a + 3)) * d * d + 1 if d < 1 else (((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0)
            taps.append((min(max(i, 0), n - 1), wgt))
        total = sum(t[1] for t in taps)
        for i, wgt in taps:
            m[o, i] += wgt / total
    return m


def reference(pixels, method, scale):
    h, w, c = pixels.shape
    rows, cols = kernel_weights(method, scale, h), kernel_weights(method, scale, w)
    out = np.einsum("yh,hwc,xw->yxc", rows, pixels.astype(np.float64), cols)
    top = 65535 if pixels.dtype == np.uint16 else 255
    return np.clip(np.floor(out + 0.5), 0, top)


# ---------------------------------------------------------------- harness

class Checker:
    def __init__(self, tool, tmp):
        self.tool, self.tmp, self.failures, self.count = tool, tmp, [], 0

    def run(self, *args):
        return subprocess.run([self.tool, "upscale", *args], capture_output=True, text=True, timeout=TIMEOUT_S)

    def check(self, condition, what):
        self.count += 1
        if not condition:
            self.failures.append(what)
            print("FAIL:", what)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, pixels):
        with open(self.path(name), "wb") as f:
            f.write(encode_png(pixels))
        return self.path(name)

    def expect_error(self, args, status, fragment, what, leftover=None):
        r = self.run(*args)
        lines = r.stderr.strip().splitlines()
        self.check(r.returncode == status, f"{what}: exit {r.returncode}, expected {status} ({r.stderr.strip()})")
        self.check(len(lines) == 1 and lines[0].startswith("ksconv: error:"), f"{what}: stderr {r.stderr!r}")
        self.check(fragment in r.stderr, f"{what}: '{fragment}' not in {r.stderr.strip()!r}")
        if leftover:
            self.check(not os.path.exists(leftover), f"{what}: {leftover} was left behind")
        temps = [n for n in os.listdir(self.tmp) if ".tmp." in n]
        self.check(not temps, f"{what}: temporary files left: {temps}")


def test_outputs(t, rng):
    for channels in (1, 2, 3, 4):
        for bits in (8, 16):
            for method in ("nearest", "bilinear", "bicubic"):
                scale = int(rng.integers(2, 5))
                h, w = int(rng.integers(1, 14)), int(rng.integers(1, 14))
                top = 65535 if bits == 16 else 255
                pixels = rng.integers(0, top + 1, size=(h, w, channels)).astype(np.uint16 if bits == 16 else np.uint8)
                src = t.write(f"in_{channels}_{bits}_{method}.png", pixels)
                dst = t.path(f"out_{channels}_{bits}_{method}.png")
                before = open(src, "rb").read()
                r = t.run(src, dst, "--scale", str(scale), "--method", method, "--threads", "2")
                what = f"{method} x{scale} on {w}x{h}x{channels} {bits}-bit"
                t.check(r.returncode == 0 and r.stderr == "", f"{what}: exit {r.returncode} {r.stderr.strip()}")
                if r.returncode != 0:
                    continue
                t.check(open(src, "rb").read() == before, f"{what}: input modified")
                got = decode_png(open(dst, "rb").read())
                t.check(got.shape == (h * scale, w * scale, channels) and got.dtype == pixels.dtype,
                        f"{what}: output {got.shape} {got.dtype}")
                if got.shape != (h * scale, w * scale, channels):
                    continue
                diff = np.abs(got.astype(np.int64) - reference(pixels, method, scale)).max()
                t.check(diff <= (0 if method == "nearest" else 1), f"{what}: max difference {diff} from the reference")


def test_batch(t, rng):
    src_dir, dst_dir = t.path("batch_in"), t.path("batch_out")
    os.mkdir(src_dir)
    good = rng.integers(0, 256, size=(5, 6, 3)).astype(np.uint8)
    for name in ("a.png", "c.PNG"):
        with open(os.path.join(src_dir, name), "wb") as f:
            f.write(encode_png(good))
    with open(os.path.join(src_dir, "b.png"), "wb") as f:
        f.write(encode_png(good)[:60])  # truncated
    with open(os.path.join(src_dir, "notes.txt"), "w") as f:
        f.write("not an image")
    r = t.run(src_dir, dst_dir, "--scale", "2", "--quiet")
    t.check(r.returncode == 1, f"batch with a bad file: exit {r.returncode}")
    lines = r.stderr.strip().splitlines()
    t.check(len(lines) == 2 and "b.png" in lines[0] and "skipped" in lines[0] and "1 of 3 images failed" in lines[1],
            f"batch stderr: {r.stderr!r}")
    made = sorted(os.listdir(dst_dir)) if os.path.isdir(dst_dir) else []
    t.check(made == ["a.png", "c.PNG"], f"batch outputs: {made}")
    if "a.png" in made:
        got = decode_png(open(os.path.join(dst_dir, "a.png"), "rb").read())
        t.check(got.shape == (10, 12, 3), f"batch output shape {got.shape}")
    t.expect_error([src_dir, src_dir, "--scale", "2"], 1, "input folder", "batch into its own folder")


def test_errors(t, rng):
    pixels = rng.integers(0, 256, size=(4, 5, 3)).astype(np.uint8)
    src = t.write("e.png", pixels)
    out = t.path("e_out.png")
    t.expect_error([src, out], 2, "--scale", "missing --scale", out)
    t.expect_error([src, out, "--scale", "5"], 2, "must be 2, 3 or 4", "scale 5", out)
    t.expect_error([src, out, "--scale", "2", "--method", "bicubik"], 2, "unknown upscale method", "bad method", out)
    if ctypes.util.find_library("cuda") is None:
        t.expect_error([src, out, "--scale", "2", "--device", "cuda"], 1, "no CUDA driver found", "absent device", out)
    t.expect_error([src, "--scale", "2"], 2, "expected an input and an output", "one name", out)
    t.expect_error([src, src, "--scale", "2"], 1, "refusing to overwrite", "output over input")
    t.check(open(src, "rb").read() == encode_png(pixels), "input changed by the refused overwrite")
    t.expect_error([t.path("missing.png"), out, "--scale", "2"], 1, "cannot open", "missing input", out)
    text = t.path("text.png")
    with open(text, "w") as f:
        f.write("hello, not a png\n")
    t.expect_error([text, out, "--scale", "2"], 1, "not a PNG", "text file", out)
    whole = encode_png(pixels)
    for cut in (10, 40, len(whole) - 13):
        trunc = t.path(f"trunc{cut}.png")
        with open(trunc, "wb") as f:
            f.write(whole[:cut])
        t.expect_error([trunc, out, "--scale", "2"], 1, "trunc", f"truncated at {cut}", out)
    t.expect_error([src, out, "--scale", "4", "--max-pixels", "100"], 1, "more than the limit 100", "max pixels", out)
    huge = bytearray(encode_png(pixels))
    huge[16:24] = struct.pack(">II", 100000, 100000)
    huge[29:33] = struct.pack(">I", zlib.crc32(bytes(huge[12:29])) & 0xFFFFFFFF)
    with open(t.path("huge.png"), "wb") as f:
        f.write(huge)
    start = time.time()
    t.expect_error([t.path("huge.png"), out, "--scale", "2"], 1, "limit", "huge claimed size", out)
    t.check(time.time() - start < 10, "huge claimed size took too long to refuse")
    r = subprocess.run([t.tool, "upscale", "--help"], capture_output=True, text=True, timeout=TIMEOUT_S)
    t.check(r.returncode == 0 and "half-pixel" in r.stdout, "upscale --help")


def main():
    tool = os.path.abspath(sys.argv[1])
    seed = int(os.environ.get("KSCONV_TEST_SEED", int(time.time()) % 100000))
    print(f"KSCONV_TEST_SEED={seed}")
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        t = Checker(tool, tmp)
        test_outputs(t, rng)
        test_batch(t, rng)
        test_errors(t, rng)
    print(f"{t.count} checks, {len(t.failures)} failed (KSCONV_TEST_SEED={seed})")
    sys.exit(1 if t.failures else 0)


if __name__ == "__main__":
    main()
