"""Reads and writes ksconv's FSRCNN model files (.ksm); models/README.md is the spec.

One module for the trainer, the converter and the tests, so there is one writer. Layers are
dicts {"kind": "conv"|"deconv", "weight", "bias", "prelu"} of numpy arrays in PyTorch's
layouts: conv weight [out][in][kh][kw], deconv (ConvTranspose2d) weight [in][out][kh][kw],
bias [out], prelu [out] (conv only; per-channel slopes).
"""

import struct
import zlib

import numpy as np

MAGIC = b"KSFSRCNN"
VERSION = 1
SCALES = (2, 3, 4)
MAX_CHANNELS = 1024  # d and s
MAX_MAPPING = 64  # m
KINDS = {"conv": 0, "deconv": 1}
HEADER = struct.Struct("<8s6I")  # magic, version, scale, d, s, m, layer count
LAYER = struct.Struct("<9I")  # kind, out, in, kh, kw, stride, padding, output padding, prelu count


class FormatError(ValueError):
    """A model that breaks the format; the message is one line."""


def expected_layers(scale, d, s, m):
    """The (kind, out, in, kh, kw, stride, padding, output_padding, prelu_count) of every
    layer of FSRCNN(d, s, m) at this scale, in file order."""
    def conv(out, inp, k):
        return ("conv", out, inp, k, k, 1, k // 2, 0, out)

    layers = [conv(d, 1, 5), conv(s, d, 1)] + [conv(s, s, 3)] * m + [conv(d, s, 1)]
    layers.append(("deconv", 1, d, 9, 9, scale, 4, scale - 1, 0))
    return layers


def check_structure(scale, d, s, m):
    if scale not in SCALES:
        raise FormatError(f"scale {scale} is not supported (2, 3 or 4)")
    for name, value, low, high in (("d", d, 1, MAX_CHANNELS), ("s", s, 1, MAX_CHANNELS), ("m", m, 0, MAX_MAPPING)):
        if not low <= value <= high:
            raise FormatError(f"{name} {value} is out of range {low}..{high}")


def layer_shape(spec):
    """Weight array shape of a layer spec in PyTorch's layout."""
    kind, out, inp, kh, kw = spec[:5]
    return (inp, out, kh, kw) if kind == "deconv" else (out, inp, kh, kw)


def write_model(path, scale, d, s, m, layers):
    """Writes a model; every array is checked against FSRCNN's structure first."""
    with open(path, "wb") as f:
        f.write(model_bytes(scale, d, s, m, layers))


def model_bytes(scale, d, s, m, layers):
    check_structure(scale, d, s, m)
    specs = expected_layers(scale, d, s, m)
    if len(layers) != len(specs):
        raise FormatError(f"FSRCNN(d={d}, s={s}, m={m}) has {len(specs)} layers, got {len(layers)}")
    head = [HEADER.pack(MAGIC, VERSION, scale, d, s, m, len(specs))]
    payload = []
    for index, (spec, layer) in enumerate(zip(specs, layers)):
        if layer["kind"] != spec[0]:
            raise FormatError(f"layer {index} must be a {spec[0]}, got a {layer['kind']}")
        arrays = [("weight", layer["weight"], layer_shape(spec)), ("bias", layer["bias"], (spec[1],))]
        if spec[8]:
            arrays.append(("prelu", layer["prelu"], (spec[8],)))
        for name, array, shape in arrays:
            array = np.asarray(array)
            if array.shape != shape:
                raise FormatError(f"layer {index} {name} has shape {array.shape}, expected {shape}")
            if not np.all(np.isfinite(array)):
                raise FormatError(f"layer {index} {name} has non-finite values")
            payload.append(np.ascontiguousarray(array, dtype="<f4").tobytes())
        head.append(LAYER.pack(KINDS[spec[0]], *spec[1:]))
    body = b"".join(head + payload)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def read_model(path):
    """Reads and validates a model: returns (scale, d, s, m, layers). Raises FormatError."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return parse_model(data)
    except FormatError as e:
        raise FormatError(f"{path}: {e}") from None


def parse_model(data):
    if len(data) < HEADER.size:
        raise FormatError(f"truncated header ({len(data)} bytes, need {HEADER.size})")
    magic, version, scale, d, s, m, count = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise FormatError("not a ksconv FSRCNN model (bad magic)")
    if version != VERSION:
        raise FormatError(f"unsupported format version {version} (only {VERSION})")
    check_structure(scale, d, s, m)
    specs = expected_layers(scale, d, s, m)
    if count != len(specs):
        raise FormatError(f"layer count {count} does not match FSRCNN(d={d}, s={s}, m={m}) ({len(specs)})")
    pos = HEADER.size
    if len(data) < pos + LAYER.size * count:
        raise FormatError("truncated header (file ends inside the layer table)")
    for index, spec in enumerate(specs):
        got = LAYER.unpack_from(data, pos)
        want = (KINDS[spec[0]],) + spec[1:]
        if got != want:
            raise FormatError(f"layer {index} has shape {got}, expected {want}")
        pos += LAYER.size
    floats = sum(int(np.prod(layer_shape(spec))) + spec[1] + spec[8] for spec in specs)
    need = pos + 4 * floats + 4
    if len(data) != need:
        raise FormatError(f"file has {len(data)} bytes, the header implies {need}")
    (stored,) = struct.unpack_from("<I", data, need - 4)
    actual = zlib.crc32(data[:need - 4]) & 0xFFFFFFFF
    if stored != actual:
        raise FormatError(f"checksum mismatch (file says 0x{stored:08x}, contents give 0x{actual:08x})")
    layers = []
    for index, spec in enumerate(specs):
        layer = {"kind": spec[0]}
        for name, shape in (("weight", layer_shape(spec)), ("bias", (spec[1],)), ("prelu", (spec[8],))):
            n = int(np.prod(shape))
            layer[name] = np.frombuffer(data, "<f4", n, pos).reshape(shape).astype(np.float32)
            pos += 4 * n
            if not np.all(np.isfinite(layer[name])):
                raise FormatError(f"layer {index} {name} has non-finite values")
        if spec[0] == "deconv":
            del layer["prelu"]
        layers.append(layer)
    return scale, d, s, m, layers


def layers_from_module(net):
    """The layers of a tools/fsrcnn_torch.FSRCNN module (or anything with its names)."""
    return layers_from_state_dict({k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}, net.m)


def layers_from_state_dict(sd, m):
    """Layers from a state_dict of numpy arrays with the public FSRCNN names."""
    def conv(prefix, prelu):
        return {"kind": "conv", "weight": sd[prefix + ".weight"], "bias": sd[prefix + ".bias"],
                "prelu": sd[prelu + ".weight"]}

    layers = [conv("first_part.0", "first_part.1")]
    for i in range(m + 2):
        layers.append(conv(f"mid_part.{2 * i}", f"mid_part.{2 * i + 1}"))
    layers.append({"kind": "deconv", "weight": sd["last_part.weight"], "bias": sd["last_part.bias"]})
    return layers
