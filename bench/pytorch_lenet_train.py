#!/usr/bin/python3
"""PyTorch reference for bench/training_bench: LeNet-5 (the PVF paper's shapes) training
steps, batch 64, SGD with momentum, timed at each --threads count in this process
(bench/torch_timing.py). Prints one "threads=<t> rate=<images/s> ..." line per count.

usage: pytorch_lenet_train.py [--threads T...] [--seconds S] [--rounds R]
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import add_timing_arguments, time_threads


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(256, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_timing_arguments(ap)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = LeNet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        return 64

    for _ in range(20):
        step()
    print(f"LeNet-5 training steps, batch 64, SGD momentum 0.9, torch {torch.__version__}")
    time_threads(step, args)


if __name__ == "__main__":
    main()
