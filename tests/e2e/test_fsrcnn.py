#!/usr/bin/python3
"""End-to-end tests of `ksconv upscale --method fsrcnn` and `ksconv bench --upscale --method fsrcnn`.

Usage: /usr/bin/python3 tests/e2e/test_fsrcnn.py path/to/ksconv

Models with random weights are written here with tools/ksm_format.py, so the tests do not
depend on the bundled models. Checks output sizes and formats for every colour type and bit
depth, gray images against PyTorch running the same weights (when torch imports), folders,
the bundled-model default, every kind of broken model file (one `ksconv: error:` line naming
it, exit 1, no output file), --device on each GPU device present (against the cpu's image),
and the benchmark's rows.
"""

import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

import ksm_format  # noqa: E402
from test_upscale import TIMEOUT_S, Checker, decode_png, encode_png  # noqa: E402

try:
    import torch
    from fsrcnn_torch import FSRCNN
except ImportError:
    torch = None


def random_layers(scale, rng, d=56, s=12, m=4):
    layers = []
    for kind, out, inp, kh, kw, *_ in ksm_format.expected_layers(scale, d, s, m):
        shape = (inp, out, kh, kw) if kind == "deconv" else (out, inp, kh, kw)
        std = 0.01 if kind == "deconv" else np.sqrt(2.0 / (out * kh * kw))
        layer = {"kind": kind, "weight": rng.normal(0, std, shape).astype(np.float32),
                 "bias": (rng.uniform(-0.05, 0.05, out) + (0.45 if kind == "deconv" else 0)).astype(np.float32)}
        if kind == "conv":
            layer["prelu"] = rng.uniform(0, 0.5, out).astype(np.float32)
        layers.append(layer)
    return layers


def torch_gray(path, gray):
    """What ksconv should write for an 8-bit gray image: Y = 16 + 219 v through the network."""
    scale, d, s, m, layers = ksm_format.read_model(path)
    net = FSRCNN(scale, d, s, m).double().load_layers(layers)
    with torch.no_grad():
        y = (16 + 219 * (gray.astype(np.float64) / 255)) / 255
        out = net(torch.from_numpy(y)[None, None])[0, 0].numpy() * 255
    return np.clip(np.rint((out - 16) / 219 * 255), 0, 255)


def test_outputs(t, rng, model2, model3):
    for channels in (1, 2, 3, 4):
        for bits in (8, 16):
            top = 256 if bits == 8 else 65536
            pixels = rng.integers(0, top, size=(9, 13, channels)).astype(np.uint8 if bits == 8 else np.uint16)
            src = t.write(f"in_{channels}_{bits}.png", pixels)
            for scale, model in ((2, model2), (3, model3)):
                dst = t.path(f"out_{channels}_{bits}_x{scale}.png")
                r = t.run(src, dst, "--scale", str(scale), "--method", "fsrcnn", "--model", model, "--quiet")
                what = f"fsrcnn x{scale} {channels} channels {bits}-bit"
                t.check(r.returncode == 0, f"{what}: exit {r.returncode} ({r.stderr.strip()})")
                if r.returncode != 0:
                    continue
                got = decode_png(open(dst, "rb").read())
                t.check(got.shape == (9 * scale, 13 * scale, channels) and got.dtype == pixels.dtype,
                        f"{what}: output {got.shape} {got.dtype}")
    if torch is not None:
        gray = rng.integers(0, 256, size=(11, 17, 1)).astype(np.uint8)
        src, dst = t.write("gray.png", gray), t.path("gray_x2.png")
        r = t.run(src, dst, "--scale", "2", "--method", "fsrcnn", "--model", model2)
        if r.returncode == 0:
            got = decode_png(open(dst, "rb").read())[..., 0].astype(np.int64)
            diff = np.abs(got - torch_gray(model2, gray[..., 0])).max()
            t.check(diff <= 1, f"gray x2: max difference {diff} from PyTorch's float64 network")
        else:
            t.check(False, f"gray x2: exit {r.returncode} ({r.stderr.strip()})")
    else:
        print("note: torch not importable, the comparison with PyTorch is skipped")


