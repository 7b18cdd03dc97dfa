#!/usr/bin/python3
"""End-to-end tests of `--device` on every GPU device this machine has.

Usage: /usr/bin/python3 tests/e2e/test_devices.py path/to/ksconv

For CUDA and OpenCL, where the device is there: `convt` on the fixed cases of test_cli.py
with both kernel methods against the float64 reference, `--verbose` naming the device,
`upscale` giving the cpu's image within 1 per sample, and `bench` timing the kernel and the
copies as separate rows. With no GPU device at all it prints "[SKIP] ..." (CTest marks the
test skipped); KSCONV_REQUIRE_OPENCL=1 / KSCONV_REQUIRE_CUDA=1 make a missing device a
failure instead (CI runs OpenCL on PoCL).
"""

import os
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cli import Runner, convt_args, fixed_cases, reference, rel_l2, save  # noqa: E402
from test_upscale import decode_png, encode_png  # noqa: E402

RTOL = 1e-4
DEVICES = ("cuda", "opencl")


def device_available(r, root, device):
    """(available, reason) from a tiny convt run on the device."""
    d = tempfile.mkdtemp(dir=root)
    x = save(os.path.join(d, "x.npy"), np.ones((1, 1, 2, 2)))
    w = save(os.path.join(d, "w.npy"), np.ones((1, 1, 2, 2)))
    status, _, err = r.run(["convt", "--input", x, "--weight", w, "--output", os.path.join(d, "y.npy"),
                            "--device", device])
    return status == 0, err.strip()


def test_convt(r, rng, root, device):
    for case in fixed_cases(rng):
        d = tempfile.mkdtemp(dir=root)
        x = case["x"][0] if case["rank3"] else case["x"]
        x_path = save(os.path.join(d, "x.npy"), x)
        w_path = save(os.path.join(d, "w.npy"), case["w"])
        b_path = save(os.path.join(d, "b.npy"), case["b"]) if case["b"] is not None else None
        want = reference(case["x"], case["w"], case["b"], case["stride"], case["pads"],
                         case["output_padding"], case["dilation"], case["groups"])
        if case["rank3"]:
            want = want[0]
        for method in ("segregated", "zero-insert"):
            name = f"{device}:{case['name']}[{method}]"
            out = os.path.join(d, f"y_{method}.npy")
            status, _, err = r.run(convt_args(x_path, w_path, b_path, out, case, method) + ["--device", device])
            if status != 0:
                r.check(name, False, f"exit {status}: {err.strip()}")
                continue
            got = np.load(out)
            r.check(name, got.shape == want.shape and rel_l2(got, want) <= RTOL,
                    f"shape {got.shape} vs {want.shape}")

    d = tempfile.mkdtemp(dir=root)
    case = fixed_cases(rng)[0]
    x, w = save(os.path.join(d, "x.npy"), case["x"]), save(os.path.join(d, "w.npy"), case["w"])
    status, _, err = r.run(["convt", "--input", x, "--weight", w, "--output", os.path.join(d, "y.npy"),
                            "--stride", "2", "--device", device, "--verbose"])
    r.check(f"{device}:verbose_names_device", status == 0 and f"ksconv: using device {device}: " in err,
            f"stderr {err!r}")
    status, _, err = r.run(["convt", "--input", x, "--weight", w, "--output", os.path.join(d, "r.npy"),
                            "--method", "reference", "--device", device])
    r.check(f"{device}:reference_refused", status == 1 and "runs on the cpu only" in err, f"stderr {err!r}")


def test_upscale(r, rng, root, device):
    d = tempfile.mkdtemp(dir=root)
    pixels = rng.integers(0, 256, size=(23, 37, 3), dtype=np.uint8)
    src = os.path.join(d, "in.png")
    with open(src, "wb") as f:
        f.write(encode_png(pixels))
    for method in ("nearest", "bilinear", "bicubic", "lanczos4"):
        outs = {}
        for dev in ("cpu", device):
            out = os.path.join(d, f"{method}_{dev}.png")
            status, _, err = r.run(["upscale", src, out, "--scale", "3", "--method", method, "--device", dev])
            if status == 0:
                with open(out, "rb") as f:
                    outs[dev] = decode_png(f.read()).astype(np.int32)
            else:
                r.check(f"{device}:upscale_{method}_{dev}", False, f"exit {status}: {err.strip()}")
        if len(outs) == 2:
            diff = int(np.abs(outs["cpu"] - outs[device]).max())
            r.check(f"{device}:upscale_{method}", outs[device].shape == (69, 111, 3) and diff <= 1,
                    f"shape {outs[device].shape}, max difference to the cpu {diff}")


def test_bench(r, root, device):
    d = tempfile.mkdtemp(dir=root)
    shapes = os.path.join(d, "shapes.csv")
    with open(shapes, "w") as f:
        f.write("name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation,groups\n"
                "tiny,1,8,6,5,4,4,4,2,1,0,1,1\n")
    status, out, err = r.run(["bench", "--shapes", shapes, "--device", device, "--format", "csv",
                              "--min-time", "0.05", "--threads", "2"])
    rows = [line.split(",") for line in out.strip().splitlines()[1:]]
    methods = [row[1] for row in rows]
    ok = (status == 0 and methods == ["segregated", "zero-insert", "host-to-device", "device-to-host"]
          and all(row[2] == device for row in rows))
    r.check(f"{device}:bench_rows", ok, f"exit {status}, stdout {out!r}, stderr {err.strip()!r}")
    status, _, err = r.run(["bench", "--shapes", shapes, "--device", device, "--methods", "onednn"])
    r.check(f"{device}:bench_onednn_refused", status == 1 and ("cpu only" in err or "not built" in err),
            f"exit {status}, stderr {err!r}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_devices.py path/to/ksconv")
    exe = os.path.abspath(sys.argv[1])
    seed = int(os.environ.get("KSCONV_TEST_SEED", int(time.time()) % 1000000))
    rng = np.random.default_rng(seed)
    r = Runner(exe, seed)
    root = tempfile.mkdtemp(prefix="ksconv_devices_")
    tested = []
    try:
        for device in DEVICES:
            available, why = device_available(r, root, device)
            if not available:
                required = os.environ.get(f"KSCONV_REQUIRE_{device.upper()}") == "1"
                r.check(f"{device}:required", not required, f"required but unavailable: {why}")
                print(f"{device}: unavailable ({why})", flush=True)
                continue
            print(f"ksconv e2e devices: {exe} on {device}, seed {seed}", flush=True)
            tested.append(device)
            test_convt(r, rng, root, device)
            test_upscale(r, rng, root, device)
            test_bench(r, root, device)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if not tested and not r.failures:
        print("[SKIP] no GPU device (cuda, opencl) on this machine")
        sys.exit(0)
    print(f"{r.passed} passed, {len(r.failures)} failed on {', '.join(tested) or 'no device'}" +
          (f" (seed {seed})" if r.failures else ""))
    sys.exit(1 if r.failures else 0)


if __name__ == "__main__":
    main()
