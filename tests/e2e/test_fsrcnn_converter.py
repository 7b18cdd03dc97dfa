#!/usr/bin/python3
"""End-to-end tests of the FSRCNN model tools and the C++ model reader.

Usage: /usr/bin/python3 tests/e2e/test_fsrcnn_converter.py path/to/ksconv_fsrcnn_reference

Builds random FSRCNNs in PyTorch (tools/fsrcnn_torch.py, the trainer's module), saves their
state_dicts, converts them with tools/convert_fsrcnn_state_dict.py, and checks that
 - the .ksm holds exactly the state_dict's float32 values (tools/ksm_format.py's reader),
 - the C++ reader accepts it and the C++ float64 reference forward pass (run through the
   helper executable) matches PyTorch's float64 forward pass (relative L2 < 1e-6),
 - the bundled models/fsrcnn_x{2,3,4}.ksm give the same output through both readers,
 - bad state_dicts and arguments fail with one `convert_fsrcnn_state_dict: error:` line,
   a non-zero status and no output file; a damaged .ksm is refused by the C++ reader.
Prints `[SKIP] python3-torch not installed` (CTest marks it skipped) when torch is absent.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

try:
    import torch
except ImportError:
    print("[SKIP] python3-torch not installed")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import ksm_format  # noqa: E402
from fsrcnn_torch import FSRCNN  # noqa: E402

CONVERTER = os.path.join(ROOT, "tools", "convert_fsrcnn_state_dict.py")
TIMEOUT_S = 300
SEED = 1601
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S)


def convert(state_dict_path, scale, out):
    return run([sys.executable, CONVERTER, state_dict_path, "--scale", str(scale), "--out", out])


def random_fsrcnn(scale, d, s, m, generator):
    """Every parameter random and large enough that each layer matters, PReLU slopes of both signs."""
    net = FSRCNN(scale, d, s, m)
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * (0.5 if p.ndim == 1 else 0.3))
    return net


def torch_forward(net, image):
    with torch.no_grad():
        return net.double()(torch.from_numpy(image.astype(np.float64))[None, None])[0, 0].numpy()


def reference_forward(helper, model_path, image, work):
    np.save(os.path.join(work, "in.npy"), image.astype(np.float32))
    out_path = os.path.join(work, "out.npy")
    result = run([helper, model_path, os.path.join(work, "in.npy"), out_path])
    if result.returncode != 0:
        return None, result.stderr.strip()
    return np.load(out_path).astype(np.float64), ""


def relative_l2(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def compare_with_torch(helper, net, model_path, image, work, label):
    got, err = reference_forward(helper, model_path, image, work)
    check(got is not None, f"{label}: the C++ reader accepts the model ({err or 'ok'})")
    if got is None:
        return
    want = torch_forward(net, image)
    check(got.shape == want.shape, f"{label}: output shape {got.shape} == {want.shape}")
    if got.shape == want.shape:
        error = relative_l2(got, want)
        check(error < 1e-6, f"{label}: C++ float64 reference vs PyTorch float64, relative L2 {error:.2e} < 1e-6")


def test_random_models(helper, work, generator):
    for scale, (d, s, m) in ((2, (56, 12, 4)), (3, (8, 4, 1)), (4, (5, 3, 0))):
        label = f"x{scale} FSRCNN(d={d}, s={s}, m={m})"
        net = random_fsrcnn(scale, d, s, m, generator)
        sd_path, ksm_path = os.path.join(work, "sd.pth"), os.path.join(work, "model.ksm")
        torch.save(net.state_dict(), sd_path)
        result = convert(sd_path, scale, ksm_path)
        check(result.returncode == 0, f"{label}: converted ({result.stderr.strip() or result.stdout.strip()})")
        if result.returncode != 0:
            continue
        got = ksm_format.read_model(ksm_path)
        check(got[:4] == (scale, d, s, m), f"{label}: header says scale, d, s, m = {got[:4]}")
        want = ksm_format.layers_from_module(net)
        same = all(np.array_equal(a[k], b[k].astype(np.float32)) for a, b in zip(got[4], want) for k in b if k != "kind")
        check(same, f"{label}: the file holds the state_dict's values exactly")
        image = torch.rand(13, 11, generator=generator, dtype=torch.float64).numpy()
        compare_with_torch(helper, net, ksm_path, image, work, label)


def test_other_layouts(helper, work, generator):
    """DataParallel's prefix, a wrapped checkpoint, and one shared PReLU slope per layer."""
    net = random_fsrcnn(3, 6, 4, 2, generator)
    sd = {"module." + k: v for k, v in net.state_dict().items()}
    torch.save({"state_dict": sd, "epoch": 7}, os.path.join(work, "wrapped.pth"))
    result = convert(os.path.join(work, "wrapped.pth"), 3, os.path.join(work, "wrapped.ksm"))
    check(result.returncode == 0, f"wrapped, module.-prefixed checkpoint converts ({result.stderr.strip()})")

    shared = FSRCNN(2, 6, 4, 1)
    for module in list(shared.modules()):
        for name, child in module.named_children():
            if isinstance(child, torch.nn.PReLU):
                setattr(module, name, torch.nn.PReLU(1, init=float(torch.rand(1, generator=generator)) - 0.3))
    with torch.no_grad():
        for p in shared.parameters():
            if p.ndim > 1:
                p.copy_(torch.randn(p.shape, generator=generator) * 0.3)
    torch.save(shared.state_dict(), os.path.join(work, "shared.pth"))
    result = convert(os.path.join(work, "shared.pth"), 2, os.path.join(work, "shared.ksm"))
    check(result.returncode == 0, f"shared-slope PReLU converts ({result.stderr.strip()})")
    if result.returncode == 0:
        image = torch.rand(9, 10, generator=generator, dtype=torch.float64).numpy()
        compare_with_torch(helper, shared, os.path.join(work, "shared.ksm"), image, work, "shared PReLU slopes")


