"""Training and held-out images for FSRCNN, as 8-bit luminance (Y) arrays.

Y is BT.601 studio-range luma as MATLAB's rgb2ycbcr computes it on 8-bit RGB:
Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, rounded to an integer in [16, 235].
Gray photos count as R = G = B. Everything downstream works on these uint8 arrays.
"""

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

import skimage.data

SKIMAGE_DIR = os.path.dirname(skimage.data.__file__)

# Natural photographs from python3-skimage's data folder. motorcycle_right is left out
# (the other half of a stereo pair with motorcycle_left); clock_motion (synthetic blur),
# microscopy and drawings are not photographs of the kind FSRCNN is for.
TRAIN_PHOTOS = ("astronaut.png", "brick.png", "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg",
                "moon.png", "motorcycle_left.png", "retina.jpg", "rocket.jpg")
HELD_OUT_PHOTOS = ("camera.png", "chelsea.png", "coffee.png")


def rgb_to_y(rgb):
    """uint8 (H, W, 3) or (H, W) -> uint8 Y (H, W)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    y = 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)


def load_photo_y(name):
    image = Image.open(os.path.join(SKIMAGE_DIR, name))
    image = image.convert("L" if image.mode in ("L", "I;16") else "RGB")
    return rgb_to_y(np.asarray(image))


def crop_to_multiple(y, scale):
    h, w = y.shape
    return y[:h - h % scale, :w - w % scale]


def downscale(y, scale):
    """HR uint8 Y (size a multiple of scale) -> LR uint8 Y: Pillow's bicubic, which
    antialiases (its kernel widens by the factor when reducing), on the 8-bit "L" image."""
    h, w = y.shape
    assert h % scale == 0 and w % scale == 0
    return np.asarray(Image.fromarray(y, "L").resize((w // scale, h // scale), Image.BICUBIC))


def resize_by(y, factor):
    """Data augmentation by size: a photo shrunk by `factor` (< 1) with Pillow's bicubic."""
    h, w = y.shape
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return np.asarray(Image.fromarray(y, "L").resize(size, Image.BICUBIC))


# ------------------------------------------------------------------ synthetic images
# Drawn at 4x and box-filtered down, so edges are antialiased as a camera would record them.

SUPER = 4


def _canvas(rng, size):
    return Image.new("L", (size * SUPER, size * SUPER), int(rng.integers(0, 256)))


def _finish(image, size):
    return np.asarray(image.resize((size, size), Image.BOX))


def synth_edges(rng, size):
    """Polygons, rectangles and ellipses of random grays: straight and curved edges at all angles."""
    image = _canvas(rng, size)
    draw = ImageDraw.Draw(image)
    span = size * SUPER
    for _ in range(60):
        fill = int(rng.integers(0, 256))
        kind = rng.integers(0, 3)
        if kind == 0:
            points = [tuple(rng.integers(0, span, 2).tolist()) for _ in range(int(rng.integers(3, 6)))]
            draw.polygon(points, fill=fill)
        else:
            x0, y0 = rng.integers(0, span, 2)
            w, h = rng.integers(8, span // 3, 2)
            box = [int(x0), int(y0), int(x0 + w), int(y0 + h)]
            (draw.rectangle if kind == 1 else draw.ellipse)(box, fill=fill)
    return _finish(image, size)


def synth_strokes(rng, size):
    """Text-like strokes: rows of short thin polylines, dark on light and light on dark."""
    dark = rng.random() < 0.5
    image = Image.new("L", (size * SUPER, size * SUPER), int(rng.integers(200, 256) if dark else rng.integers(0, 60)))
    draw = ImageDraw.Draw(image)
    ink = int(rng.integers(0, 60) if dark else rng.integers(200, 256))
    y = 4 * SUPER
    while y < size * SUPER:
        glyph = int(rng.integers(5, 16)) * SUPER
        width = int(rng.integers(1, 4)) * SUPER
        x = 4 * SUPER
        while x < size * SUPER:
            for _ in range(int(rng.integers(1, 4))):
                points = [(x + int(rng.integers(0, glyph)), y + int(rng.integers(0, glyph))) for _ in range(3)]
                draw.line(points, fill=ink, width=width, joint="curve")
            x += glyph + int(rng.integers(SUPER, 3 * glyph))
        y += glyph + int(rng.integers(2, 8)) * SUPER
    return _finish(image, size)


def synth_gradients(rng, size):
    """Smooth linear and radial gradients with blurred shapes over them."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    angle = rng.uniform(0, np.pi)
    base = np.cos(angle) * xx + np.sin(angle) * yy
    cx, cy = rng.uniform(0, 1, 2)
    radial = np.hypot(xx - cx, yy - cy)
    value = 255 * (0.5 * base + 0.5 * radial)
    value = (value - value.min()) / (np.ptp(value) + 1e-9) * rng.uniform(120, 255) + rng.uniform(0, 60)
    image = Image.fromarray(np.clip(value, 0, 255).astype(np.uint8), "L")
    shapes = Image.fromarray(synth_edges(rng, size)).filter(ImageFilter.GaussianBlur(float(rng.uniform(1, 4))))
    return np.asarray(Image.blend(image, shapes, 0.35))


def synth_rings(rng, size):
    """Concentric rings: a zone plate whose frequency rises to about 0.35 cycles per pixel,
    and sharp rings of constant width."""
    cx, cy = rng.uniform(0.2, 0.8, 2) * size
    yy, xx = np.mgrid[0:size * SUPER, 0:size * SUPER] / SUPER
    r = np.hypot(xx - cx, yy - cy)
    if rng.random() < 0.5:
        k = 0.35 / (2 * r.max())  # cos(2 pi k r^2) has 2 k r cycles per pixel at radius r
        value = 128 + 100 * np.cos(2 * np.pi * k * r * r)
    else:
        period = rng.uniform(4, 16)
        value = np.where((r // (period / 2)) % 2 == 0, rng.uniform(20, 90), rng.uniform(160, 240))
    image = Image.fromarray(np.clip(value, 0, 255).astype(np.uint8), "L")
    return _finish(image, size)


SYNTHS = (synth_edges, synth_strokes, synth_gradients, synth_rings)


def synthetic_images(seed=2016, per_kind=2, size=384):
    rng = np.random.default_rng(seed)
    return [make(rng, size) for make in SYNTHS for _ in range(per_kind)]
