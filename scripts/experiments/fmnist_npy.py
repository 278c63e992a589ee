"""Fashion-MNIST subsets as the float32 .npy inputs `kaizen` takes ([N, 3, S, S], ImageNet-normalised).

Prepared as CLI.md describes for built-in data: pixel/255, bilinear resize (half-pixel centres,
as kaizen's upsampling), grey copied to 3 channels, ImageNet mean/std. Used by the experiment
drivers in this folder; numpy only.
"""
import gzip
import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(f"{ROOT}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{ROOT}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def stratified(labels, per_class, rng, exclude=()):
    excluded = set(exclude)
    rows = []
    for c in range(10):
        pool = [i for i in np.flatnonzero(labels == c) if i not in excluded]
        rows.extend(rng.choice(pool, per_class, replace=False))
    return np.sort(np.array(rows))


def resize_bilinear(images, size):
    n, h, w = images.shape
    def coords(out, inp):
        x = (np.arange(out) + 0.5) * inp / out - 0.5
        x = np.clip(x, 0, inp - 1)
        lo = np.floor(x).astype(int)
        hi = np.minimum(lo + 1, inp - 1)
        return lo, hi, (x - lo).astype(np.float32)
    y0, y1, fy = coords(size, h)
    x0, x1, fx = coords(size, w)
    top = images[:, y0][:, :, x0] * (1 - fx) + images[:, y0][:, :, x1] * fx
    bottom = images[:, y1][:, :, x0] * (1 - fx) + images[:, y1][:, :, x1] * fx
    return top * (1 - fy[None, :, None]) + bottom * fy[None, :, None]


def prepare(images, size):
    x = images.astype(np.float32) / 255.0
    if size != x.shape[1]:
        x = resize_bilinear(x, size)
    x = np.repeat(x[:, None], 3, axis=1)
    return ((x - MEAN[None, :, None, None]) / STD[None, :, None, None]).astype(np.float32)


def write(prefix, images, labels, size):
    np.save(prefix + ".npy", prepare(images, size))
    with open(prefix + ".txt", "w") as f:
        f.write("".join(f"{int(y)}\n" for y in labels))
    return prefix + ".npy", prefix + ".txt"
