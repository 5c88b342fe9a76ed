"""``Summary`` records for each kind of data, built from tensorboard's own protocol buffer classes.

Each builder writes the record PyTorch's writer writes for the same call (scalars as
``simple_value``, histograms as ``HistogramProto`` over PyTorch's default buckets, images as PNG,
text and hyperparameters through their plugins' metadata), so TensorBoard shows a numtorch run as
it shows a PyTorch run.
"""

from __future__ import annotations

import io

import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

from ..._tensor import Tensor


def make_np(x) -> np.ndarray:
    """A NumPy array of a tensor, an array or a Python number."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        import numtorch

        if x.dtype == numtorch.bfloat16:
            x = x.to(numtorch.float16)
        return x.detach().cpu().numpy()
    raise NotImplementedError(f"Got {type(x)}, but numpy array or torch tensor are expected.")


def scalar(tag, value, new_style=False, double_precision=False) -> Summary:
    """One number; ``new_style`` stores it as a tensor for the scalars plugin."""
    array = make_np(value).squeeze()
    if array.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {array.size} "
            f"and {array.ndim} dimensions."
        )
    number = float(array)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=number)])
    if double_precision:
        proto = TensorProto(double_val=[number], dtype="DT_DOUBLE")
    else:
        proto = TensorProto(float_val=[number], dtype="DT_FLOAT")
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=metadata)])


def default_bins() -> list:
    """TensorFlow's histogram buckets: +-1e-12 growing by 10% up to 1e20, and zero."""
    edges = []
    edge = 1e-12
    while edge < 1e20:
        edges.append(edge)
        edge *= 1.1
    return [-e for e in reversed(edges)] + [0] + edges


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    proto = HistogramProto(
        min=min,
        max=max,
        num=num,
        sum=sum,
        sum_squares=sum_squares,
        bucket_limit=bucket_limits,
        bucket=bucket_counts,
    )
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def _merge_bins(counts, limits, max_bins):
    """At most ``max_bins`` buckets: neighbouring buckets summed in groups."""
    group = len(counts) // max_bins
    if len(counts) % group:
        counts = np.pad(counts, (0, group - len(counts) % group))
    counts = counts.reshape(-1, group).sum(axis=-1)
    return counts, np.append(limits[:-1:group], limits[-1])