def test_batch_and_default(t, rng, model2):
    src_dir, dst_dir = t.path("batch_in"), t.path("batch_out")
    os.mkdir(src_dir)
    for name in ("a.png", "b.png"):
        with open(os.path.join(src_dir, name), "wb") as f:
            f.write(encode_png(rng.integers(0, 256, size=(6, 7, 3)).astype(np.uint8)))
    r = t.run(src_dir, dst_dir, "--scale", "2", "--method", "fsrcnn", "--model", model2, "--quiet")
    t.check(r.returncode == 0 and sorted(os.listdir(dst_dir)) == ["a.png", "b.png"],
            f"fsrcnn folder: exit {r.returncode}, {os.listdir(dst_dir) if os.path.isdir(dst_dir) else None}")
    src = t.write("default.png", rng.integers(0, 256, size=(5, 6, 3)).astype(np.uint8))
    dst = t.path("default_x2.png")
    if os.path.exists(os.path.join(ROOT, "models", "fsrcnn_x2.ksm")):
        r = t.run(src, dst, "--scale", "2", "--method", "fsrcnn")
        t.check(r.returncode == 0 and os.path.exists(dst), f"bundled model: exit {r.returncode} ({r.stderr.strip()})")
    else:
        t.expect_error([src, dst, "--scale", "2", "--method", "fsrcnn"], 1, "fsrcnn_x2.ksm not found",
                       "bundled model absent", dst)


