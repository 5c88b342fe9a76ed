"""``torch.futures.Future``: a value that becomes ready later, with ``then`` chains.

numtorch has no background threads, so a future that waits on work (a collective started with
``async_op=True``) completes when someone asks for it: ``wait()`` and ``value()`` drive that work
to its end, and ``then`` callbacks run at that moment, in order.
"""

from __future__ import annotations

__all__ = ["Future", "collect_all", "wait_all"]


class Future:
    """A result that is set once: by ``set_result``, or by the work the future stands for."""

    def __init__(self, *, devices=None):
        self._done, self._value, self._error = False, None, None
        self._waiter = None  # drives the underlying work to its end and returns its value
        self._callbacks = []

    def done(self) -> bool:
        return self._done

    def set_result(self, result) -> None:
        if self._done:
            raise RuntimeError("Future can only be marked completed once")
        self._done, self._value = True, result
        self._run_callbacks()

    def set_exception(self, result: BaseException) -> None:
        self._done, self._error = True, result
        self._run_callbacks()

    def wait(self):
        """Block until the value is ready and return it (raising the work's error, if any)."""
        if not self._done:
            if self._waiter is None:
                raise RuntimeError(
                    "Future.wait(): nothing will complete this future (numtorch runs no "
                    "background threads); call set_result() before waiting"
                )
            try:
                value = self._waiter()
            except Exception as e:  # the error belongs to whoever reads the value
                self.set_exception(e)
            else:
                self.set_result(value)
        return self.value()

    def value(self):
        if self._error is not None:
            raise self._error
        return self._value

    def then(self, callback) -> "Future":
        """A future for ``callback(self)``, run once this one is done."""

        def run():
            self.wait()
            return callback(self)

        child = Future()
        child._waiter = run
        return child

    def add_done_callback(self, callback) -> None:
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def _run_callbacks(self):
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)


def collect_all(futures: list) -> Future:
    """A future whose value is the list of ``futures``, once all of them are done."""

    def run():
        for f in futures:
            f.wait()
        return list(futures)

    out = Future()
    out._waiter = run
    return out


def wait_all(futures: list) -> list:
    """The values of ``futures``, waiting for each."""
    return [f.wait() for f in futures]
