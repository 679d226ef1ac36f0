"""The shipped Fashion-MNIST models: constructor, training hyper-parameters and seed.
Changing an entry changes what `train_model.py NAME` produces (and must be followed by a
retrain, the model card and the fixture)."""
import mobilenet
import resnet8
import vit

MODELS = {
    "resnet8_fmnist": {
        "build": lambda: resnet8.ResNet8(widths=(8, 16, 32)),
        "hp": {"epochs": 10, "batch": 128, "lr": 3e-3, "weight_decay": 5e-4, "shift": 2},
        "seed": 1,
        "summary": "ResNet-8: stem conv3x3 + 3 basic blocks (identity; stride-2 with 1x1 "
                   "projection, twice) + global average pool + fc",
    },
    "mobilenet_fmnist": {
        "build": lambda: mobilenet.MobileNet(),
        "hp": {"epochs": 8, "batch": 128, "lr": 3e-3, "weight_decay": 5e-4, "shift": 2},
        "seed": 1,
        "summary": "MobileNet-style: stem conv3x3 + 4 depthwise-separable blocks (dw3x3 "
                   "groups=C + BN + ReLU, pw1x1 + BN + ReLU; two stride-2 dw) + global "
                   "average pool + fc",
    },
    "vit_fmnist": {
        "build": lambda: vit.VisionTransformer(patch=7, dim=64, depth=4, heads=4, hidden=128),
        "hp": {"epochs": 15, "batch": 128, "lr": 2e-3, "weight_decay": 5e-2, "shift": 2},
        "seed": 1,
        "summary": "ViT: 7x7 patch embedding (16 tokens, dim 64) + learned position "
                   "embedding + 4 pre-norm encoder blocks (4-head self-attention, GELU MLP "
                   "128) + LayerNorm + mean over tokens + linear head",
    },
}


def build(name):
    if name not in MODELS:
        raise SystemExit(f"unknown model '{name}'; expected one of {sorted(MODELS)}")
    return MODELS[name]["build"]()
