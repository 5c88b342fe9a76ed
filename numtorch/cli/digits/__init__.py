"""Data sets that ship inside numtorch, so examples and the demo run offline.

``load_digits()``: the UCI handwritten digits (8x8 images, 1,797 of them, CC BY 4.0; see
``DIGITS_LICENSE.txt`` beside this file for the attribution).
"""

from __future__ import annotations

import gzip
import os

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS_PATH = os.path.join(_HERE, "digits.csv.gz")


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits as NumPy arrays.

    Returns:
        images: uint8 array of shape (1797, 8, 8), pixel values 0..16.
        labels: int64 array of shape (1797,), the digit each image shows.

    Examples::

        >>> images, labels = load_digits()
        >>> images.shape, labels[:5].tolist()
        ((1797, 8, 8), [0, 1, 2, 3, 4])
    """
    with gzip.open(DIGITS_PATH, "rb") as f:
        text = f.read()
    table = np.array(text.replace(b",", b" ").split(), dtype=np.int64).reshape(-1, 65)
    return table[:, :64].astype(np.uint8).reshape(-1, 8, 8), table[:, 64]
