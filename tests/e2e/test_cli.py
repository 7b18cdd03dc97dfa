#!/usr/bin/python3
"""End-to-end tests of the ksconv command-line tool.

Usage: /usr/bin/python3 tests/e2e/test_cli.py path/to/ksconv

Runs `ksconv convt` on random tensors and compares with a float64 scatter reference written
here (and with PyTorch when it can be imported), then checks the error contract: bad
parameters and malformed files give exit status 1 or 2, exactly one stderr line starting
`ksconv: error:`, and leave no output or temporary file behind.
Randomness is seeded from KSCONV_TEST_SEED (or the time) and the seed is printed.
"""

import ctypes.util
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import torch  # optional cross-check of the reference
except ImportError:
    torch = None

TIMEOUT_S = 60
RTOL = 1e-4
METHODS = ("segregated", "zero-insert", "reference")


# ---------------------------------------------------------------- reference

def out_extent(size, stride, pad_begin, pad_end, dilation, kernel, output_padding):
    return (size - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + output_padding + 1


def reference(x, w, b, stride=(1, 1), pads=(0, 0, 0, 0), output_padding=(0, 0),
              dilation=(1, 1), groups=1):
    """ConvTranspose2d in float64 by scattering every input pixel times every tap."""
    n, cin, h, wd = x.shape
    _, cout_g, kh, kw = w.shape
    sh, sw = stride
    top, left, bottom, right = pads
    dh, dw = dilation
    hout = out_extent(h, sh, top, bottom, dh, kh, output_padding[0])
    wout = out_extent(wd, sw, left, right, dw, kw, output_padding[1])
    # Canvas coordinate = output coordinate + leading pad; large enough for every tap and for
    # the output window (output padding can reach past the last tap).
    canvas = np.zeros((n, cout_g * groups,
                       max((h - 1) * sh + (kh - 1) * dh + 1, top + hout),
                       max((wd - 1) * sw + (kw - 1) * dw + 1, left + wout)))
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    cin_g = cin // groups
    for g in range(groups):
        xg = x[:, g * cin_g:(g + 1) * cin_g]
        wg = w[g * cin_g:(g + 1) * cin_g]
        for ky in range(kh):
            for kx in range(kw):
                contrib = np.einsum("nchw,cd->ndhw", xg, wg[:, :, ky, kx])
                canvas[:, g * cout_g:(g + 1) * cout_g,
                       ky * dh:ky * dh + (h - 1) * sh + 1:sh,
                       kx * dw:kx * dw + (wd - 1) * sw + 1:sw] += contrib
    out = canvas[:, :, top:top + hout, left:left + wout]
    if b is not None:
        out = out + b.astype(np.float64)[None, :, None, None]
    return out


def gather_reference(x, w, b, stride, pads, output_padding, dilation, groups):
    """The formula read the other way round (per output pixel); slow, for tiny self-checks."""
    n, cin, h, wd = x.shape
    _, cout_g, kh, kw = w.shape
    hout = out_extent(h, stride[0], pads[0], pads[2], dilation[0], kh, output_padding[0])
    wout = out_extent(wd, stride[1], pads[1], pads[3], dilation[1], kw, output_padding[1])
    cin_g = cin // groups
    out = np.zeros((n, cout_g * groups, hout, wout))
    for b_ in range(n):
        for co in range(cout_g * groups):
            g = co // cout_g
            for oy in range(hout):
                for ox in range(wout):
                    acc = 0.0 if b is None else float(b[co])
                    for ci in range(g * cin_g, (g + 1) * cin_g):
                        for ky in range(kh):
                            ty = oy + pads[0] - ky * dilation[0]
                            if ty < 0 or ty % stride[0] or ty // stride[0] >= h:
                                continue
                            for kx in range(kw):
                                tx = ox + pads[1] - kx * dilation[1]
                                if tx < 0 or tx % stride[1] or tx // stride[1] >= wd:
                                    continue
                                acc += float(x[b_, ci, ty // stride[0], tx // stride[1]]) * \
                                    float(w[ci, co % cout_g, ky, kx])
                    out[b_, co, oy, ox] = acc
    return out


def torch_reference(x, w, b, stride, pads, output_padding, dilation, groups):
    """PyTorch only pads symmetrically: run with the smaller pad and crop the remainder."""
    pt, pl = min(pads[0], pads[2]), min(pads[1], pads[3])
    y = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w.astype(np.float64)),
        None if b is None else torch.from_numpy(b.astype(np.float64)),
        stride=stride, padding=(pt, pl), output_padding=output_padding, groups=groups,
        dilation=dilation).numpy()
    hout = out_extent(x.shape[2], stride[0], pads[0], pads[2], dilation[0], w.shape[2],
                      output_padding[0])
    wout = out_extent(x.shape[3], stride[1], pads[1], pads[3], dilation[1], w.shape[3],
                      output_padding[1])
    return y[:, :, pads[0] - pt:pads[0] - pt + hout, pads[1] - pl:pads[1] - pl + wout]


def cuda_driver_present():
    return ctypes.util.find_library("cuda") is not None


def rel_l2(got, want):
    return float(np.linalg.norm(got.astype(np.float64) - want) / max(np.linalg.norm(want), 1e-30))


# ---------------------------------------------------------------- harness

class Runner:
    def __init__(self, exe, seed):
        self.exe = exe
        self.seed = seed
        self.passed = 0
        self.failures = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(name)
            print(f"FAIL {name}: {detail} (seed {self.seed})", flush=True)

    def run(self, args):
        """Runs ksconv; returns (exit status, stdout, stderr), status None on a hang."""
        try:
            p = subprocess.run([self.exe] + args, capture_output=True, text=True,
                               errors="replace", timeout=TIMEOUT_S)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return None, "", f"timed out after {TIMEOUT_S} s"


def save(path, array):
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))
    return path


