"""vit_fmnist: a small vision transformer for 1x28x28 inputs (Dosovitskiy et al.).

patch embedding (conv, kernel = stride = patch) -> tokens + learned position embedding
-> pre-norm encoder blocks (LayerNorm, multi-head self-attention, LayerNorm, GELU MLP,
residuals) -> LayerNorm -> mean over tokens -> linear head.

Written for a plain ONNX graph with PVF-friendly names: every Linear sees a 2-D
[tokens x batch, dim] input, so it exports as Gemm on the parameter itself (initializer
`blocks.0.attn.q.weight`, not a transposed copy), and every reshape uses constant shapes
with -1 for the batch (no Shape/Gather subgraph). Attention is explicit: q.k^T, Softmax,
a.v as MatMul between activations.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Linear(nn.Linear):
    """nn.Linear (same parameters, Gemm in eval mode and in the ONNX file) that trains
    through a 1x1 convolution: Debian's torch links the reference BLAS (BLAS_INFO=generic),
    whose matrix product runs ~15x slower than oneDNN's convolution on one core."""

    def forward(self, x2d):
        if not self.training:
            return F.linear(x2d, self.weight, self.bias)
        w = self.weight[:, :, None, None]
        return F.conv2d(x2d[:, :, None, None], w, self.bias).reshape(-1, self.out_features)


class Attention(nn.Module):
    def __init__(self, dim, heads, tokens):
        super().__init__()
        self.heads, self.tokens, self.dim = heads, tokens, dim
        self.head_dim = dim // heads
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.q = Linear(dim, dim)
        self.k = Linear(dim, dim)
        self.v = Linear(dim, dim)
        self.out = Linear(dim, dim)

    def split_heads(self, x2d):
        """[batch*tokens, dim] -> [batch, heads, tokens, head_dim]."""
        return x2d.reshape(-1, self.tokens, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x2d):
        q, k, v = (self.split_heads(f(x2d)) for f in (self.q, self.k, self.v))
        a = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * self.scale, dim=-1)
        y = torch.matmul(a, v).transpose(1, 2).reshape(-1, self.dim)
        return self.out(y)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = Linear(hidden, dim)

    def forward(self, x2d):
        return self.fc2(self.act(self.fc1(x2d)))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden, tokens):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, tokens)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x2d):
        x2d = x2d + self.attn(self.norm1(x2d))
        return x2d + self.mlp(self.norm2(x2d))


class VisionTransformer(nn.Module):
    def __init__(self, patch=4, dim=64, depth=4, heads=4, hidden=128, classes=10, side=28):
        super().__init__()
        self.tokens = (side // patch) ** 2
        self.dim = dim
        self.patch_embed = nn.Conv2d(1, dim, patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.zeros(1, self.tokens, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.blocks = nn.ModuleList([Block(dim, heads, hidden, self.tokens) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x).reshape(-1, self.dim, self.tokens).transpose(1, 2)
        x2d = (x + self.pos_embed).reshape(-1, self.dim)
        for block in self.blocks:
            x2d = block(x2d)
        x = self.norm(x2d).reshape(-1, self.tokens, self.dim).mean(dim=1)
        return self.head(x)
