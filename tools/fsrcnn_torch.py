"""The FSRCNN network (Dong, Loy, Tang, ECCV 2016) as a PyTorch module.

Parameter names follow the common public layout (first_part / mid_part / last_part), so a
state_dict saved from this module is what tools/convert_fsrcnn_state_dict.py reads:
  first_part.0  Conv2d(1, d, 5, padding=2)        first_part.1  PReLU(d)
  mid_part.0    Conv2d(d, s, 1)                   mid_part.1    PReLU(s)
  mid_part.2k   Conv2d(s, s, 3, padding=1)        mid_part.2k+1 PReLU(s)    for k = 1..m
  mid_part.2m+2 Conv2d(s, d, 1)                   mid_part.2m+3 PReLU(d)
  last_part     ConvTranspose2d(d, 1, 9, stride=scale, padding=4, output_padding=scale-1)
The output is exactly scale times the input size.
"""

import math

import torch
from torch import nn


class FSRCNN(nn.Module):
    def __init__(self, scale, d=56, s=12, m=4):
        super().__init__()
        self.scale, self.d, self.s, self.m = scale, d, s, m
        self.first_part = nn.Sequential(nn.Conv2d(1, d, 5, padding=2), nn.PReLU(d))
        mid = [nn.Conv2d(d, s, 1), nn.PReLU(s)]
        for _ in range(m):
            mid += [nn.Conv2d(s, s, 3, padding=1), nn.PReLU(s)]
        mid += [nn.Conv2d(s, d, 1), nn.PReLU(d)]
        self.mid_part = nn.Sequential(*mid)
        self.last_part = nn.ConvTranspose2d(d, 1, 9, stride=scale, padding=4, output_padding=scale - 1)
        self.reset_parameters()

    def reset_parameters(self):
        # The paper's initialisation: He-normal convolutions, a near-zero deconvolution,
        # zero biases, PReLU slopes at PyTorch's default 0.25.
        for layer in self.convs():
            fan_out = layer.out_channels * layer.kernel_size[0] * layer.kernel_size[1]
            nn.init.normal_(layer.weight, 0.0, math.sqrt(2.0 / fan_out))
            nn.init.zeros_(layer.bias)
        self.reset_deconv()

    def reset_deconv(self):
        nn.init.normal_(self.last_part.weight, 0.0, 0.001)
        nn.init.zeros_(self.last_part.bias)

    def convs(self):
        return [layer for layer in self.modules() if isinstance(layer, nn.Conv2d)]

    def load_layers(self, layers, deconvolution=True):
        """Copies layers as tools/ksm_format.py reads them (weight, bias, prelu arrays) into
        the convolutions and PReLUs and, unless deconvolution is False, the last layer."""
        prelus = [layer for layer in self.modules() if isinstance(layer, nn.PReLU)]
        with torch.no_grad():
            for conv, prelu, layer in zip(self.convs(), prelus, layers[:-1]):
                conv.weight.copy_(torch.from_numpy(layer["weight"]))
                conv.bias.copy_(torch.from_numpy(layer["bias"]))
                prelu.weight.copy_(torch.from_numpy(layer["prelu"]))
            if deconvolution:
                self.last_part.weight.copy_(torch.from_numpy(layers[-1]["weight"]))
                self.last_part.bias.copy_(torch.from_numpy(layers[-1]["bias"]))
        return self

    def forward(self, x):
        return self.last_part(self.mid_part(self.first_part(x)))