def fmt(values):
    return ",".join(str(v) for v in values)


def convt_args(x_path, w_path, b_path, out_path, case, method):
    args = ["convt", "--input", x_path, "--weight", w_path, "--output", out_path,
            "--stride", fmt(case["stride"]), "--padding", fmt(case["pads"]),
            "--output-padding", fmt(case["output_padding"]), "--dilation", fmt(case["dilation"]),
            "--groups", str(case["groups"]), "--method", method]
    if b_path:
        args += ["--bias", b_path]
    return args


# ---------------------------------------------------------------- correctness

def make_case(rng, name, n, cin, h, w, cout, k, stride=(1, 1), pads=(0, 0, 0, 0),
              output_padding=(0, 0), dilation=(1, 1), groups=1, bias=True, rank3=False):
    kh, kw = k
    return dict(name=name, x=rng.standard_normal((n, cin, h, w)).astype(np.float32),
                w=rng.standard_normal((cin, cout // groups, kh, kw)).astype(np.float32),
                b=rng.standard_normal(cout).astype(np.float32) if bias else None,
                stride=stride, pads=pads, output_padding=output_padding, dilation=dilation,
                groups=groups, rank3=rank3)


def random_case(rng, index):
    """A random valid layer: odd sizes, pads that keep the output non-empty."""
    while True:
        groups = int(rng.choice([1, 1, 2, 3]))
        cin, cout = groups * int(rng.integers(1, 5)), groups * int(rng.integers(1, 5))
        h, w = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        k = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        dilation = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        opad = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        pads = tuple(int(rng.integers(0, 4)) for _ in range(4))
        hout = out_extent(h, stride[0], pads[0], pads[2], dilation[0], k[0], opad[0])
        wout = out_extent(w, stride[1], pads[1], pads[3], dilation[1], k[1], opad[1])
        if hout >= 1 and wout >= 1:
            return make_case(rng, f"random{index}", int(rng.integers(1, 3)), cin, h, w, cout, k,
                             stride, pads, opad, dilation, groups, bias=bool(rng.integers(0, 2)))


def fixed_cases(rng):
    c = make_case
    return [
        c(rng, "stride2_pad1_k4", 1, 5, 7, 6, 3, (4, 4), (2, 2), (1, 1, 1, 1)),
        c(rng, "stride1_k3_nobias", 1, 3, 5, 5, 4, (3, 3), bias=False),
        c(rng, "asymmetric_pads", 1, 4, 6, 5, 3, (3, 4), (2, 2), (1, 0, 2, 3)),
        c(rng, "unequal_strides", 1, 3, 5, 7, 2, (3, 3), (3, 1), (0, 1, 0, 1)),
        c(rng, "dilation_outpad_ge_stride", 1, 2, 5, 4, 3, (3, 3), (1, 2), (1, 1, 1, 1),
          output_padding=(2, 1), dilation=(3, 2)),
        c(rng, "kernel_smaller_than_stride", 1, 3, 4, 4, 2, (2, 1), (3, 3), output_padding=(2, 1)),
        c(rng, "groups3", 1, 6, 5, 5, 9, (3, 3), (2, 2), (1, 1, 1, 1), output_padding=(1, 1),
          groups=3),
        c(rng, "depthwise", 1, 7, 6, 6, 7, (4, 4), (2, 2), (1, 1, 1, 1), groups=7, bias=False),
        c(rng, "batch2", 2, 3, 5, 6, 4, (3, 3), (2, 2), (1, 1, 1, 1), output_padding=(1, 1)),
        c(rng, "signal_1xL", 2, 3, 1, 17, 2, (1, 5), (1, 4), (0, 2, 0, 1)),
        c(rng, "rank3_input", 1, 3, 5, 4, 2, (3, 3), (2, 2), (1, 1, 1, 1), rank3=True),
        c(rng, "pixel_1x1_input", 1, 2, 1, 1, 3, (3, 2), (2, 2)),
        c(rng, "tail_channels_15_17", 1, 15, 4, 3, 17, (3, 3), (2, 2), (1, 1, 1, 1)),
    ]


def self_check_reference(r, rng):
    """The scatter reference against the gather form (and PyTorch) on small cases."""
    cases = [fixed_cases(rng)[i] for i in (2, 4, 5, 6)] + [random_case(rng, i) for i in range(4)]
    for case in cases:
        args = (case["x"], case["w"], case["b"], case["stride"], case["pads"],
                case["output_padding"], case["dilation"], case["groups"])
        want = gather_reference(*args)
        r.check(f"reference_self_check[{case['name']}]", rel_l2(reference(*args), want) < 1e-12)
        if torch is not None:
            r.check(f"torch_cross_check[{case['name']}]",
                    rel_l2(torch_reference(*args), want) < 1e-10)


def test_correctness(r, rng, root):
    cases = fixed_cases(rng) + [random_case(rng, i) for i in range(10)]
    for case in cases:
        d = tempfile.mkdtemp(dir=root)
        x = case["x"][0] if case["rank3"] else case["x"]
        x_path = save(os.path.join(d, "x.npy"), x)
        w_path = save(os.path.join(d, "w.npy"), case["w"])
        b_path = save(os.path.join(d, "b.npy"), case["b"]) if case["b"] is not None else None
        want = reference(case["x"], case["w"], case["b"], case["stride"], case["pads"],
                         case["output_padding"], case["dilation"], case["groups"])
        if case["rank3"]:
            want = want[0]
        for method in METHODS:
            name = f"{case['name']}[{method}]"
            out_path = os.path.join(d, f"y_{method}.npy")
            status, _, err = r.run(convt_args(x_path, w_path, b_path, out_path, case, method))
            if status != 0:
                r.check(name, False, f"exit {status}: {err.strip()}")
                continue
            got = np.load(out_path)
            if got.dtype != np.float32 or got.shape != want.shape:
                r.check(name, False, f"got {got.dtype} {got.shape}, want float32 {want.shape}")
                continue
            err_l2 = rel_l2(got, want)
            r.check(name, err_l2 <= RTOL, f"relative L2 error {err_l2:.3g} > {RTOL}")
        expected = {"x.npy", "w.npy"} | ({"b.npy"} if b_path else set()) | \
            {f"y_{m}.npy" for m in METHODS}
        r.check(f"{case['name']}[no stray files]", set(os.listdir(d)) == expected,
                f"directory holds {sorted(os.listdir(d))}")


def test_options(r, rng, root):
    """Option spellings and execution options give the same numbers."""
    d = tempfile.mkdtemp(dir=root)
    case = make_case(rng, "options", 1, 4, 6, 5, 4, (3, 3), (2, 2), (1, 1, 1, 1),
                     output_padding=(1, 1), groups=2)
    x, w, b = (save(os.path.join(d, f), a) for f, a in
               (("x.npy", case["x"]), ("w.npy", case["w"]), ("b.npy", case["b"])))
    want = reference(case["x"], case["w"], case["b"], (2, 2), (1, 1, 1, 1), (1, 1), (1, 1), 2)
    variants = {
        "equals_syntax": ["--input=" + x, "--weight=" + w, "--bias=" + b, "--stride=2",
                          "--padding=1", "--output-padding=1", "--groups=2"],
        "two_number_forms": ["--input", x, "--weight", w, "--bias", b, "--stride", "2,2",
                             "--padding", "1,1", "--output-padding", "1,1", "--dilation", "1,1",
                             "--groups", "2"],
        "threads_device_cpu": ["--input", x, "--weight", w, "--bias", b, "--stride", "2",
                               "--padding", "1", "--output-padding", "1", "--groups", "2",
                               "--threads", "3", "--device", "cpu"],
    }
    for name, args in variants.items():
        out = os.path.join(d, name + ".npy")
        status, _, err = r.run(["convt"] + args + ["--output", out])
        ok = status == 0 and rel_l2(np.load(out), want) <= RTOL
        r.check(f"option_{name}", ok, f"exit {status}: {err.strip()}")

    out = os.path.join(d, "auto.npy")
    status, _, err = r.run(["convt", "--input", x, "--weight", w, "--output", out, "--stride",
                            "2", "--groups", "2", "--device", "auto", "--verbose"])
    # auto is the cpu unless a CUDA driver or an OpenCL GPU is there (never PoCL's cpu device).
    want_device = "ksconv: using device " + ("" if cuda_driver_present() else "cpu")
    r.check("device_auto_verbose", status == 0 and want_device in err, f"exit {status}, stderr {err!r}")

    # NaN in the data is not refused; it propagates where it is used.
    xn = case["x"].copy()
    xn[0, 0, 0, 0] = np.nan
    xn_path = save(os.path.join(d, "xnan.npy"), xn)
    out = os.path.join(d, "nan.npy")
    status, _, err = r.run(["convt", "--input", xn_path, "--weight", w, "--output", out,
                            "--stride", "2", "--groups", "2"])
    ok = status == 0 and np.isnan(np.load(out)).any() and not np.isnan(np.load(out)).all()
    r.check("nan_propagates", ok, f"exit {status}: {err.strip()}")


# ---------------------------------------------------------------- error contract

def npy_bytes(shape, descr="<f4", fortran=False, data=None, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %r, }" % (
        descr, fortran, tuple(shape))
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    if data is None:
        count = int(np.prod(shape)) if shape else 1
        data = np.zeros(count, dtype=np.dtype(descr)).tobytes()
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin1") + data


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def check_error(r, name, args, d, statuses=(1, 2)):
    before = set(os.listdir(d))
    status, out, err = r.run(args)
    lines = err.splitlines()
    problems = []
    if status is None or status not in statuses:
        problems.append(f"exit {status}, want one of {statuses}")
    if len(lines) != 1 or not lines[0].startswith("ksconv: error: "):
        problems.append(f"stderr {err!r}")
    if out:
        problems.append(f"stdout {out!r}")
    after = set(os.listdir(d))
    if after != before:
        problems.append(f"new files {sorted(after - before)}, removed {sorted(before - after)}")
    r.check(f"error_{name}", not problems, "; ".join(problems))


def test_errors(r, rng, root):
    d = tempfile.mkdtemp(dir=root)
    x = save(os.path.join(d, "x.npy"), rng.standard_normal((1, 4, 5, 5)))
    w = save(os.path.join(d, "w.npy"), rng.standard_normal((4, 3, 3, 3)))
    b = save(os.path.join(d, "b.npy"), rng.standard_normal(3))
    y = os.path.join(d, "y.npy")
    base = ["convt", "--input", x, "--weight", w, "--output", y]

    def bad(name, extra, statuses=(1, 2)):
        check_error(r, name, base + extra, d, statuses)

    def bad_file(name, role, data, statuses=(1,)):
        path = write_bytes(os.path.join(d, f"bad_{name}.npy"), data)
        args = {"--input": x, "--weight": w, "--output": y}
        args[role] = path
        line = ["convt"] + [a for kv in args.items() for a in kv]
        check_error(r, name, line, d, statuses)
        os.remove(path)

    # Invalid layer parameters.
    bad("output_padding_ge_stride", ["--stride", "2", "--output-padding", "2"], (1,))
    bad("output_padding_ge_dilation", ["--dilation", "2", "--output-padding", "2"], (1,))
    bad("groups_not_dividing_cin", ["--groups", "3"], (1,))
    bad("groups_larger_than_cin", ["--groups", "8"], (1,))
    bad("empty_output", ["--padding", "4"], (1,))
    bad("stride_zero", ["--stride", "0"], (2,))
    bad("stride_three_numbers", ["--stride", "2,0,1"], (2,))
    bad("dilation_zero", ["--dilation", "1,0"], (2,))
    bad("groups_zero", ["--groups", "0"], (2,))
    bad("negative_padding", ["--padding", "-1"], (2,))
    bad("padding_three_numbers", ["--padding", "1,2,3"], (2,))
    bad("number_with_suffix", ["--stride", "2x"], (2,))
    bad("number_empty", ["--stride="], (2,))
    bad("number_list_gap", ["--padding", "1,,2"], (2,))
    bad("number_trailing_comma", ["--padding", "1,"], (2,))
    bad("number_space", ["--padding", "1, 2"], (2,))
    bad("number_plus_sign", ["--stride", "+2"], (2,))
    bad("number_overflow", ["--padding", "99999999999"], (2,))
    bad("number_float", ["--stride", "1.5"], (2,))
    bad("threads_zero", ["--threads", "0"], (2,))
    bad("threads_negative", ["--threads", "-2"], (2,))
    bad("unknown_method", ["--method", "winograd"], (2,))
    bad("unknown_device", ["--device", "tpu"], (2,))
    if not cuda_driver_present():
        bad("cuda_absent", ["--device", "cuda"], (1,))
        status, _, err = r.run(base + ["--device", "cuda"])
        r.check("cuda_absent_message",
                err.strip() == "ksconv: error: no CUDA driver found (libcuda.so could not be loaded)",
                f"stderr {err!r}")
    bad("unknown_option", ["--strides", "2"], (2,))
    bad("missing_value", ["--stride"], (2,))
    bad("value_is_option", ["--stride", "--padding", "1"], (2,))
    bad("repeated_option", ["--stride", "2", "--stride", "2"], (2,))
    bad("flag_with_value", ["--verbose=yes"], (2,))
    bad("stray_positional", ["extra.npy"], (2,))
    check_error(r, "missing_weight", ["convt", "--input", x, "--output", y], d, (2,))
    check_error(r, "missing_output", ["convt", "--input", x, "--weight", w], d, (2,))
    check_error(r, "no_command", [], d, (2,))
    check_error(r, "unknown_command", ["convolve"], d, (2,))
    check_error(r, "bench_missing_shapes_file", ["bench", "--shapes", os.path.join(d, "missing.csv")], d, (1,))
    check_error(r, "upscale_not_implemented", ["upscale", "a.png", "b.png"], d, (2,))

    # Malformed or unsuitable files.
    good = npy_bytes((1, 4, 5, 5))
    bad_file("bad_magic", "--input", b"\x93NUMPX" + good[6:])
    bad_file("empty_file", "--input", b"")
    bad_file("truncated_body", "--input", good[:-7])
    bad_file("truncated_header", "--input", good[:20])
    bad_file("header_length_past_end", "--input", good[:8] + struct.pack("<H", 60000) + good[10:])
    bad_file("trailing_bytes", "--input", good + b"\0\0\0\0")
    bad_file("float64", "--input", npy_bytes((1, 4, 5, 5), "<f8"))
    bad_file("int32", "--input", npy_bytes((1, 4, 5, 5), "<i4"))
    bad_file("big_endian", "--input", npy_bytes((1, 4, 5, 5), ">f4"))
    bad_file("fortran_order", "--input", npy_bytes((1, 4, 5, 5), fortran=True))
    bad_file("absurd_shape", "--input", npy_bytes((1 << 40, 1 << 20, 5, 5), data=b""))
    bad_file("input_rank2", "--input", npy_bytes((4, 5)))
    bad_file("input_rank5", "--input", npy_bytes((1, 1, 4, 5, 5)))
    bad_file("input_zero_extent", "--input", npy_bytes((1, 4, 0, 5)))
    bad_file("weight_rank3", "--weight", npy_bytes((4, 3, 3)))
    bad_file("weight_zero_extent", "--weight", npy_bytes((4, 3, 0, 3)))
    bad_file("channel_mismatch", "--weight", npy_bytes((5, 3, 3, 3)))
    bad_file("bias_wrong_length", "--bias", npy_bytes((4,)))
    bad_file("bias_rank2", "--bias", npy_bytes((1, 3)))
    bad_file("npy_v2_float64", "--weight", npy_bytes((4, 3, 3, 3), "<f8", version=2))
    check_error(r, "missing_input_file",
                ["convt", "--input", os.path.join(d, "nope.npy"), "--weight", w, "--output", y],
                d, (1,))
    bad("missing_bias_file", ["--bias", os.path.join(d, "nope.npy")], (1,))
    check_error(r, "input_is_directory", ["convt", "--input", d, "--weight", w, "--output", y],
                d, (1,))
    check_error(r, "output_dir_missing",
                base[:-1] + [os.path.join(d, "no_such_dir", "y.npy")], d, (1,))

    # --max-elements: files (from their headers) and the output above it are refused, and
    # the message names the option; a bad value is a usage error.
    for name, limit in (("max_elements_input", "50"), ("max_elements_output", "120")):
        bad(name, ["--max-elements", limit], (1,))
        _, _, err = r.run(base + ["--max-elements", limit])
        r.check(f"{name}_names_option", "--max-elements" in err, err)
    bad("max_elements_zero", ["--max-elements", "0"], (2,))
    bad("max_elements_not_a_number", ["--max-elements", "1e9"], (2,))

    # The output may not be an input, however it is spelled.
    x_before = open(x, "rb").read()
    alias = os.path.join(d, "alias.npy")
    os.symlink(x, alias)
    spellings = {
        "output_is_input": x,
        "output_is_input_dotdot": os.path.join(d, "..", os.path.basename(d), "x.npy"),
        "output_is_symlink_to_input": alias,
    }
    for name, out in spellings.items():
        check_error(r, name, ["convt", "--input", x, "--weight", w, "--output", out], d, (1, 2))
    check_error(r, "output_is_weight", ["convt", "--input", x, "--weight", w, "--output", w],
                d, (1, 2))
    check_error(r, "output_is_bias",
                ["convt", "--input", x, "--weight", w, "--bias", b, "--output", b], d, (1, 2))
    r.check("input_intact_after_refusals", open(x, "rb").read() == x_before)


def test_info(r):
    status, out, err = r.run(["--help"])
    r.check("help", status == 0 and "convt" in out and not err, f"exit {status}")
    status, out, _ = r.run(["-h"])
    r.check("help_short", status == 0 and "convt" in out, f"exit {status}")
    status, out, err = r.run(["convt", "--help"])
    ok = status == 0 and "--stride" in out and "Cout/groups" in out and not err
    r.check("convt_help", ok, f"exit {status}")
    status, out, err = r.run(["--version"])
    ok = status == 0 and re.fullmatch(r"ksconv \d+\.\d+\.\d+\n", out) is not None and not err
    r.check("version", ok, f"exit {status}, stdout {out!r}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_cli.py path/to/ksconv")
    exe = os.path.abspath(sys.argv[1])
    seed = int(os.environ.get("KSCONV_TEST_SEED", int(time.time()) % 1000000))
    print(f"ksconv e2e: {exe}, seed {seed} (set KSCONV_TEST_SEED to repeat)"
          f"{', torch cross-check on' if torch is not None else ''}", flush=True)
    rng = np.random.default_rng(seed)
    r = Runner(exe, seed)
    root = tempfile.mkdtemp(prefix="ksconv_e2e_")
    try:
        self_check_reference(r, rng)
        test_info(r)
        test_correctness(r, rng, root)
        test_options(r, rng, root)
        test_errors(r, rng, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{r.passed} passed, {len(r.failures)} failed" +
          (f" (seed {seed})" if r.failures else ""))
    sys.exit(1 if r.failures else 0)


if __name__ == "__main__":
    main()
