"""Records for TensorBoard's other dashboards: PR curves, custom scalar layouts, audio, and
matplotlib figures rendered to images. Each is the record PyTorch's writer writes."""

from __future__ import annotations

import io
import wave

import numpy as np
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

from .summary import make_np

_MINIMUM_COUNT = 1e-7


def _curve(labels, predictions, num_thresholds, weights):
    """TP, FP, TN, FN, precision and recall at ``num_thresholds`` evenly spaced thresholds."""
    weights = 1.0 if weights is None else weights
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    positive = labels.astype(np.float64)
    span = (0, num_thresholds - 1)
    tp_counts, _ = np.histogram(buckets, num_thresholds, span, weights=positive * weights)
    fp_counts, _ = np.histogram(buckets, num_thresholds, span, weights=(1.0 - positive) * weights)
    tp = np.cumsum(tp_counts[::-1])[::-1]
    fp = np.cumsum(fp_counts[::-1])[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127) -> Summary:
    """The six rows of a precision-recall curve; PyTorch caps ``num_thresholds`` at 127."""
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData

    data = np.stack((tp, fp, tn, fn, precision, recall))
    content = PrCurvePluginData(version=0, num_thresholds=min(num_thresholds, 127))
    plugin = SummaryMetadata.PluginData(
        plugin_name="pr_curves", content=content.SerializeToString()
    )
    dims = [TensorShapeProto.Dim(size=n) for n in data.shape]
    proto = TensorProto(
        dtype="DT_FLOAT",
        float_val=data.reshape(-1).tolist(),
        tensor_shape=TensorShapeProto(dim=dims),
    )
    value = Summary.Value(tag=tag, metadata=SummaryMetadata(plugin_data=plugin), tensor=proto)
    return Summary(value=[value])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None) -> Summary:
    num_thresholds = min(num_thresholds, 127)
    data = _curve(make_np(labels), make_np(predictions), num_thresholds, weights)
    return pr_curve_raw(tag, *data, num_thresholds=num_thresholds)


def _chart(title, kind, tags):
    from tensorboard.plugins.custom_scalar import layout_pb2

    if kind == "Margin":
        if len(tags) != 3:
            raise AssertionError("len(tags) != 3")
        series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
        return layout_pb2.Chart(title=title, margin=layout_pb2.MarginChartContent(series=[series]))
    return layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(tag=tags))


def custom_scalars(layout) -> Summary:
    """The Custom Scalars dashboard's layout: ``{category: {title: [kind, tags]}}`` with kind
    ``"Multiline"`` (tags are regular expressions) or ``"Margin"`` (value, lower, upper)."""
    from tensorboard.plugins.custom_scalar import layout_pb2

    categories = [
        layout_pb2.Category(title=name, chart=[_chart(t, *spec) for t, spec in charts.items()])
        for name, charts in layout.items()
    ]
    proto = TensorProto(
        dtype="DT_STRING",
        string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
        tensor_shape=TensorShapeProto(),
    )
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="custom_scalars"))
    value = Summary.Value(tag="custom_scalars__config__", tensor=proto, metadata=metadata)
    return Summary(value=[value])


def audio(tag, snd_tensor, sample_rate=44100) -> Summary:
    """One channel of samples in [-1, 1] (clipped beyond), as a 16-bit WAV."""
    samples = make_np(snd_tensor).squeeze()
    if abs(samples).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        samples = samples.clip(-1, 1)
    if samples.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (samples * np.iinfo(np.int16).max).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.data)
    proto = Summary.Audio(
        sample_rate=sample_rate,
        num_channels=1,
        length_frames=pcm.shape[-1],
        encoded_audio_string=buffer.getvalue(),
        content_type="audio/wav",
    )
    return Summary(value=[Summary.Value(tag=tag, audio=proto)])


def figure_to_image(figures, close=True) -> np.ndarray:
    """A matplotlib figure as a (3, H, W) uint8 image, or a list of them as (N, 3, H, W)."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        width, height = figure.canvas.get_width_height()
        rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(height, width, 4)
        if close:
            plt.close(figure)
        return np.moveaxis(rgba[:, :, :3], 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)
