"""The demo's pictures: learning curves, test digits with predictions, the autograd graph.

matplotlib draws the first two and Graphviz the third; each is optional. Without them the demo
writes what it can (the numbers as CSV, the graph as DOT text) and reports what it skipped.
"""

from __future__ import annotations

import csv
import importlib
import os
import shutil
import subprocess

GRID_ROWS, GRID_COLS = 5, 10


def write_all(T, result: dict, out: str) -> tuple[list[str], list[str]]:
    """Write every picture the installed libraries allow; returns (written, skipped) names."""
    written, skipped = [], []
    _write_history(result["history"], os.path.join(out, "history.csv"))
    written.append("history.csv")
    plt = _pyplot()
    if plt is None:
        skipped.append("curves.png and digits.png (matplotlib not installed)")
    else:
        plot_curves(plt, result["history"], os.path.join(out, "curves.png"))
        plot_digits(
            plt,
            result["test_images"],
            result["y_test"].tolist(),
            result["predicted"].tolist(),
            os.path.join(out, "digits.png"),
        )
        written += ["curves.png", "digits.png"]
    dot = autograd_dot(T, result)
    with open(os.path.join(out, "graph.dot"), "w") as f:
        f.write(dot)
    written.append("graph.dot")
    problem = render_dot(dot, os.path.join(out, "graph.png"))
    if problem is None:
        written.append("graph.png")
    else:
        skipped.append(f"graph.png ({problem}; graph.dot holds the DOT text)")
    return written, skipped


def _write_history(history: dict, path: str) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", "loss", "train_accuracy_percent", "test_accuracy_percent"])
        for row in zip(
            history["epoch"], history["loss"], history["train_acc"], history["test_acc"]
        ):
            writer.writerow([row[0], f"{row[1]:.6f}", f"{row[2]:.2f}", f"{row[3]:.2f}"])


def _pyplot():
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        return None
    matplotlib.use("Agg")  # files only: never open a window
    return importlib.import_module("matplotlib.pyplot")


def plot_curves(plt, history: dict, path: str) -> None:
    """Training loss (left) and train/test accuracy (right) against the epoch."""
    epochs = history["epoch"]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    ax_loss.plot(epochs, history["loss"], marker="o", color="tab:blue")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean squared error (training)")
    ax_loss.set_title("loss")
    ax_loss.set_yscale("log")
    ax_acc.plot(epochs, history["train_acc"], marker="o", label="train")
    ax_acc.plot(epochs, history["test_acc"], marker="s", label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title(f"accuracy (test: {history['test_acc'][-1]:.1f}% at the end)")
    ax_acc.set_ylim(0, 100)
    ax_acc.legend(loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.grid(True, alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_digits(plt, images, labels: list, predicted: list, path: str) -> None:
    """The first test digits, each titled with its predicted label (red where it is wrong)."""
    n = min(GRID_ROWS * GRID_COLS, len(labels))
    fig, axes = plt.subplots(
        GRID_ROWS, GRID_COLS, figsize=(GRID_COLS * 1.1, GRID_ROWS * 1.3), dpi=110
    )
    wrong = sum(p != t for p, t in zip(predicted[:n], labels[:n]))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=16, interpolation="nearest")
        ok = predicted[i] == labels[i]
        title = f"{predicted[i]}" if ok else f"{predicted[i]} (is {labels[i]})"
        ax.set_title(
            title,
            color="green" if ok else "red",
            fontsize=11,
            fontweight="normal" if ok else "bold",
        )
    fig.suptitle(f"first {n} test digits with the predicted label ({wrong} wrong, in red)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def autograd_dot(T, result: dict) -> str:
    """DOT text of the autograd graph of one test sample's loss, from the loss to the leaves.

    Walks ``grad_fn.next_functions`` as PyTorch records them; the sample requires grad so that
    the input appears as a leaf beside the two weights.
    """
    model = result["model"]
    x = result["x_test"][:1].clone().requires_grad_(True)
    target = result["one_hot"][result["y_test"][:1]]
    loss = result["loss_fn"](model(x), target)
    names = {id(p): (name, tuple(p.shape)) for name, p in model.named_parameters()}
    names[id(x)] = ("input x (one digit)", tuple(x.shape))
    lines = [
        "digraph autograd {",
        '  rankdir="BT";',
        "  label=\"autograd graph of one digit's loss\\n(backward() runs from the loss "
        'down to the leaves)"; labelloc="t"; fontname="Helvetica"; fontsize=12;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        f'  loss [label="loss = {loss.item():.4f}\\n{type(result["loss_fn"]).__name__}",'
        ' fillcolor="#f4c7c3"];',
    ]
    seen, order, stack = {}, [], [(loss.grad_fn, "loss")]
    while stack:
        fn, parent = stack.pop()
        key = id(fn)
        if key not in seen:
            seen[key] = f"n{len(seen)}"
            order.append(fn)
            stack.extend((child, seen[key]) for child, _ in fn.next_functions if child is not None)
        lines.append(f"  {seen[key]} -> {parent};")
    for fn in order:
        variable = getattr(fn, "variable", None)
        if variable is not None:
            name, shape = names.get(id(variable), ("leaf", tuple(variable.shape)))
            label, color = f"{name}\\n{shape}", "#c6dbef" if "input" not in name else "#d9ead3"
        else:
            label, color = fn.name(), "#eeeeee"
        lines.append(f'  {seen[id(fn)]} [label="{label}", fillcolor="{color}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# pip brings only the Python bindings: the dot program is a system package.
_NO_DOT = (
    "Graphviz's dot program not installed; pip cannot install it: apt install graphviz, "
    "brew install graphviz or conda install -c conda-forge graphviz"
)


def render_dot(dot: str, path: str) -> str | None:
    """Draw ``dot`` as a PNG through Graphviz; returns why not, or None when it did."""
    graphviz = None
    try:
        graphviz = importlib.import_module("graphviz")
    except ImportError:
        pass
    if graphviz is not None:
        try:
            data = graphviz.Source(dot).pipe(format="png")
        except graphviz.ExecutableNotFound:
            return _NO_DOT
    else:
        exe = shutil.which("dot")
        if exe is None:
            return _NO_DOT
        done = subprocess.run([exe, "-Tpng"], input=dot.encode(), capture_output=True)
        if done.returncode != 0:
            return "Graphviz failed: " + done.stderr.decode(errors="replace").strip()
        data = done.stdout
    with open(path, "wb") as f:
        f.write(data)
    return None
