#!/usr/bin/python3
"""Writes the bundled sample in data/: a synthetic 1x3x32x48 image tensor and the depthwise
4x4 stride-2 kernel that performs 2x bilinear upsampling (padding 1, groups 3)."""
import os
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
y, x = np.mgrid[0:32, 0:48].astype(np.float32)
image = np.stack([
    0.5 + 0.5 * np.sin(x / 5.0) * np.cos(y / 7.0),   # smooth waves
    (x + y) / (32 + 48),                              # a ramp
    ((x // 8 + y // 8) % 2).astype(np.float32),       # a checkerboard with sharp edges
])[None].astype(np.float32)
taps = np.array([0.25, 0.75, 0.75, 0.25], dtype=np.float32)
weight = np.repeat(np.outer(taps, taps)[None, None], 3, axis=0).astype(np.float32)  # 3x1x4x4
bias = np.zeros(3, dtype=np.float32)
np.save(os.path.join(here, "sample_input.npy"), image)
np.save(os.path.join(here, "sample_weight.npy"), weight)
np.save(os.path.join(here, "sample_bias.npy"), bias)