def test_bundled_models(helper, work, generator):
    for scale in (2, 3, 4):
        path = os.path.join(ROOT, "models", f"fsrcnn_x{scale}.ksm")
        _, d, s, m, layers = ksm_format.read_model(path)
        net = FSRCNN(scale, d, s, m)
        with torch.no_grad():
            convs = [x for x in net.modules() if isinstance(x, torch.nn.Conv2d)]
            prelus = [x for x in net.modules() if isinstance(x, torch.nn.PReLU)]
            for conv, prelu, layer in zip(convs, prelus, layers):
                conv.weight.copy_(torch.from_numpy(layer["weight"]))
                conv.bias.copy_(torch.from_numpy(layer["bias"]))
                prelu.weight.copy_(torch.from_numpy(layer["prelu"]))
            net.last_part.weight.copy_(torch.from_numpy(layers[-1]["weight"]))
            net.last_part.bias.copy_(torch.from_numpy(layers[-1]["bias"]))
        # A smooth image in the network's input range (Y/255 in [16/255, 235/255]).
        yy, xx = np.mgrid[0:20, 0:17]
        image = (16 + 219 * (0.5 + 0.4 * np.sin(yy / 3.0) * np.cos(xx / 4.0))) / 255.0
        compare_with_torch(helper, net, path, image, work, f"bundled fsrcnn_x{scale}.ksm")
        result = torch_forward(net, image) * 255.0
        check(np.all(np.isfinite(result)), f"bundled fsrcnn_x{scale}.ksm: finite output")