def test_bad_models(t, rng, model2, model3):
    src = t.write("m.png", rng.integers(0, 256, size=(5, 6, 3)).astype(np.uint8))
    out = t.path("m_out.png")
    good = open(model2, "rb").read()

    def with_crc(body):
        return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)

    header = bytearray(good[:-4])
    bad_version, other_d, nan = bytearray(header), bytearray(header), bytearray(header)
    bad_version[8:12] = struct.pack("<I", 2)
    other_d[16:20] = struct.pack("<I", 57)
    nan[len(nan) - 8:len(nan) - 4] = struct.pack("<f", float("nan"))
    flipped = bytearray(good)
    flipped[200] ^= 0x10
    cases = {
        "truncated header": good[:20],
        "truncated table": good[:60],
        "truncated payload": good[:len(good) // 2],
        "one byte more": good + b"\0",
        "bad magic": b"KSFSRCNX" + good[8:],
        "bad checksum": bytes(flipped),
        "bad version": with_crc(bytes(bad_version)),
        "non-finite weight": with_crc(bytes(nan)),
        "empty": b"",
    }
    for what, data in cases.items():
        path = t.path(what.replace(" ", "_") + ".ksm")
        with open(path, "wb") as f:
            f.write(data)
        t.expect_error([src, out, "--scale", "2", "--method", "fsrcnn", "--model", path], 1,
                       os.path.basename(path), f"model {what}", out)
    # Well-formed models the kernels cannot run, a model for another scale, a missing one.
    path = t.path("d57.ksm")
    with open(path, "wb") as f:
        f.write(ksm_format.model_bytes(2, 57, 12, 4, random_layers(2, rng, d=57)))
    t.expect_error([src, out, "--scale", "2", "--method", "fsrcnn", "--model", path], 1, "FSRCNN(d=57",
                   "model d=57", out)
    t.expect_error([src, out, "--scale", "2", "--method", "fsrcnn", "--model", model3], 1, "upscales by 3",
                   "model of another scale", out)
    t.expect_error([src, out, "--scale", "2", "--method", "fsrcnn", "--model", t.path("none.ksm")], 1, "none.ksm",
                   "missing model", out)
    t.expect_error([src, out, "--scale", "2", "--model", model2], 2, "--model is for --method fsrcnn",
                   "--model without fsrcnn", out)
    r = subprocess.run([t.tool, "upscale", "--help"], capture_output=True, text=True, timeout=TIMEOUT_S)
    t.check(r.returncode == 0 and "fsrcnn" in r.stdout and "--model" in r.stdout, "upscale --help mentions fsrcnn")


def test_devices(t, rng, model2):
    """--device on each GPU device present gives the cpu's image within 1 per sample."""
    pixels = rng.integers(0, 256, size=(10, 14, 4)).astype(np.uint8)
    src, want_path = t.write("dev.png", pixels), t.path("dev_cpu.png")
    r = t.run(src, want_path, "--scale", "2", "--method", "fsrcnn", "--model", model2, "--device", "cpu")
    t.check(r.returncode == 0, f"device cpu: exit {r.returncode} ({r.stderr.strip()})")
    for device in ("opencl", "cuda"):
        got_path = t.path(f"dev_{device}.png")
        r = t.run(src, got_path, "--scale", "2", "--method", "fsrcnn", "--model", model2, "--device", device,
                  "--verbose")
        if r.returncode != 0:
            print(f"note: --device {device} unavailable ({r.stderr.strip().splitlines()[-1]})")
            continue
        t.check(f"using device {device}" in r.stderr, f"--device {device} --verbose: {r.stderr.strip()}")
        want = decode_png(open(want_path, "rb").read()).astype(np.int64)
        got = decode_png(open(got_path, "rb").read()).astype(np.int64)
        diff = np.abs(got - want).max()
        t.check(diff <= 1, f"--device {device}: max difference {diff} from the cpu's image")


def test_bench(t, rng, model2):
    src = t.write("bench.png", rng.integers(0, 256, size=(24, 20, 3)).astype(np.uint8))
    r = subprocess.run([t.tool, "bench", "--upscale", src, "--method", "fsrcnn", "--scale", "2", "--model", model2,
                        "--min-time", "0.02", "--threads", "2", "--format", "csv"],
                       capture_output=True, text=True, timeout=TIMEOUT_S * 5)
    t.check(r.returncode == 0, f"bench fsrcnn: exit {r.returncode} ({r.stderr.strip()})")
    lines = r.stdout.strip().splitlines()
    t.check(bool(lines) and lines[0] == "image,scale,impl,threads,median_ms,min_ms,gflops,rel_l2",
            f"bench header: {lines[:1]}")
    impls = [line.split(",")[2] for line in lines[1:]]
    want = ["ksconv-segregated", "ksconv-zero-insert"] + (["pytorch"] if torch is not None else [])
    t.check(impls == want, f"bench rows: {impls}, expected {want}")
    for line in lines[1:]:
        fields = line.split(",")
        t.check(float(fields[4]) > 0 and float(fields[7]) < 1e-5, f"bench row: {line}")
    r = subprocess.run([t.tool, "bench", "--upscale", src, "--method", "fsrcnn", "--scale", "2,3", "--model", model2],
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    t.check(r.returncode == 2 and "one --scale" in r.stderr, f"bench --model with two scales: {r.stderr.strip()}")


def main():
    tool = os.path.abspath(sys.argv[1])
    seed = int(os.environ.get("KSCONV_TEST_SEED", "6"))
    print(f"KSCONV_TEST_SEED={seed}")
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        t = Checker(tool, tmp)
        model2, model3 = t.path("random_x2.ksm"), t.path("random_x3.ksm")
        ksm_format.write_model(model2, 2, 56, 12, 4, random_layers(2, rng))
        ksm_format.write_model(model3, 3, 56, 12, 4, random_layers(3, rng))
        test_outputs(t, rng, model2, model3)
        test_batch_and_default(t, rng, model2)
        test_bad_models(t, rng, model2, model3)
        test_devices(t, rng, model2)
        test_bench(t, rng, model2)
    print(f"{t.count} checks, {len(t.failures)} failed (KSCONV_TEST_SEED={seed})")
    sys.exit(1 if t.failures else 0)


if __name__ == "__main__":
    main()
