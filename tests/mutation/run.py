"""Mutation check: apply each mutant of mutants.py to a copy of numtorch, run its tests, and
report which mutants the tests caught (killed) and which survived.

    python tests/mutation/run.py              # every mutant
    python tests/mutation/run.py --sample 30  # the fixed sample CI runs
    python tests/mutation/run.py --jobs 4 3 7 # mutants 3 and 7, four at a time

Exits 1 when a backward-formula mutant survives or the score is under 95 %.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mutants import MUTANTS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "numtorch"
# NOTE: sys.path[0] is the working directory under ``python -m``, which would import the
# unmutated package: the copy goes first explicitly
_PYTEST = "import sys; sys.path.insert(0, sys.argv.pop(1)); import pytest; sys.exit(pytest.main())"


def sample(n: int) -> list[int]:
    """A fixed, evenly spread choice of ``n`` mutant indices."""
    step = max(1, len(MUTANTS) // n)
    return list(range(0, len(MUTANTS), step))[:n]


def locate(find: str) -> Path:
    """The one source file that holds ``find``."""
    hits = [p for p in PACKAGE.rglob("*.py") if find in p.read_text()]
    counts = sum(p.read_text().count(find) for p in hits)
    if counts != 1:
        raise LookupError(f"{counts} places in numtorch hold {find!r}: update mutants.py")
    return hits[0]


def run_mutant(index: int, timeout: float) -> str:
    """'killed', 'survived', 'timeout' or pytest's unexpected exit status for mutant
    ``index``."""
    m = MUTANTS[index]
    source = locate(m.find)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "numtorch"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        target = copy / source.relative_to(PACKAGE)
        target.write_text(target.read_text().replace(m.find, m.replace))
        args = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:xdist"]
        cmd = [sys.executable, "-c", _PYTEST, tmp, *args, *m.tests]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout"
    if proc.returncode == 5:
        raise LookupError(f"mutant {index}: {m.tests} select no tests: update mutants.py")
    # NOTE: any other exit (a crash, a signal) is reported and not counted as caught
    return {0: "survived", 1: "killed"}.get(proc.returncode, f"exit {proc.returncode}")


def run(indices, jobs: int = 2, timeout: float = 600) -> dict[int, str]:
    """Runs the mutants, printing one line for each as it finishes."""
    for i in indices:
        locate(MUTANTS[i].find)  # every mutant applies before any runs
    results = {}
    with ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(run_mutant, i, timeout): i for i in indices}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            m = MUTANTS[i]
            print(f"{results[i]:9} #{i:<3} {m.kind:9} {m.find[:70]}", flush=True)
    return results


def report(results: dict[int, str]) -> tuple[float, list[int]]:
    """Prints the score; returns it and the surviving backward-formula mutants."""
    killed = sum(o in ("killed", "timeout") for o in results.values())
    score = killed / len(results)
    backward = [i for i in results if MUTANTS[i].backward]
    escaped = [i for i in backward if results[i] not in ("killed", "timeout")]
    print(f"mutation score: {killed}/{len(results)} = {score:.1%}")
    print(f"backward formulas: {len(backward) - len(escaped)}/{len(backward)} caught")
    return score, escaped


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indices", type=int, nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--sample", type=int, help="run the fixed sample of this many")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    indices = args.indices or (sample(args.sample) if args.sample else range(len(MUTANTS)))
    score, escaped = report(run(list(indices), args.jobs))
    return 0 if score >= 0.95 and not escaped else 1


if __name__ == "__main__":
    sys.exit(main())