def expect_error(args, label, out, status=1):
    if os.path.exists(out):
        os.unlink(out)
    result = run([sys.executable, CONVERTER] + args)
    lines = result.stderr.strip().splitlines()
    if status == 2:  # argparse's usage error: usage line(s) then the error
        ok = result.returncode == 2 and lines and lines[-1].startswith("convert_fsrcnn_state_dict: error:")
    else:
        ok = (result.returncode == status and len(lines) == 1 and
              lines[0].startswith("convert_fsrcnn_state_dict: error:"))
    leftovers = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(".ksm-")]
    check(ok and not os.path.exists(out) and not leftovers,
          f"{label}: exit {result.returncode}, {lines[-1] if lines else 'no message'}")


def test_errors(helper, work, generator):
    out = os.path.join(work, "bad.ksm")
    good = random_fsrcnn(2, 5, 3, 1, generator).state_dict()

    def saved(name, obj):
        path = os.path.join(work, name)
        torch.save(obj, path)
        return path

    missing = {k: v for k, v in good.items() if k != "last_part.bias"}
    expect_error([saved("missing.pth", missing), "--scale", "2", "--out", out], "missing last_part.bias", out)
    wrong = dict(good, **{"mid_part.2.weight": torch.zeros(3, 3, 5, 5)})
    expect_error([saved("wrong.pth", wrong), "--scale", "2", "--out", out], "mapping kernel 5x5", out)
    extra = dict(good, **{"tail.weight": torch.zeros(1)})
    expect_error([saved("extra.pth", extra), "--scale", "2", "--out", out], "unexpected entry", out)
    gap = {k: v for k, v in good.items() if not k.startswith("mid_part.3")}
    expect_error([saved("gap.pth", gap), "--scale", "2", "--out", out], "mid_part with a gap", out)
    nan = dict(good, **{"first_part.1.weight": torch.full((5,), float("nan"))})
    expect_error([saved("nan.pth", nan), "--scale", "2", "--out", out], "NaN PReLU slopes", out)
    ints = dict(good, **{"last_part.bias": torch.zeros(1, dtype=torch.int64)})
    expect_error([saved("ints.pth", ints), "--scale", "2", "--out", out], "integer tensor", out)
    expect_error([saved("list.pth", [1, 2, 3]), "--scale", "2", "--out", out], "not a state_dict", out)
    junk = os.path.join(work, "junk.pth")
    with open(junk, "wb") as f:
        f.write(b"\x00not a checkpoint" * 10)
    expect_error([junk, "--scale", "2", "--out", out], "not a torch file", out)
    expect_error([os.path.join(work, "absent.pth"), "--scale", "2", "--out", out], "missing file", out)
    expect_error([saved("good.pth", good), "--scale", "5", "--out", out], "--scale 5", out, status=2)
    expect_error([saved("good.pth", good), "--scale", "2", "--out", os.path.join(work, "no", "dir.ksm")],
                 "unwritable output", out)

    # A converted file with one payload byte flipped: the C++ reader names the checksum.
    ksm = os.path.join(work, "flipped.ksm")
    check(convert(saved("good.pth", good), 2, ksm).returncode == 0, "good state_dict converts")
    data = bytearray(open(ksm, "rb").read())
    data[len(data) // 2] ^= 0x40
    open(ksm, "wb").write(bytes(data))
    result = run([helper, ksm, os.path.join(work, "in.npy"), os.path.join(work, "out.npy")])
    lines = result.stderr.strip().splitlines()
    check(result.returncode == 1 and len(lines) == 1 and f"{ksm}: checksum mismatch" in lines[0],
          f"flipped byte refused by the C++ reader: {lines[0] if lines else 'no message'}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_fsrcnn_converter.py path/to/ksconv_fsrcnn_reference")
    helper = sys.argv[1]
    torch.set_num_threads(1)
    print(f"seed {SEED}")
    generator = torch.Generator().manual_seed(SEED)
    with tempfile.TemporaryDirectory() as work:
        np.save(os.path.join(work, "in.npy"), np.zeros((4, 4), np.float32))
        test_random_models(helper, work, generator)
        test_other_layouts(helper, work, generator)
        test_bundled_models(helper, work, generator)
        test_errors(helper, work, generator)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
