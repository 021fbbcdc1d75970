#!/usr/bin/env python3
"""Goldens for CLIP's preprocessing of user images: what clip._transform(224) makes with PIL.

Run from the repository root (Debian's python3-pil 9.4.0, python3-torchvision 0.14.1; CLIP and
ftfy as the fixture generator exports them):

    bash /work/shared/fixtures/gen/sources.sh   # once
    PYTHONPATH=/tmp/forge/src/clip:/tmp/forge/src/ftfy-6.1.1 /usr/bin/python3 \
        clip2latent-onnx/src/test/resources/pil-goldens/make_goldens.py

The input images are made from integer formulas that ImageGoldens.java repeats exactly, so no large
inputs are committed; four tiny PNGs written by PIL check that images decoded by ImageIO from
PIL-written files (grey, palette, RGBA, grey+alpha) take the same path.

Writes, next to this script:
- goldens.json: per case the input (size, PIL mode, pattern), the size after Resize, the crop
  offsets, the SHA-256 of the 224x224x3 uint8 image after Resize, CenterCrop and convert("RGB")
  (row-major, RGB interleaved), and the sample grid;
- <case>.npy: float32 [3, 20, 20], the normalized tensor of clip._transform(224) at rows and
  columns 3, 14, 25, ... (every 11th);
- <case>.png: the tiny PNG inputs.
"""
import hashlib
import json
import os

import numpy as np
import PIL
from PIL import Image

from clip.clip import _transform

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 224
GRID = list(range(3, SIZE, 11))


def noise(w, h, channel, seed):
    """A 32-bit integer hash per pixel; ImageGoldens.noise repeats it."""
    y, x = np.mgrid[0:h, 0:w].astype(np.uint64)
    v = (x * np.uint64(2654435761) + y * np.uint64(40503) + np.uint64(channel * 977 + seed * 7919))
    v &= np.uint64(0xFFFFFFFF)
    v ^= v >> np.uint64(13)
    v = (v * np.uint64(0x5BD1E995)) & np.uint64(0xFFFFFFFF)
    v ^= v >> np.uint64(15)
    return (v & np.uint64(255)).astype(np.uint8)


def smooth(w, h, channel, seed):
    """A gradient with a little noise; ImageGoldens.smooth repeats it."""
    y, x = np.mgrid[0:h, 0:w].astype(np.int64)
    base = (x * 255 // max(w - 1, 1) + y * (channel + 1) * 3 + seed * 11) % 256
    return ((base + (noise(w, h, channel, seed).astype(np.int64) & 15)) % 256).astype(np.uint8)


PATTERNS = {"noise": noise, "smooth": smooth}


def alpha(w, h, seed):
    """Alpha with 0, 255 and everything between; ImageGoldens.alpha repeats it."""
    a = noise(w, h, 3, seed).copy()
    y, x = np.mgrid[0:h, 0:w]
    a[(x + y) % 5 == 0] = 0
    a[(x + y) % 5 == 1] = 255
    return a


def palette():
    """256 colors; ImageGoldens.palette repeats it."""
    i = np.arange(256)
    return np.stack([(i * 3) % 256, (i * 7 + 5) % 256, 255 - i], axis=1).astype(np.uint8)


def make(mode, w, h, pattern, seed):
    f = PATTERNS[pattern]
    if mode == "RGB":
        return Image.fromarray(np.stack([f(w, h, c, seed) for c in range(3)], axis=2), "RGB")
    if mode == "RGBA":
        bands = [f(w, h, c, seed) for c in range(3)] + [alpha(w, h, seed)]
        return Image.fromarray(np.stack(bands, axis=2), "RGBA")
    if mode == "L":
        return Image.fromarray(f(w, h, 0, seed), "L")
    if mode == "LA":
        return Image.fromarray(np.stack([f(w, h, 0, seed), alpha(w, h, seed)], axis=2), "LA")
    if mode == "P":
        im = Image.frombytes("P", (w, h), f(w, h, 0, seed).tobytes())
        im.putpalette(palette().reshape(-1).tolist())
        return im
    raise ValueError(mode)


# name, mode, width, height, pattern, seed, committed as a PNG input
CASES = [
    ("rgb_landscape_down", "RGB", 300, 250, "noise", 1, False),
    ("rgb_portrait_down", "RGB", 250, 300, "smooth", 2, False),
    ("rgb_odd_aspect_up", "RGB", 97, 61, "noise", 3, False),
    ("rgb_strong_down", "RGB", 1000, 700, "noise", 4, False),
    ("rgb_wide_down", "RGB", 900, 240, "smooth", 5, False),
    ("rgb_identity", "RGB", 224, 224, "noise", 6, False),
    ("rgb_crop_half_even", "RGB", 225, 224, "noise", 7, False),
    ("rgb_crop_one_and_half", "RGB", 224, 227, "noise", 8, False),
    ("grey_down", "L", 333, 271, "noise", 9, False),
    ("rgba_identity_tall", "RGBA", 224, 300, "noise", 10, False),
    ("rgba_down", "RGBA", 320, 240, "noise", 11, False),
    ("grey_alpha_up", "LA", 150, 90, "smooth", 12, False),
    ("palette_down_nearest", "P", 256, 256, "noise", 13, False),
    ("palette_up_nearest", "P", 64, 48, "smooth", 14, False),
    ("png_grey", "L", 40, 30, "noise", 15, True),
    ("png_palette", "P", 37, 29, "noise", 16, True),
    ("png_rgba", "RGBA", 41, 33, "noise", 17, True),
    ("png_grey_alpha", "LA", 35, 44, "noise", 18, True),
]


def main():
    transform = _transform(SIZE)
    resize, crop, to_rgb = transform.transforms[:3]
    records = []
    for name, mode, w, h, pattern, seed, png in CASES:
        im = make(mode, w, h, pattern, seed)
        if png:
            path = os.path.join(HERE, name + ".png")
            im.save(path, optimize=True)
            im = Image.open(path)
            im.load()
            assert im.mode == mode, (name, im.mode)
        resized = resize(im)
        cropped = crop(resized)
        rgb = np.asarray(to_rgb(cropped))
        assert rgb.shape == (SIZE, SIZE, 3) and rgb.dtype == np.uint8
        tensor = transform(im).numpy()
        sample = np.ascontiguousarray(tensor[:, GRID][:, :, GRID], dtype="<f4")
        np.save(os.path.join(HERE, name + ".npy"), sample, allow_pickle=False)
        records.append({
            "name": name, "mode": mode, "width": w, "height": h, "pattern": pattern,
            "seed": seed, "png": png,
            "resized": list(resized.size),
            "sha256_rgb": hashlib.sha256(rgb.tobytes()).hexdigest(),
        })
    doc = {"pil": PIL.__version__, "size": SIZE, "grid": GRID, "cases": records}
    with open(os.path.join(HERE, "goldens.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
