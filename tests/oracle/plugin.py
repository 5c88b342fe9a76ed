"""pytest hooks that give each test, test module import and wide-scoped fixture its own
recording context (see oracle/session.py), save recordings and check replays."""

from __future__ import annotations

import random

import numpy as np
import pytest

import numtorch

from . import MODE
from .session import SESSION
from .store import STORE

REPLAY = MODE == "replay"


class OraclePlugin:
    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        if not isinstance(collector, pytest.Module):
            return (yield)
        return (yield from _in_context(collector.nodeid + "::<module>"))

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.scope == "function":
            return (yield)
        param = getattr(request, "param_index", 0)
        key = f"{request.node.nodeid}::<fixture {fixturedef.argname}[{param}]>"
        outer = SESSION.suspend()
        try:
            return (yield from _in_context(key))
        finally:
            SESSION.resume(outer)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        marker = item.get_closest_marker("live_torch")
        if REPLAY and marker:
            pytest.skip(f"needs PyTorch installed: {marker.args[0]}")
        # NOTE: inputs a test draws unseeded (a layer's initial weights) must be the ones it
        # drew while recording, whatever ran before it in this process
        numtorch.manual_seed(0)
        np.random.seed(0)
        random.seed(0)
        SESSION.begin(item.nodeid, REPLAY)
        failed = REPLAY and (SESSION.recorded_failure() or None)
        if failed:
            pytest.skip(f"needs PyTorch installed: failed while recording ({failed})")
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        try:
            result = yield
        except pytest.skip.Exception:
            self._keep(item)
            raise
        except BaseException as exc:
            if not REPLAY:  # the replay skips it and says why (record.py lists it too)
                why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                STORE.put(item.nodeid, {"n": -1, "e": {}, "why": why[:200]}, [])
            raise
        if REPLAY:
            SESSION.check_count()
        self._keep(item)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item):
        try:
            return (yield)
        finally:
            SESSION.end()

    def pytest_runtest_logfinish(self):
        # saved as it goes, so that a long recording stopped early keeps what it recorded
        if not REPLAY and STORE.pending() >= 200:
            STORE.save()

    def pytest_sessionfinish(self):
        if not REPLAY:
            STORE.save()

    @staticmethod
    def _keep(item):
        # a test that failed while recording keeps no recording, so its replay fails loudly
        if REPLAY:
            return
        # a test that no longer calls PyTorch, or compares live only, drops the recording it had
        live = item.get_closest_marker("live_torch")
        kept = SESSION.snapshot() if SESSION.steps and not live else (None, None)
        STORE.put(item.nodeid, *kept)


def _in_context(key):
    SESSION.begin(key, REPLAY)
    try:
        result = yield
    finally:
        recording = SESSION.end()
        if not REPLAY and recording[0]["n"]:
            STORE.put(key, *recording)
    return result
