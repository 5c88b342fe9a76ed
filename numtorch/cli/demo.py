"""``numtorch demo``: train the seed article's network on handwritten digits, and show it.

The network is the one from the article numtorch started from: two ``nn.Linear`` layers without
bias, a sigmoid after each, trained by ``backward`` on a mean squared error against one-hot
targets. The data are the 8x8 UCI digits that ship inside numtorch. The demo prints the loss and
the train and test accuracy per epoch, then writes pictures of what happened and the trained
checkpoint into an output folder. ``--backend torch`` runs the same code on PyTorch, to show
that the numbers agree.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

from . import demo_pictures
from .bench_cases import make_network

DEFAULT_LR = {"sgd": 1.0, "adam": 0.01}
N_TEST = 360  # of the 1,797 digits; the other 1,437 train the network


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch demo",
        description=(
            "Train the two-layer sigmoid network (input -> hidden -> 10 outputs, nn.Linear "
            "without bias, a sigmoid after each, mean squared error against one-hot targets) on "
            "the 1,797 handwritten 8x8 digits that ship with numtorch (360 held out for testing). "
            "Prints loss and accuracy per epoch, then writes loss/accuracy curves, the autograd "
            "graph of one sample, a grid of test digits with their predicted labels and the "
            "trained checkpoint (model.pt, loadable by torch.load) into the output folder."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training set")
    parser.add_argument("--hidden", type=int, default=32, help="size of the hidden layer")
    parser.add_argument(
        "--lr", type=float, default=None, help="learning rate (default: 1.0 for sgd, 0.01 for adam)"
    )
    parser.add_argument("--batch-size", type=int, default=16, help="samples per training step")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed: the same seed prints the same numbers every run",
    )
    parser.add_argument(
        "--optimizer",
        choices=sorted(DEFAULT_LR),
        default="sgd",
        help="sgd (with momentum 0.9) or adam",
    )
    parser.add_argument(
        "--out",
        default="numtorch-demo",
        help="folder for the pictures and the checkpoint (created if missing)",
    )
    parser.add_argument(
        "--backend",
        choices=("numtorch", "torch"),
        default="numtorch",
        help="run the identical code on numtorch or, where it is installed, on PyTorch",
    )
    parser.add_argument(
        "--tensorboard",
        metavar="DIR",
        default=None,
        help="also log loss, accuracy, weight histograms and the model's graph for TensorBoard "
        "into DIR (view with: tensorboard --logdir DIR)",
    )
    return parser


def load_backend(name: str):
    """The ``torch``-like module to train with: numtorch, or PyTorch itself."""
    if name == "torch":
        try:
            return importlib.import_module("torch")
        except ImportError:
            raise SystemExit(
                "numtorch demo: --backend torch needs PyTorch (pip install torch)"
            ) from None
    import numtorch

    for sub in ("nn", "optim", "utils.data"):
        importlib.import_module("numtorch." + sub)
    return numtorch


def load_data(T):
    """Digits as float32 tensors in [0, 1] (N, 64), labels (N,), and a seeded train/test split."""
    from numtorch.cli.digits import load_digits

    images, labels = load_digits()
    x = T.from_numpy(images.reshape(len(images), 64).astype("float32") / 16)
    y = T.from_numpy(labels)
    order = T.randperm(len(y))
    test, train = order[:N_TEST], order[N_TEST:]
    return (x[train], y[train]), (x[test], y[test]), images[test.numpy()]


def accuracy(T, model, x, y) -> tuple[int, "object"]:
    with T.no_grad():
        predicted = model(x).argmax(dim=1)
    return int((predicted == y).sum().item()), predicted


class _LinePerRefresh:
    """A file for tqdm that gets each refresh of the bar as a line of its own: a log file
    stays readable where the carriage returns of a terminal bar would pile up on one line."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> None:
        text = text.replace("\r", "").rstrip()
        if text:
            self._stream.write(text + "\n")

    def flush(self) -> None:
        self._stream.flush()


def _progress_bar(tqdm, total: int):
    """One bar over the whole training (an epoch takes milliseconds), or None without tqdm.
    Into a file or pipe it writes one line per epoch instead of redrawing."""
    if tqdm is None:
        return None
    if sys.stderr.isatty():
        return tqdm(total=total, unit="batch", dynamic_ncols=True, leave=True)
    return tqdm(
        total=total,
        unit="batch",
        file=_LinePerRefresh(sys.stderr),
        ncols=100,
        miniters=total + 1,  # no redraws between epochs: the epoch's postfix draws the line
        leave=False,  # the last epoch's line is the final state already
        ascii=True,
    )


def _say(bar, line: str) -> None:
    """Print ``line`` to stdout without tearing a bar drawn on the same terminal."""
    if bar is not None and sys.stderr.isatty():
        bar.write(line, file=sys.stdout)
    else:
        print(line)


def open_board(T, log_dir: str | None):
    """A ``SummaryWriter`` of the backend into ``log_dir``, or None when not asked for."""
    if log_dir is None:
        return None
    try:
        module = importlib.import_module(T.__name__ + ".utils.tensorboard")
    except ImportError:
        raise SystemExit(
            "numtorch demo: --tensorboard needs the tensorboard package "
            "(pip install 'numtorch[tensorboard]')"
        ) from None
    return module.SummaryWriter(log_dir)


