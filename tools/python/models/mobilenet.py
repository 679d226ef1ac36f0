"""mobilenet_fmnist: a MobileNet-style CNN for 1x28x28 inputs (Howard et al.'s
depthwise-separable blocks: depthwise 3x3 conv with groups = channels + BN + ReLU, then
pointwise 1x1 conv + BN + ReLU).

stem conv3x3 -> 4 separable blocks (two with a stride-2 depthwise: 28 -> 14 -> 7)
-> global average pool -> linear head.
"""
import torch.nn as nn


def conv_bn_relu(cin, cout, kernel, stride, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU())


class SeparableBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = conv_bn_relu(cin, cin, 3, stride, groups=cin)
        self.pw = conv_bn_relu(cin, cout, 1, 1)

    def forward(self, x):
        return self.pw(self.dw(x))


# (input channels, output channels, depthwise stride) per block.
BLOCKS = ((16, 32, 1), (32, 64, 2), (64, 64, 1), (64, 128, 2))


class MobileNet(nn.Module):
    def __init__(self, stem=16, blocks=BLOCKS, classes=10):
        super().__init__()
        self.stem = conv_bn_relu(1, stem, 3, 1)
        self.blocks = nn.Sequential(*[SeparableBlock(i, o, s) for i, o, s in blocks])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(blocks[-1][1], classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(self.pool(x).flatten(1))