def histogram(tag, values, bins, max_bins=None) -> Summary:
    """A histogram of ``values`` trimmed to the buckets that hold them (TensorBoard draws right
    edges only, so one empty bucket on the left keeps the lowest edge)."""
    values = make_np(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        counts, limits = _merge_bins(counts, limits, max_bins)
    used = np.flatnonzero(counts)
    if used.size == 0:
        raise ValueError("The histogram is empty: no value falls inside the bins.")
    first, last = int(used[0]), int(used[-1]) + 1
    if first > 0:
        counts = counts[first - 1 : last]
    else:
        counts = np.concatenate([[0], counts[:last]])
    limits = limits[first : last + 1]
    return histogram_raw(
        tag,
        values.min(),
        values.max(),
        len(values),
        values.sum(),
        values.dot(values),
        limits.tolist(),
        counts.tolist(),
    )


def _grid(images, ncols=8):
    """N images (N, C, H, W) side by side, ``ncols`` to a row, as one (3, H', W') image."""
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(n):
        row, col = divmod(i, ncols)
        canvas[:, row * h : (row + 1) * h, col * w : (col + 1) * w] = images[i]
    return canvas


def to_hwc(array, dataformats: str):
    """An image of layout ``dataformats`` (NCHW, CHW, HWC, HW ...) as (H, W, 3 or 4)."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(
            f"You can not use the same dimension shorthand twice. input_format: {dataformats}"
        )
    if array.ndim != len(dataformats):
        raise AssertionError(
            f"size of input tensor and input format are different. tensor shape: "
            f"{array.shape}, input_format: {dataformats}"
        )
    dataformats = dataformats.upper()
    if len(dataformats) == 4:
        nchw = array.transpose([dataformats.find(c) for c in "NCHW"])
        return _grid(nchw).transpose(1, 2, 0)
    if len(dataformats) == 3:
        hwc = array.transpose([dataformats.find(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    return np.stack([array.transpose([dataformats.find(c) for c in "HW"])] * 3, 2)


def image(tag, img, dataformats="NCHW") -> Summary:
    """A PNG of the image (or grid of images); floats are read as [0, 1], uint8 as [0, 255]."""
    from PIL import Image

    hwc = to_hwc(make_np(img), dataformats)
    scale = 1 if hwc.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = pixels.shape
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, format="PNG")
    proto = Summary.Image(
        height=height, width=width, colorspace=channels, encoded_image_string=png.getvalue()
    )
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def text(tag, text_string) -> Summary:
    """A string for the text plugin, under ``<tag>/text_summary`` as PyTorch names it."""
    content = TextPluginData(version=0).SerializeToString()
    plugin = SummaryMetadata.PluginData(plugin_name="text", content=content)
    proto = TensorProto(
        dtype="DT_STRING",
        string_val=[text_string.encode("utf_8")],
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
    )
    value = Summary.Value(
        tag=tag + "/text_summary", metadata=SummaryMetadata(plugin_data=plugin), tensor=proto
    )
    return Summary(value=[value])


def _hparam_info(name, value, discrete):
    """The hparams plugin's description of one hyperparameter, and its value for the session.
    ``bool`` is an ``int`` here, as in PyTorch: it is logged as the number 0 or 1."""
    from tensorboard.plugins.hparams.api_pb2 import DataType, HParamInfo

    if isinstance(value, Tensor):
        return HParamInfo(name=name, type=DataType.DATA_TYPE_FLOAT64), float(make_np(value)[0])
    if isinstance(value, (int, float)):
        kind, field = DataType.DATA_TYPE_FLOAT64, "number_value"
    elif isinstance(value, str):
        kind, field = DataType.DATA_TYPE_STRING, "string_value"
    else:
        raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
    domain = None
    if discrete is not None:
        domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in discrete])
    return HParamInfo(name=name, type=kind, domain_discrete=domain), value


def _check_discrete(hparam_dict, hparam_domain_discrete):
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if (
            k not in hparam_dict
            or not isinstance(v, list)
            or not all(isinstance(d, type(hparam_dict[k])) for d in v)
        ):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                f"hparam_dict[{k}]."
            )


def _plugin_summary(tag, **data) -> Summary:
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    content = HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **data)
    plugin = SummaryMetadata.PluginData(
        plugin_name=metadata.PLUGIN_NAME, content=content.SerializeToString()
    )
    return Summary(value=[Summary.Value(tag=tag, metadata=SummaryMetadata(plugin_data=plugin))])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three records: the experiment (names of hyperparameters and
    metrics), the session's start (the values) and its end (success)."""
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.api_pb2 import Experiment, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams.plugin_data_pb2 import SessionEndInfo, SessionStartInfo

    for name, d in (("hparam_dict", hparam_dict), ("metric_dict", metric_dict)):
        if not isinstance(d, dict):
            raise TypeError(f"parameter: {name} should be a dictionary, nothing logged.")
    discrete = hparam_domain_discrete or {}
    _check_discrete(hparam_dict, discrete)
    infos, start = [], SessionStartInfo()
    for name, value in hparam_dict.items():
        if value is None:
            continue
        info, value = _hparam_info(name, value, discrete.get(name))
        infos.append(info)
        setattr(
            start.hparams[name], "string_value" if isinstance(value, str) else "number_value", value
        )
    metrics = [MetricInfo(name=MetricName(tag=k)) for k in metric_dict]
    experiment = Experiment(hparam_infos=infos, metric_infos=metrics)
    end = SessionEndInfo(status=Status.STATUS_SUCCESS)
    return (
        _plugin_summary(metadata.EXPERIMENT_TAG, experiment=experiment),
        _plugin_summary(metadata.SESSION_START_INFO_TAG, session_start_info=start),
        _plugin_summary(metadata.SESSION_END_INFO_TAG, session_end_info=end),
    )
