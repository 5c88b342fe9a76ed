"""``add_embedding``'s files for TensorBoard's Projector: the vectors (``tensors.tsv``), their
labels (``metadata.tsv``), a sprite of their images (``sprite.png``) and the run's
``projector_config.pbtxt`` listing every embedding added."""

from __future__ import annotations

import math
import os

import numpy as np

from .summary import _grid, make_np


def write_tsv(metadata, save_path, metadata_header=None) -> None:
    if metadata_header:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(e) for e in row) for row in [metadata_header] + metadata]
    else:
        lines = [str(x) for x in metadata]
    with open(os.path.join(save_path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())


def write_sprite(label_img, save_path) -> None:
    """The images in a square grid, the PNG the Projector cuts into thumbnails."""
    from PIL import Image

    nrow = math.ceil(label_img.shape[0] ** 0.5)
    grid = _grid(make_np(label_img), ncols=nrow).transpose(1, 2, 0)
    square = np.zeros((grid.shape[1], grid.shape[1], 3))
    square[: grid.shape[0]] = grid
    Image.fromarray(np.uint8((square * 255).clip(0, 255))).save(
        os.path.join(save_path, "sprite.png"), format="PNG"
    )


def write_mat(mat, save_path) -> None:
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        for row in mat:
            f.write(("\t".join(str(x.item()) for x in row) + "\n").encode())


def embedding_info(metadata, label_img, subdir, global_step, tag):
    from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

    info = EmbeddingInfo()
    info.tensor_name = f"{tag}:{str(global_step).zfill(5)}"
    info.tensor_path = os.path.join(subdir, "tensors.tsv")
    if metadata is not None:
        info.metadata_path = os.path.join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = os.path.join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info


def _encode(tag: str) -> str:
    """``tag`` as one folder name: ``%`` and path separators escaped."""
    for char in "%/\\":
        tag = tag.replace(char, f"%{ord(char):02x}")
    return tag


def add_embedding(logdir, config, mat, metadata, label_img, global_step, tag, metadata_header):
    """Writes one embedding's files under ``logdir/<step>/<tag>`` and adds it to ``config``
    (the run's ``ProjectorConfig``), rewritten whole (files have no append everywhere)."""
    from google.protobuf import text_format

    mat = make_np(mat)
    global_step = 0 if global_step is None else global_step
    subdir = f"{str(global_step).zfill(5)}/{_encode(tag)}"
    save_path = os.path.join(logdir, subdir)
    if os.path.isfile(save_path):
        raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
    if os.path.isdir(save_path):
        print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
    os.makedirs(save_path, exist_ok=True)
    if metadata is not None:
        if mat.shape[0] != len(metadata):
            raise AssertionError("#labels should equal with #data points")
        write_tsv(metadata, save_path, metadata_header)
    if label_img is not None:
        if mat.shape[0] != label_img.shape[0]:
            raise AssertionError("#images should equal with #data points")
        write_sprite(label_img, save_path)
    if mat.ndim != 2:
        raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
    write_mat(mat, save_path)
    config.embeddings.extend([embedding_info(metadata, label_img, subdir, global_step, tag)])
    with open(os.path.join(logdir, "projector_config.pbtxt"), "wb") as f:
        f.write(text_format.MessageToString(config).encode())
