"""Fashion-MNIST as accsim reads it: the gzip IDX files of Debian's dataset-fashion-mnist,
images [N, 1, 28, 28] float32 = pixel / 255 (workloads/io/fashion_mnist.cpp; no mean/std
shift, so an exported model takes exactly what accsim's loader produces), labels int64.
"""
import gzip
import os

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dims
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dim


def read_idx(path, magic):
    """The unsigned-byte array of one IDX file (gzip or plain), shaped by its header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndims = 3 if magic == IMAGES_MAGIC else 1
    head = 4 + 4 * ndims
    if len(data) < head or int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"{path}: not an IDX file with magic 0x{magic:08X}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    body = np.frombuffer(data, dtype=np.uint8, offset=head)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header announces {dims} but {body.size} bytes follow")
    return body.reshape(dims)


def load(split, data_dir=DEFAULT_DIR, limit=None):
    """(images float32 [N,1,28,28] in [0,1], labels int64 [N]) of `split` in file order."""
    image_file, label_file = FILES[split]
    images = read_idx(os.path.join(data_dir, image_file), IMAGES_MAGIC)
    labels = read_idx(os.path.join(data_dir, label_file), LABELS_MAGIC)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    # Divide in float32, as the C++ loader does (static_cast<float>(byte) / 255.0f).
    x = images.astype(np.float32)[:, None, :, :] / np.float32(255.0)
    return x, labels.astype(np.int64)
