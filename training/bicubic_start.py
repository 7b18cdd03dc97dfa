"""An FSRCNN initialisation that starts as bicubic upscaling, so training begins at the
baseline and learns a correction (as FCN starts its upsampling deconvolutions as bilinear).

Channel 0 of every convolution passes its input through (centre tap 1, nothing else; the
input Y/255 is positive, so each PReLU leaves it alone), and channel 0 of the deconvolution
holds the bicubic kernel (Keys a = -0.75, half-pixel centres) in ConvTranspose2d's geometry:
output oy = iy*s - 4 + j takes input iy with weight k((j - 3.5)/s - 0.5). Inside the image
this is exactly cv::resize INTER_CUBIC when the kernel fits in 9 taps (s = 2). The other
channels keep their random start but enter the output with zero deconvolution weights
(which get gradients at once), as residual branches are often started at zero. Near the border the zero padding differs from bicubic's
repeated edge, which training then corrects."""

import numpy as np
import torch

import measure


def bicubic_deconv_kernel(scale, size=9, padding=4):
    j = np.arange(size)
    taps = measure.keys_cubic((j - padding + 0.5) / scale - 0.5)
    return np.outer(taps, taps)


def start_as_bicubic(net):
    with torch.no_grad():
        for conv in net.convs():
            kh, kw = conv.kernel_size
            conv.weight[0].zero_()
            conv.weight[0, 0, kh // 2, kw // 2] = 1.0
            conv.bias[0] = 0.0
        net.last_part.weight.zero_()
        net.last_part.weight[0, 0] = torch.from_numpy(bicubic_deconv_kernel(net.scale))
        net.last_part.bias.zero_()
