#!/usr/bin/python3
"""Writes a synthetic W x H 8-bit RGB PNG (gradients and a 64-pixel checkerboard) for the
upscaling benchmark and the large-image test, streaming rows so even 20000x20000 needs
little memory. Usage: /usr/bin/python3 scripts/make_test_image.py W H OUT.png"""
import struct
import sys
import zlib

import numpy as np


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    width, height, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        compressor = zlib.compressobj(1)
        x = np.arange(width)
        for y0 in range(0, height, 256):
            y = np.arange(y0, min(height, y0 + 256))[:, None]
            red = (x[None, :] * 255 // width).repeat(len(y), 0)
            green = (y * 255 // height).repeat(width, 1)
            blue = ((x[None, :] // 64 + y // 64) % 2) * 200
            pixels = np.stack([red, green, blue], -1).astype(np.uint8)
            raw = b"".join(b"\x00" + pixels[i].tobytes() for i in range(len(y)))
            data = compressor.compress(raw)
            if data:
                f.write(chunk(b"IDAT", data))
        f.write(chunk(b"IDAT", compressor.flush()) + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
