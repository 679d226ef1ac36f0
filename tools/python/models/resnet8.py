"""resnet8_fmnist: a ResNet-style CNN for 1x28x28 inputs (He et al.'s basic block).

stem conv3x3 -> three residual blocks (identity at 28x28, then stride-2 blocks with 1x1
projection shortcuts to 14x14 and 7x7) -> global average pool -> linear head.
8 weight layers on the main path: stem + 3 x 2 convs + fc.
"""
import torch.nn as nn


def conv_bn(cin, cout, kernel, stride):
    """conv (no bias: BN follows) + BN; in eval-mode export torch folds the BN into the conv."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    """relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)); shortcut = identity or 1x1 projection."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3, 1)
        self.relu = nn.ReLU()
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride)

    def forward(self, x):
        y = self.relu(self.conv1(x))
        return self.relu(self.conv2(y) + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self, widths=(16, 32, 64), classes=10):
        super().__init__()
        w1, w2, w3 = widths
        self.stem = conv_bn(1, w1, 3, 1)
        self.relu = nn.ReLU()
        self.layer1 = BasicBlock(w1, w1, 1)  # identity shortcut, 28x28
        self.layer2 = BasicBlock(w1, w2, 2)  # projection, 14x14
        self.layer3 = BasicBlock(w2, w3, 2)  # projection, 7x7
        self.pool = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.fc = nn.Linear(w3, classes)

    def forward(self, x):
        x = self.relu(self.stem(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.pool(x).flatten(1))