def log_epoch(board, model, history: dict) -> None:
    """The epoch's loss and accuracies as scalars, and each layer's weights as a histogram."""
    epoch = history["epoch"][-1]
    board.add_scalar("loss/train", history["loss"][-1], epoch)
    board.add_scalars(
        "accuracy", {"train": history["train_acc"][-1], "test": history["test_acc"][-1]}, epoch
    )
    for name, param in model.named_parameters():
        board.add_histogram(name, param, epoch)


def _train_epoch(model, loader, batch_loss, optimizer, bar) -> float:
    """One pass over the training data, a step per batch; the mean loss."""
    total, seen = 0.0, 0
    for xb, yb in loader:
        loss = batch_loss(xb, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
        if bar is not None:
            bar.update()
    return total / seen


def _show_epoch(bar, epochs, history, train_counts, test_counts) -> None:
    """The epoch's line (above the progress bar, if there is one) and the bar's figures."""
    epoch, loss = history["epoch"][-1], history["loss"][-1]
    train, test = history["train_acc"][-1], history["test_acc"][-1]
    if bar is not None:
        bar.set_postfix(
            {
                "epoch": epoch,
                "loss": f"{loss:.4f}",
                "train": f"{train:.1f}%",
                "test": f"{test:.1f}%",
            }
        )
    _say(
        bar,
        f"epoch {epoch:3d}/{epochs}  loss {loss:.4f}  "
        f"train {train:5.1f}% {train_counts}  test {test:5.1f}% {test_counts}",
    )


def train(T, args, tqdm, board=None) -> dict:
    """Train as the article does; returns the model, its history and the test split."""
    data = importlib.import_module(T.__name__ + ".utils.data")
    T.manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test), test_images = load_data(T)
    model = make_network(T.nn, 64, args.hidden, 10)
    lr = DEFAULT_LR[args.optimizer] if args.lr is None else args.lr
    if args.optimizer == "sgd":
        optimizer = T.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = T.optim.Adam(model.parameters(), lr=lr)
    loss_fn = T.nn.MSELoss()
    one_hot = T.eye(10)
    loader = data.DataLoader(
        data.TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True
    )
    print(
        f"{T.__name__}: {model.__class__.__name__}(64 -> {args.hidden} -> 10), "
        f"{len(y_train)} training and {len(y_test)} test digits, "
        f"{args.optimizer} lr={lr:g}, batch {args.batch_size}, seed {args.seed}"
    )
    history = {"epoch": [], "loss": [], "train_acc": [], "test_acc": []}
    bar = _progress_bar(tqdm, args.epochs * len(loader))
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        loss = _train_epoch(
            model, loader, lambda xb, yb: loss_fn(model(xb), one_hot[yb]), optimizer, bar
        )
        train_ok, _ = accuracy(T, model, x_train, y_train)
        test_ok, predicted = accuracy(T, model, x_test, y_test)
        for key, value in (
            ("epoch", epoch),
            ("loss", loss),
            ("train_acc", 100 * train_ok / len(y_train)),
            ("test_acc", 100 * test_ok / len(y_test)),
        ):
            history[key].append(value)
        if board is not None:
            log_epoch(board, model, history)
        _show_epoch(
            bar, args.epochs, history, f"({train_ok}/{len(y_train)})", f"({test_ok}/{len(y_test)})"
        )
    if bar is not None:
        bar.close()
    if board is not None:
        board.add_graph(model, x_test[:1])
        board.close()
    seconds = time.perf_counter() - start
    print(f"trained {args.epochs} epoch{'s' if args.epochs > 1 else ''} in {seconds:.1f} s")
    return {
        "model": model,
        "history": history,
        "loss_fn": loss_fn,
        "one_hot": one_hot,
        "x_test": x_test,
        "y_test": y_test,
        "test_images": test_images,
        "predicted": predicted,
    }


def _optional(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.epochs < 1 or args.hidden < 1 or args.batch_size < 1:
        raise SystemExit("numtorch demo: --epochs, --hidden and --batch-size must be positive")
    T = load_backend(args.backend)
    tqdm_module = _optional("tqdm")
    tqdm = tqdm_module.tqdm if tqdm_module is not None else None
    board = open_board(T, args.tensorboard)
    result = train(T, args, tqdm, board)

    os.makedirs(args.out, exist_ok=True)
    written, skipped = demo_pictures.write_all(T, result, args.out)
    checkpoint = os.path.join(args.out, "model.pt")
    T.save(result["model"].state_dict(), checkpoint)
    written.append("model.pt")
    if tqdm is None:
        skipped.append("progress bar (tqdm not installed)")

    print(f"wrote into {os.path.abspath(args.out)}/: {', '.join(written)}")
    if board is not None:
        logs = os.path.abspath(args.tensorboard)
        print(f"TensorBoard logs in {logs}/ (view them: tensorboard --logdir {logs})")
    for item in skipped:
        print(f"skipped: {item}")
    if any("not installed" in item and "Graphviz" not in item for item in skipped):
        print("(pip install 'numtorch[demo]' brings matplotlib, tqdm and graphviz's bindings)")
    sys.stdout.flush()
    return 0
