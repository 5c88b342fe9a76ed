"""Suite-wide options.

``--unasserted`` lists the tests that passed without checking anything: no ``assert`` (in the
test or in tests/helpers.py), no NumPy or PyTorch testing assertion, no ``pytest.raises`` or
``pytest.warns``. Such a test cannot fail on a wrong result:

    python -m pytest -n 2 --unasserted
"""

from __future__ import annotations

import functools
import zlib

import hypothesis
import numpy as np
import oracle
import pytest
from oracle.plugin import OraclePlugin

pytest.register_assert_rewrite("helpers")

_CHECKERS = [
    (np.testing, "assert_allclose"),
    (np.testing, "assert_array_equal"),
    (np.testing, "assert_equal"),
    (np.testing, "assert_array_almost_equal"),
    (np.testing, "assert_almost_equal"),
    (pytest, "raises"),
    (pytest, "warns"),
    (pytest, "deprecated_call"),
]


@pytest.fixture
def rng(request):
    """A NumPy generator seeded by the test's name: a test draws the same inputs whatever ran
    before it, so that the tests pass in any order and a replay meets the recorded inputs."""
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


def pytest_addoption(parser):
    parser.addoption(
        "--unasserted",
        action="store_true",
        help="list the tests that passed without an assertion",
    )


class _AssertionCounter:
    def __init__(self):
        self.count = 0
        self.unasserted = []

    def pytest_assertion_pass(self):
        self.count += 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        self.count = 0
        result = yield
        # NOTE: user properties travel with the report, so xdist workers count too
        item.user_properties.append(("assertions", self.count))
        return result

    def pytest_runtest_logreport(self, report):
        if report.when == "call" and report.passed:
            if dict(report.user_properties).get("assertions") == 0:
                self.unasserted.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section(f"{len(self.unasserted)} tests without an assertion")
        for nodeid in self.unasserted:
            terminalreporter.line(nodeid)

    def counting(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            self.count += 1
            return fn(*args, **kwargs)

        return wrapper


def _order_free_hypothesis():
    """Hypothesis mixes into its draws the literals of the local modules loaded so far, here
    numtorch's, which load lazily as tests run: a derandomized test's examples then depend on
    which tests ran before it, and a replay meets other inputs than the recorded ones. No
    setting turns this off; an empty pool of local constants leaves hypothesis' own."""
    from hypothesis.internal.conjecture import providers

    if hasattr(providers, "_get_local_constants"):  # hypothesis >= 6.131
        empty = type(providers._local_constants)()
        providers._get_local_constants = lambda: empty


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "live_torch(why): needs PyTorch itself; skips where values are replayed"
    )
    _order_free_hypothesis()
    if oracle.MODE != "live":
        config.pluginmanager.register(OraclePlugin(), "oracle")
        # NOTE: a replay must draw the examples the recording drew
        hypothesis.settings.register_profile("oracle", derandomize=True, database=None)
        hypothesis.settings.load_profile("oracle")
    if not config.getoption("unasserted"):
        return
    # NOTE: rewritten asserts call pytest_assertion_pass (pyproject's
    # enable_assertion_pass_hook) only where a plugin implements it: registered here alone, a
    # normal run pays nothing
    counter = _AssertionCounter()
    for module, name in _CHECKERS + _torch_checkers():
        setattr(module, name, counter.counting(getattr(module, name)))
    config.pluginmanager.register(counter, "assertion-counter")


def _torch_checkers():
    try:
        import torch.testing
    except ImportError:
        return []
    return [(torch.testing, "assert_close")]
