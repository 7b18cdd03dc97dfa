#!/usr/bin/python3
"""Y-channel PSNR of `ksconv upscale --method fsrcnn` against `--method bicubic` on the
photographs FSRCNN's training held out (training/images.py HELD_OUT_PHOTOS: scikit-image's
camera, chelsea and coffee, all CC0).

  bench/fsrcnn_quality.py path/to/ksconv [--scale 2,3,4] [--model-dir DIR] > results.csv

For each photo and scale: the photo cropped to a multiple of the scale is the reference;
its low-resolution version is Pillow's antialiased bicubic downscale (per R, G, B channel,
or of the gray image), written as a PNG and upscaled by the ksconv tool itself, both ways.
PSNR on Y as MATLAB's rgb2ycbcr gives it for 8-bit RGB (rounded; gray is R = G = B), with
`scale` pixels excluded at each border: the measure training/measure.py uses (which makes
its low-resolution inputs from Y instead, so its numbers differ a little).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import skimage.data
from PIL import Image

HELD_OUT = ("camera.png", "chelsea.png", "coffee.png")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def luma(pixels):
    rgb = pixels.astype(np.float64)
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    y = 16 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255
    return np.clip(np.rint(y), 0, 255)


def psnr(a, b, border):
    a, b = luma(a)[border:-border, border:-border], luma(b)[border:-border, border:-border]
    return 10 * np.log10(255.0**2 / np.mean((a - b) ** 2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ksconv")
    p.add_argument("--scale", default="2,3,4")
    p.add_argument("--model-dir", help="take fsrcnn_x<scale>.ksm from here instead of models/ (the bundled ones)")
    args = p.parse_args()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["image", "scale", "hr_size", "psnr_fsrcnn_db", "psnr_bicubic_db", "gain_db", "model_crc32"])
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (int(s) for s in args.scale.split(",")):
            model = os.path.join(args.model_dir or os.path.join(ROOT, "models"), f"fsrcnn_x{scale}.ksm")
            # The file's own checksum (its last 4 bytes) names the model; the CRC of the whole
            # file would not: with its CRC appended every file gives the same residue.
            data = open(model, "rb").read()
            crc = f"{zlib.crc32(data[:-4]) & 0xFFFFFFFF:08x}"
            gains = []
            for name in HELD_OUT:
                photo = Image.open(os.path.join(os.path.dirname(skimage.data.__file__), name))
                photo = photo.convert("L" if photo.mode in ("L", "I;16") else "RGB")
                w, h = photo.size
                hr = photo.crop((0, 0, w - w % scale, h - h % scale))
                lr = hr.resize((hr.size[0] // scale, hr.size[1] // scale), Image.BICUBIC)
                lr_path = os.path.join(tmp, f"lr_{scale}_{name}")
                lr.save(lr_path)
                results = {}
                for method in ("fsrcnn", "bicubic"):
                    sr_path = os.path.join(tmp, f"{method}_{scale}_{name}")
                    command = [args.ksconv, "upscale", lr_path, sr_path, "--scale", str(scale), "--method", method,
                               "--quiet"]
                    if method == "fsrcnn":
                        command += ["--model", model]
                    subprocess.run(command, check=True)
                    results[method] = psnr(np.asarray(hr), np.asarray(Image.open(sr_path)), scale)
                gain = results["fsrcnn"] - results["bicubic"]
                gains.append((results["fsrcnn"], results["bicubic"]))
                out.writerow([name, scale, f"{hr.size[0]}x{hr.size[1]}", f"{results['fsrcnn']:.3f}",
                              f"{results['bicubic']:.3f}", f"{gain:+.3f}", crc])
            mean_sr, mean_bicubic = np.mean(gains, axis=0)
            out.writerow(["mean", scale, "", f"{mean_sr:.3f}", f"{mean_bicubic:.3f}", f"{mean_sr - mean_bicubic:+.3f}",
                          crc])
            sys.stdout.flush()


if __name__ == "__main__":
    main()
