#!/usr/bin/python3
"""Writes data/sample.png: a synthetic 192x128 RGB test card made by the project (no
third-party image): colour gradients, a zone plate (fine rings that show aliasing and
ringing), a checkerboard and diagonal stripes with sharp edges. Encoded here with zlib
(filter type 0 on every row) so no imaging library is needed."""
import os
import struct
import zlib

import numpy as np

W, H = 192, 128
y, x = np.mgrid[0:H, 0:W].astype(np.float64)
r = 255 * x / (W - 1)
g = 255 * y / (H - 1)
b = 255 * (0.5 + 0.5 * np.sin(x / 9.0) * np.cos(y / 11.0))
image = np.stack([r, g, b], axis=-1)

# Zone plate in the right third: rings whose frequency grows with the radius.
cx, cy = 160, 40
rr = (x - cx) ** 2 + (y - cy) ** 2
zone = (rr < 30 ** 2)[..., None]
image = np.where(zone, (127.5 + 127.5 * np.cos(rr / 60.0))[..., None].repeat(3, -1), image)
# Checkerboard in the lower left, diagonal stripes in the lower right.
checker = (((x // 6 + y // 6) % 2) * 255)[..., None].repeat(3, -1)
image = np.where(((x < 64) & (y >= 80))[..., None], checker, image)
stripes = (((x + y) // 4) % 2)[..., None] * np.array([255, 200, 40])
image = np.where(((x >= 128) & (y >= 80))[..., None], stripes, image)
pixels = np.clip(np.round(image), 0, 255).astype(np.uint8)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(H))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample.png")
with open(path, "wb") as f:
    f.write(png)
print(f"wrote {os.path.normpath(path)} ({len(png)} bytes)")
