"""pytest hooks that give each test, test module import and wide-scoped fixture its own
recording context (see oracle/session.py), save recordings and check replays."""

from __future__ import annotations

import pytest

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
        SESSION.begin(item.nodeid, REPLAY)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        try:
            result = yield
        except pytest.skip.Exception:
            self._keep(item)
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

    def pytest_sessionfinish(self):
        if not REPLAY:
            STORE.save()

    @staticmethod
    def _keep(item):
        # a test that failed while recording keeps no recording, so its replay fails loudly
        if not REPLAY and SESSION.steps and not item.get_closest_marker("live_torch"):
            STORE.put(item.nodeid, *SESSION.snapshot())


def _in_context(key):
    SESSION.begin(key, REPLAY)
    try:
        result = yield
    finally:
        recording = SESSION.end()
        if not REPLAY and recording[0]["n"]:
            STORE.put(key, *recording)
    return result
