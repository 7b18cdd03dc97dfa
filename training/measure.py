"""The comparison the tool will make: bicubic upscaling with OpenCV's cv::resize INTER_CUBIC
semantics, and PSNR on Y with a border excluded."""

import numpy as np


def keys_cubic(t, a=-0.75):
    t = np.abs(t)
    return np.where(t <= 1, (a + 2) * t**3 - (a + 3) * t**2 + 1,
                    np.where(t < 2, a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a, 0.0))


def cubic_matrix(n_in, scale):
    """(n_in*scale, n_in) interpolation matrix: output x samples the source at
    (x + 0.5)/scale - 0.5 (half-pixel centres), Keys a = -0.75, sources outside repeat the edge."""
    out = np.arange(n_in * scale)
    src = (out + 0.5) / scale - 0.5
    base = np.floor(src).astype(int)
    frac = src - base
    matrix = np.zeros((n_in * scale, n_in))
    for tap in range(-1, 3):
        index = np.clip(base + tap, 0, n_in - 1)
        np.add.at(matrix, (out, index), keys_cubic(frac - tap))
    return matrix


def bicubic_upscale(lr, scale):
    """uint8 or float (h, w) -> float64 (h*scale, w*scale), not rounded."""
    lr = np.asarray(lr, dtype=np.float64)
    return cubic_matrix(lr.shape[0], scale) @ lr @ cubic_matrix(lr.shape[1], scale).T


def to_8bit(values):
    """What an 8-bit output file holds: rounded to nearest, saturated."""
    return np.clip(np.rint(values), 0, 255)


def psnr(reference, test, border):
    """PSNR in dB of two 8-bit-range arrays, `border` pixels excluded on every side."""
    a = np.asarray(reference, np.float64)[border:-border, border:-border]
    b = np.asarray(test, np.float64)[border:-border, border:-border]
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)
