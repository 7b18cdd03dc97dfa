#!/usr/bin/python3
"""Makes the golden-PSNR images of tests/test_fsrcnn_golden.cpp (run from anywhere):

  hr.png       a 192x192 crop of scikit-image's chelsea.png (CC0, Stefan van der Walt), one of
               the photographs FSRCNN's training holds out (training/README.md), 8-bit RGB
  lr_x{2,3,4}.png  hr.png downscaled by 2, 3, 4 with Pillow's antialiased bicubic, as the
               training makes its low-resolution inputs (there on Y, here on each of R, G, B)

192 is a multiple of 2, 3 and 4, so every scale maps the low-resolution image back onto
hr.png exactly.
"""

import os

import numpy as np
import skimage.data
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 192


def main():
    photo = Image.open(os.path.join(os.path.dirname(skimage.data.__file__), "chelsea.png")).convert("RGB")
    rgb = np.asarray(photo)
    top, left = 40, 130  # the cat's face: fur, whiskers, eyes
    hr = Image.fromarray(rgb[top:top + SIZE, left:left + SIZE])
    hr.save(os.path.join(HERE, "hr.png"), optimize=True)
    for scale in (2, 3, 4):
        lr = hr.resize((SIZE // scale, SIZE // scale), Image.BICUBIC)
        lr.save(os.path.join(HERE, f"lr_x{scale}.png"), optimize=True)


if __name__ == "__main__":
    main()
