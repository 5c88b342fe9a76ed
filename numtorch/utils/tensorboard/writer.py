"""``SummaryWriter``: logs scalars, histograms, images, text, hyperparameters and the model's
graph into TensorBoard event files, with PyTorch's arguments, defaults and folder layout."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import _plugins
from . import summary as _summary

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """One event file in ``log_dir``; events are queued and written by a background thread."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix="") -> None:
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None) -> None:
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None) -> None:
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None) -> None:
        """Writes a ``GraphDef`` and its ``RunMetadata`` (step statistics)."""
        graph, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph.SerializeToString()), None, walltime)
        tagged = Event().tagged_run_metadata
        tagged.tag = "step1"
        tagged.run_metadata = run_metadata.SerializeToString()
        self.add_event(Event(tagged_run_metadata=tagged), None, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()

    def reopen(self) -> None:
        self.event_writer.reopen()


def _default_logdir(comment: str) -> str:
    stamp = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", stamp + "_" + socket.gethostname() + comment)


class SummaryWriter:
    """Writes event files into ``log_dir`` (default ``runs/<date_time>_<host><comment>``) for
    TensorBoard to show. Needs the ``tensorboard`` package (``numtorch[tensorboard]``).

    Example::

        >>> writer = SummaryWriter("runs/exp1")
        >>> for step in range(100):
        ...     writer.add_scalar("loss", 1 / (step + 1), step)
        >>> writer.close()
    """

    def __init__(
        self,
        log_dir=None,
        comment="",
        purge_step=None,
        max_queue=10,
        flush_secs=120,
        filename_suffix="",
    ) -> None:
        self.log_dir = log_dir or _default_logdir(comment)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.default_bins()

    def _new_file_writer(self, log_dir) -> FileWriter:
        return FileWriter(log_dir, self.max_queue, self.flush_secs, self.filename_suffix)

    def _get_file_writer(self) -> FileWriter:
        """The writer of ``log_dir``, opened anew after ``close``. A ``purge_step`` tells
        TensorBoard to hide the events of a crashed run from that step on."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = self._new_file_writer(self.log_dir)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version="brain.Event:2"))
                start = SessionLog(status=SessionLog.START)
                self.file_writer.add_event(Event(step=step, session_log=start))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def _add(self, summary, global_step, walltime) -> None:
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalar(
        self,
        tag,
        scalar_value,
        global_step=None,
        walltime=None,
        new_style=False,
        double_precision=False,
    ) -> None:
        """One value of the curve ``tag`` at ``global_step``."""
        record = _summary.scalar(tag, scalar_value, new_style, double_precision)
        self._add(record, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None) -> None:
        """Several curves in one chart: each key is a run of its own, in the folder
        ``<log_dir>/<main_tag>_<key>``, logged under ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            path = logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if path not in self.all_writers:
                self.all_writers[path] = self._new_file_writer(path)
            self.all_writers[path].add_summary(
                _summary.scalar(main_tag, value), global_step, walltime
            )

    def add_histogram(
        self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None
    ) -> None:
        """The distribution of ``values``; ``bins`` is TensorFlow's exponential buckets by
        default, else anything ``numpy.histogram`` takes."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._add(_summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(
        self,
        tag,
        min,
        max,
        num,
        sum,
        sum_squares,
        bucket_limits,
        bucket_counts,
        global_step=None,
        walltime=None,
    ) -> None:
        """A histogram already counted: ``bucket_limits`` are the right edges."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        record = _summary.histogram_raw(
            tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts
        )
        self._add(record, global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image (needs Pillow): floats in [0, 1] or uint8 in [0, 255]."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images shown as one grid, eight to a row (needs Pillow)."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None) -> None:
        self._add(_summary.text(tag, text_string), global_step, walltime)

    def add_hparams(
        self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None
    ) -> None:
        """One session of the hparams dashboard: the hyperparameters and final metrics, in the
        run ``<log_dir>/<run_name>`` (default: the current time)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        records = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=logdir) as run:
            for record in records:
                run.file_writer.add_summary(record, global_step)
            for name, value in metric_dict.items():
                run.add_scalar(name, value, global_step)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None) -> None:
        """A matplotlib figure (or a list of them, shown as a grid) rendered as an image."""
        image = _plugins.figure_to_image(figure, close)
        layout = "NCHW" if isinstance(figure, list) else "CHW"
        self.add_image(tag, image, global_step, walltime, dataformats=layout)

    def add_pr_curve(
        self,
        tag,
        labels,
        predictions,
        global_step=None,
        num_thresholds=127,
        weights=None,
        walltime=None,
    ) -> None:
        """The precision-recall curve of ``predictions`` in [0, 1] against 0/1 ``labels``."""
        record = _plugins.pr_curve(tag, labels, predictions, num_thresholds, weights)
        self._add(record, global_step, walltime)

    def add_pr_curve_raw(
        self,
        tag,
        true_positive_counts,
        false_positive_counts,
        true_negative_counts,
        false_negative_counts,
        precision,
        recall,
        global_step=None,
        num_thresholds=127,
        weights=None,
        walltime=None,
    ) -> None:
        """A precision-recall curve already counted, one entry per threshold."""
        counts = (true_positive_counts, false_positive_counts, true_negative_counts)
        rows = [_summary.make_np(r) for r in (*counts, false_negative_counts, precision, recall)]
        record = _plugins.pr_curve_raw(tag, *rows, num_thresholds=num_thresholds)
        self._add(record, global_step, walltime)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        if len(tags) != 3:
            raise AssertionError("len(tags) != 3")
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_custom_scalars(self, layout) -> None:
        """Charts of the Custom Scalars dashboard: ``{category: {title: [kind, tags]}}``."""
        self._get_file_writer().add_summary(_plugins.custom_scalars(layout))

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """One channel of samples in [-1, 1], shown with a player."""
        self._add(_plugins.audio(tag, snd_tensor, sample_rate), global_step, walltime)

    def add_embedding(
        self,
        mat,
        metadata=None,
        label_img=None,
        global_step=None,
        tag="default",
        metadata_header=None,
    ) -> None:
        """Points (rows of ``mat``) for the Projector, with labels and thumbnails."""
        from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

        from ._embedding import add_embedding

        if not hasattr(self, "_projector_config"):
            self._projector_config = ProjectorConfig()
        logdir = self._get_file_writer().get_logdir()
        add_embedding(
            logdir,
            self._projector_config,
            mat,
            metadata,
            label_img,
            global_step,
            tag,
            metadata_header,
        )

    def _unsupported(self, name: str, instead: str):
        raise NotImplementedError(f"SummaryWriter.{name} is not supported by numtorch; {instead}")

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        self._unsupported("add_video", "log the frames with add_images instead")

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None, **kwargs):
        self._unsupported("add_image_with_boxes", "draw the boxes and log with add_image")

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None, **kwargs):
        self._unsupported("add_mesh", "log the vertices with add_embedding or add_histogram")

    def add_onnx_graph(self, prototxt):
        self._unsupported("add_onnx_graph", "log the model's graph with add_graph")

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        self._unsupported("add_tensor", "log its values with add_histogram or add_text")

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The graph of ``model`` run once on ``input_to_model``, for the Graphs tab: the ops
        autograd records, grouped by module (numtorch has no tracer, so ``use_strict_trace``
        has nothing to change)."""
        from ._graph import graph

        self._get_file_writer().add_graph(graph(model, input_to_model, verbose))

    def flush(self) -> None:
        for writer in (self.all_writers or {}).values():
            writer.flush()

    def close(self) -> None:
        """Writes what is queued and closes the files; the next ``add_*`` opens new ones."""
        for writer in (self.all_writers or {}).values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
