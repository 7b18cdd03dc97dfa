"""ConvTranspose2d(d, 1, K, stride=s, padding=p, output_padding=s-1) computed as kernel
segregation does it: s*s stride-1 convolutions with sub-kernels gathered from the same
weight, interleaved by PixelShuffle. Same numbers (up to float rounding) and the same
gradients for the ConvTranspose2d weight, several times faster to train on a CPU with
Debian's torch, whose transposed-convolution backward pass is slow."""

import torch
import torch.nn.functional as F


class SegregatedDeconv:
    def __init__(self, kernel, stride, padding):
        self.kernel, self.stride, self.padding = kernel, stride, padding
        # Output row s*Y + r takes input rows Y + t with weight row r + p - s*t.
        ts = [t for r in range(stride) for t in self._taps(r)]
        self.t_min, self.t_max = min(ts), max(ts)
        size = self.t_max - self.t_min + 1
        index = torch.full((stride, stride, size, size), kernel * kernel, dtype=torch.long)  # -> zero
        for ry in range(stride):
            for rx in range(stride):
                for ty in self._taps(ry):
                    for tx in self._taps(rx):
                        ky, kx = ry + padding - stride * ty, rx + padding - stride * tx
                        index[ry, rx, ty - self.t_min, tx - self.t_min] = ky * kernel + kx
        self.index = index.reshape(stride * stride, size, size)

    def _taps(self, r):
        return [t for t in range(-self.kernel, self.kernel + 1) if 0 <= r + self.padding - self.stride * t < self.kernel]

    def __call__(self, x, weight, bias):
        """x (N, d, H, W), weight (d, 1, K, K) in ConvTranspose2d's layout, bias (1,)."""
        d = weight.shape[0]
        flat = torch.cat([weight.reshape(d, -1), weight.new_zeros(d, 1)], dim=1)
        sub = flat[:, self.index].permute(1, 0, 2, 3).contiguous()  # (s*s, d, k, k)
        x = F.pad(x, (-self.t_min, self.t_max, -self.t_min, self.t_max))
        phases = F.conv2d(x, sub, bias.repeat(self.stride * self.stride))
        return F.pixel_shuffle(phases, self.stride)
