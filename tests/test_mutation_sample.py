"""The CI sample of the mutation check (tests/mutation/): 30 fixed mutants of backward
formulas and kernels, each applied to a copy of numtorch; the suite must catch every one.
It takes minutes, so it runs where ``NUMTORCH_MUTATION_SAMPLE=1`` (``.ci/run`` sets it); the
same sample by hand: ``python tests/mutation/run.py --sample 30``, the full run without
``--sample``."""

import importlib.util
import os
from pathlib import Path

import pytest

_RUN = Path(__file__).parent / "mutation" / "run.py"


def _runner():
    spec = importlib.util.spec_from_file_location("mutation_run", _RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    os.environ.get("NUMTORCH_MUTATION_SAMPLE") != "1",
    reason="minutes long: CI runs it (NUMTORCH_MUTATION_SAMPLE=1); by hand: "
    "python tests/mutation/run.py --sample 30",
)
def test_sample_of_mutants_is_caught():
    runner = _runner()
    indices = runner.sample(30)
    assert len(indices) == 30
    results = runner.run(indices, jobs=2, timeout=300)
    survived = [
        f"#{i} ({o}) {runner.MUTANTS[i].find}"
        for i, o in results.items()
        if o not in ("killed", "timeout")
    ]
    assert not survived, "mutants the tests did not catch:\n" + "\n".join(survived)
