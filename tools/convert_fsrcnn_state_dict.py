#!/usr/bin/python3
"""Converts a PyTorch FSRCNN state_dict into a ksconv model file (.ksm, models/README.md).

  /usr/bin/python3 tools/convert_fsrcnn_state_dict.py STATE_DICT.pth --scale 3 --out fsrcnn_x3.ksm

The state_dict (torch.save of module.state_dict(), optionally under a "state_dict" or
"model" key, optionally with DataParallel's "module." prefix) must use the common public
names, as tools/fsrcnn_torch.py does:
  first_part.0.weight/bias  Conv2d(1, d, 5)      first_part.1.weight  PReLU
  mid_part.{2i}.weight/bias Conv2d               mid_part.{2i+1}.weight PReLU   (i = 0 .. m+1)
  last_part.weight/bias     ConvTranspose2d(d, 1, 9)
d, s and m are read from the shapes; the scale must be given (a state_dict has no strides).
A PReLU with one shared slope is written as that slope repeated per channel (the same
function). Loading uses torch.load(weights_only=True), so a file cannot run code.
Errors: one line on stderr, exit status 1 (2 for bad arguments); no output file is left.
"""

import argparse
import os
import pickle
import re
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksm_format  # noqa: E402

PROG = "convert_fsrcnn_state_dict"


class ConvertError(Exception):
    pass


def load_state_dict(path):
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ConvertError(f"{path}: no such file") from None
    except pickle.UnpicklingError:
        raise ConvertError(f"{path}: not a PyTorch checkpoint, or one holding more than tensors "
                           "(torch.load with weights_only=True refuses it)") from None
    except Exception as e:  # torch.load fails in many other ways on files that are not checkpoints
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
        raise ConvertError(f"{path}: cannot be read by torch.load: {first_line}") from None
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise ConvertError(f"{path}: not a state_dict (a dict of named tensors)")
    arrays = {}
    for key, value in obj.items():
        if not isinstance(value, torch.Tensor):
            raise ConvertError(f"{path}: {key} is not a tensor")
        if not value.is_floating_point():
            raise ConvertError(f"{path}: {key} has dtype {value.dtype}, expected floating point")
        arrays[key[len("module."):] if key.startswith("module.") else key] = value.detach().cpu().double().numpy()
    return arrays


def fsrcnn_layers(sd, path):
    """(d, s, m, layers) from the state_dict's names and shapes, every one checked."""
    def get(key):
        if key not in sd:
            raise ConvertError(f"{path}: missing {key} (not an FSRCNN state_dict with the public names?)")
        return sd[key]

    first = get("first_part.0.weight")
    if first.ndim != 4:
        raise ConvertError(f"{path}: first_part.0.weight has shape {first.shape}, expected (d, 1, 5, 5)")
    d = first.shape[0]
    mid = sorted(int(k.split(".")[1]) for k in sd if re.fullmatch(r"mid_part\.\d+\.weight", k))
    if not mid or mid != list(range(len(mid))) or len(mid) % 2:
        raise ConvertError(f"{path}: mid_part must hold conv/PReLU pairs mid_part.0 .. mid_part.2k+1, "
                           f"found indices {mid}")
    m = len(mid) // 2 - 2
    if m < 0:
        raise ConvertError(f"{path}: mid_part has {len(mid) // 2} convolutions, FSRCNN has at least 2")
    s = get("mid_part.0.weight").shape[0]
    try:
        ksm_format.check_structure(2, d, s, m)
    except ksm_format.FormatError as e:
        raise ConvertError(f"{path}: {e} (found FSRCNN(d={d}, s={s}, m={m}))") from None

    convs = [("first_part.0", "first_part.1")] + [(f"mid_part.{2 * i}", f"mid_part.{2 * i + 1}") for i in range(m + 2)]
    specs = ksm_format.expected_layers(2, d, s, m)  # shapes do not depend on the scale
    expected = {}
    for (conv, prelu), spec in zip(convs, specs):
        expected[conv + ".weight"] = ksm_format.layer_shape(spec)
        expected[conv + ".bias"] = (spec[1],)
        expected[prelu + ".weight"] = (spec[8],)
    expected["last_part.weight"] = ksm_format.layer_shape(specs[-1])
    expected["last_part.bias"] = (1,)
    described = f"FSRCNN(d={d}, s={s}, m={m})"
    for key in sd:
        if key not in expected:
            raise ConvertError(f"{path}: unexpected entry {key} for {described}")
    for key, shape in expected.items():
        value = get(key)
        if key.endswith(".weight") and len(shape) == 1 and value.shape == (1,) and shape != (1,):
            sd[key] = value = np.repeat(value, shape[0])  # one shared PReLU slope
        if value.shape != shape:
            raise ConvertError(f"{path}: {key} has shape {tuple(value.shape)}, expected {shape} for {described}")
        if not np.all(np.isfinite(value)):
            raise ConvertError(f"{path}: {key} has non-finite values")
        if np.any(np.abs(value) > np.finfo(np.float32).max):
            raise ConvertError(f"{path}: {key} has values too large for float32")
    return d, s, m, ksm_format.layers_from_state_dict(sd, m)


def write_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".ksm-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("state_dict", help="torch.save'd FSRCNN state_dict")
    parser.add_argument("--scale", type=int, required=True, choices=ksm_format.SCALES,
                        help="the deconvolution's stride (not stored in a state_dict)")
    parser.add_argument("--out", required=True, help="the .ksm file to write")
    args = parser.parse_args(argv)
    try:
        d, s, m, layers = fsrcnn_layers(load_state_dict(args.state_dict), args.state_dict)
        data = ksm_format.model_bytes(args.scale, d, s, m, layers)
        write_atomically(args.out, data)
    except (ConvertError, ksm_format.FormatError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{PROG}: error: {args.out}: {e.strerror}", file=sys.stderr)
        return 1
    print(f"{args.out}: FSRCNN(d={d}, s={s}, m={m}) x{args.scale}, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
