"""A pickle interpreter that only builds data: the ``weights_only`` loader.

It runs the opcodes a checkpoint needs (protocol 2, and the harmless protocol 3-5 additions) on a
bytes object. A GLOBAL resolves only through the allowlist (``_globals.resolve``); REDUCE and
NEWOBJ call only what that list gave; BUILD, SETITEM(S) and APPEND(S) act only on the types a
checkpoint holds. Every length is checked against the bytes left, the memo is a dict (a huge
index costs nothing), and hashable keys are checked for the deep nesting that would overflow
the C stack when hashed, so a hostile or damaged file ends in an exception, never in code it
chose, a crash or a huge allocation.
"""

from __future__ import annotations

import collections
import pickle
import struct
import warnings

from .._tensor import Tensor
from . import _globals

UnpicklingError = pickle.UnpicklingError

_MAX_KEY_DEPTH = 100
_I4, _U4 = struct.Struct("<i"), struct.Struct("<I")
_U8, _F8 = struct.Struct("<Q"), struct.Struct(">d")
_U2 = struct.Struct("<H")
_SETTABLE = (dict, collections.OrderedDict, collections.Counter)
_PLAIN = (str, int, float, bool, type(None), bytes)


def _check_key(key) -> None:
    """Refuse tuples/frozensets nested so deep that hashing them would overflow the C stack."""
    if type(key) in _PLAIN or not isinstance(key, (tuple, frozenset)):
        return
    seen, todo = set(), [(key, 1)]
    while todo:
        obj, depth = todo.pop()
        if depth > _MAX_KEY_DEPTH:
            raise UnpicklingError(f"a key is nested more than {_MAX_KEY_DEPTH} levels deep")
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        todo.extend((x, depth + 1) for x in obj if isinstance(x, (tuple, frozenset)))


def _check_args(args) -> None:
    for a in args:
        _check_key(a)
        if isinstance(a, (list, tuple, set, frozenset)):
            for x in a:
                _check_key(x)
        elif isinstance(a, dict):
            for x in a:
                _check_key(x)


def _allowed(func) -> bool:
    """Whether ``func`` is a global of the allowlist or of the user's."""
    return id(func) in _globals.default_ids() or any(
        func is v for v in _globals.user_globals().values()
    )


def _is_tensor_class(obj) -> bool:
    return isinstance(obj, type) and issubclass(obj, Tensor)


class SafeUnpickler:
    """Runs one pickle from ``data[pos:]``; ``pos`` is left just past its STOP."""

    _refused = frozenset()  # opcodes refused although this interpreter knows them

    def __init__(self, data, persistent_load, pos: int = 0, encoding: str = "ASCII"):
        self.data, self.pos = data, pos
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.memo = {}

    def _ended(self) -> Exception:
        return UnpicklingError("pickle data was truncated (no STOP opcode)")

    def _protocol(self, protocol: int) -> None:
        if not 2 <= protocol <= 5:
            raise UnpicklingError("unsupported pickle protocol")

    def _read(self, n: int):
        pos = self.pos
        if n < 0 or n > len(self.data) - pos:
            raise UnpicklingError(f"pickle data was truncated: {n} bytes wanted at byte {pos}")
        self.pos = pos + n
        return self.data[pos : pos + n]

    def _line(self) -> str:
        end = self.data.find(b"\n", self.pos, self.pos + 1024)
        if end < 0:
            raise UnpicklingError(f"unterminated GLOBAL name at byte {self.pos}")
        text = bytes(self.data[self.pos : end]).decode("utf-8")
        self.pos = end + 1
        return text

    def load(self):
        try:
            return self._run()
        except (UnpicklingError, RuntimeError):
            raise
        except (
            IndexError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            struct.error,
            OverflowError,
            RecursionError,
        ) as e:
            raise UnpicklingError(
                f"malformed pickle near byte {self.pos}: {type(e).__name__}: {e}"
            ) from None

    def _global(self, module: str, name: str):
        module, name = _globals.canonical(module, name)
        return _globals.resolve(module, name)

    def _run(self):  # noqa: C901 - one branch per opcode reads best as a table
        stack, metastack, memo = [], [], self.memo
        read, data, refused = self._read, self.data, self._refused
        while True:
            if self.pos >= len(data):
                raise self._ended()
            op = data[self.pos]
            self.pos += 1
            if op in refused:
                raise UnpicklingError(f"Unsupported operand {op}")
            if op == 0x71:  # BINPUT
                memo[read(1)[0]] = stack[-1]
            elif op == 0x72:  # LONG_BINPUT
                memo[_U4.unpack(read(4))[0]] = stack[-1]
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op == 0x68:  # BINGET
                stack.append(memo[read(1)[0]])
            elif op == 0x6A:  # LONG_BINGET
                stack.append(memo[_U4.unpack(read(4))[0]])
            elif op == 0x58:  # BINUNICODE
                stack.append(str(read(_U4.unpack(read(4))[0]), "utf-8", "surrogatepass"))
            elif op == 0x8C:  # SHORT_BINUNICODE
                stack.append(str(read(read(1)[0]), "utf-8", "surrogatepass"))
            elif op == 0x8D:  # BINUNICODE8
                stack.append(str(read(_U8.unpack(read(8))[0]), "utf-8", "surrogatepass"))
            elif op == 0x4B:  # BININT1
                stack.append(read(1)[0])
            elif op == 0x4D:  # BININT2
                stack.append(_U2.unpack(read(2))[0])
            elif op == 0x4A:  # BININT
                stack.append(_I4.unpack(read(4))[0])
            elif op == 0x8A:  # LONG1
                stack.append(int.from_bytes(read(read(1)[0]), "little", signed=True))
            elif op == 0x8B:  # LONG4
                n = _I4.unpack(read(4))[0]
                stack.append(int.from_bytes(read(n), "little", signed=True))
            elif op == 0x47:  # BINFLOAT
                stack.append(_F8.unpack(read(8))[0])
            elif op == 0x28:  # MARK
                metastack.append(stack)
                stack = []
            elif op == 0x74:  # TUPLE
                items, stack = tuple(stack), metastack.pop()
                stack.append(items)
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == 0x87:  # TUPLE3
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == 0x63:  # GLOBAL
                stack.append(self._global(self._line(), self._line()))
            elif op == 0x93:  # STACK_GLOBAL
                name, module = stack.pop(), stack.pop()
                if type(module) is not str or type(name) is not str:
                    raise UnpicklingError("STACK_GLOBAL needs two strings")
                stack.append(self._global(module, name))
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                stack[-1] = self._call(stack[-1], args)
            elif op == 0x81:  # NEWOBJ
                args = stack.pop()
                stack[-1] = self._new(stack[-1], args)
            elif op == 0x62:  # BUILD
                state = stack.pop()
                self._build(stack[-1], state)
            elif op == 0x51:  # BINPERSID
                stack.append(self._persistent(stack.pop()))
            elif op == 0x7D:  # EMPTY_DICT
                stack.append({})
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x75:  # SETITEMS
                items, stack = stack, metastack.pop()
                target = self._settable(stack[-1])
                for i in range(0, len(items), 2):  # an odd count: PyTorch's IndexError
                    _check_key(items[i])
                    target[items[i]] = items[i + 1]
            elif op == 0x73:  # SETITEM
                value, key = stack.pop(), stack.pop()
                _check_key(key)
                self._settable(stack[-1])[key] = value
            elif op == 0x65:  # APPENDS
                items, stack = stack, metastack.pop()
                self._list(stack[-1], "extend").extend(items)
            elif op == 0x61:  # APPEND
                item = stack.pop()
                self._list(stack[-1], "append to").append(item)
            elif op in (0x88, 0x89):  # NEWTRUE, NEWFALSE
                stack.append(op == 0x88)
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op == 0x2E:  # STOP: the top of the stack, as PyTorch's unpickler returns it
                return stack.pop()
            else:
                stack = self._rare(op, stack, metastack)

    def _rare(self, op, stack, metastack):
        """The opcodes a checkpoint seldom uses (kept apart so the hot loop stays short)."""
        read = self._read
        if op == 0x80:  # PROTO
            self._protocol(read(1)[0])
        elif op == 0x95:  # FRAME
            read(8)
        elif op in (0x42, 0x43, 0x8E):  # BINBYTES, SHORT_BINBYTES, BINBYTES8
            size = {0x42: (4, _U4), 0x43: (1, None), 0x8E: (8, _U8)}[op]
            raw = read(size[0])
            stack.append(bytes(read(raw[0] if size[1] is None else size[1].unpack(raw)[0])))
        elif op in (0x55, 0x54):  # SHORT_BINSTRING, BINSTRING
            n = read(1)[0] if op == 0x55 else _I4.unpack(read(4))[0]
            raw = bytes(read(n))
            stack.append(raw if self.encoding == "bytes" else raw.decode(self.encoding))
        elif op == 0x30:  # POP
            if stack:
                stack.pop()
            else:
                stack = metastack.pop()
        elif op == 0x31:  # POP_MARK
            stack = metastack.pop()
        elif op == 0x32:  # DUP
            stack.append(stack[-1])
        elif op == 0x6C:  # LIST
            items, stack = stack, metastack.pop()
            stack.append(items)
        elif op == 0x64:  # DICT
            items, stack = stack, metastack.pop()
            d = {}
            for i in range(0, len(items) - 1, 2):
                _check_key(items[i])
                d[items[i]] = items[i + 1]
            stack.append(d)
        elif op == 0x8F:  # EMPTY_SET
            stack.append(set())
        elif op == 0x90:  # ADDITEMS
            items, stack = stack, metastack.pop()
            if type(stack[-1]) is not set:
                raise UnpicklingError(f"Can only add items to sets, not {type(stack[-1])}")
            for x in items:
                _check_key(x)
            stack[-1].update(items)
        elif op == 0x91:  # FROZENSET
            items, stack = stack, metastack.pop()
            for x in items:
                _check_key(x)
            stack.append(frozenset(items))
        else:
            raise UnpicklingError(f"Unsupported operand {op}")  # PyTorch's text
        return stack

    def _call(self, func, args):
        if not _allowed(func):
            text = f"Trying to call reduce for unrecognized function {func}"  # PyTorch's
            if hasattr(func, "__self__"):
                text += f" which belongs to {func.__self__}"
            raise UnpicklingError(text)
        if _is_tensor_class(func) and func is not _parameter():
            raise UnpicklingError(f"calling {func.__name__} from a checkpoint is not allowed")
        if isinstance(args, (tuple, list)):  # the other containers' keys were checked
            _check_args(args)
        return func(*args)

    def _new(self, cls, args):
        if cls is _parameter():
            return cls(*args)
        if not _allowed(cls) or not isinstance(cls, type):
            raise UnpicklingError(  # PyTorch's text
                "Can only create new object for nn.Parameter or classes allowlisted via "
                f"`add_safe_globals` but got {cls}"
            )
        if _is_tensor_class(cls):
            raise UnpicklingError(f"creating a {cls.__name__} from a checkpoint is not allowed")
        if isinstance(args, (tuple, list)):
            _check_args(args)
        return cls.__new__(cls, *args)

    def _build(self, inst, state):
        kind = type(inst)
        if kind is collections.OrderedDict:
            if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
                raise UnpicklingError("BUILD of an OrderedDict needs a dict of names")
            inst.__dict__.update(state)
        elif isinstance(inst, Tensor) and kind in (Tensor, _parameter()):
            if state:
                from ._rebuild import _set_state

                _set_state(inst, state)
        elif any(kind is v for v in _globals.user_globals().values()):
            if hasattr(inst, "__setstate__"):
                inst.__setstate__(state)
                return
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if state:
                inst.__dict__.update(state)
            for k, v in (slots or {}).items():
                setattr(inst, k, v)
        else:
            raise UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                f"`add_safe_globals`, but got {kind}"
            )

    @staticmethod
    def _settable(target):
        if type(target) not in _SETTABLE:
            raise UnpicklingError(
                "Can only SETITEM for dict, collections.OrderedDict, collections.Counter, "
                f"but got {type(target)}"
            )
        return target

    @staticmethod
    def _list(target, verb):
        if type(target) is not list:
            raise UnpicklingError(f"Can only {verb} lists, but got {type(target)}")
        return target

    def _persistent(self, pid):
        if type(pid) is not tuple and type(pid) is not int:
            raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and pid:
            tag = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
            if tag != "storage":
                raise UnpicklingError(
                    f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
                )
        return self.persistent_load(pid)


# the opcodes PyTorch's weights-only unpickler does not know: MEMOIZE, SHORT_BINUNICODE,
# BINUNICODE8, LONG4, STACK_GLOBAL, FRAME, the BINBYTES forms, BINSTRING, POP, POP_MARK, DUP,
# LIST, DICT, ADDITEMS, FROZENSET
_UNKNOWN_TO_PYTORCH = frozenset(b"\x94\x8c\x8d\x8b\x93\x95BC\x8eT012ld\x90\x91")
_PROTOCOL_WARNING = (
    "Detected pickle protocol {} in the checkpoint, which was not the default pickle protocol "
    "used by `torch.load` (2). The weights_only Unpickler might not support all instructions "
    "implemented by this protocol, please file an issue for adding support if you encounter this."
)


class CheckpointUnpickler(SafeUnpickler):
    """The weights-only interpreter as PyTorch runs it on a checkpoint's pickle: a short read
    returns what there is, as a file's ``read`` does, the end of the data at an opcode raises
    EOFError, and the errors of damaged data (KeyError, IndexError, struct.error,
    UnicodeDecodeError ...) stay what they are, PyTorch's. A pickle of protocol 2, PyTorch's,
    may use only the opcodes PyTorch's interpreter knows; one of protocol 3 to 5 (which
    PyTorch's refuses) also those its protocol added."""

    reads_newer_protocols = True

    def __init__(self, *args):
        super().__init__(*args)
        self._refused = set(_UNKNOWN_TO_PYTORCH)  # the loop holds this set: PROTO edits it

    def _protocol(self, protocol: int) -> None:
        if protocol != 2:
            warnings.warn(_PROTOCOL_WARNING.format(protocol), stacklevel=4)
        if 3 <= protocol <= 5 and self.reads_newer_protocols:
            self._refused.clear()

    def _ended(self) -> Exception:
        return EOFError()

    def _read(self, n: int):
        pos = self.pos
        self.pos = min(pos + max(n, 0), len(self.data))
        return bytes(self.data[pos : self.pos])  # a file's read: bytes' errors, not bytearray's

    def _line(self) -> str:
        """A GLOBAL name as PyTorch's unpickler reads it: the file's ``readline()`` less its
        last byte, whatever that is."""
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        line, self.pos = bytes(self.data[self.pos : end]), end
        return line[:-1].decode("utf-8")

    def load(self):
        return self._run()


class StreamUnpickler(CheckpointUnpickler):
    """The weights-only interpreter as PyTorch runs it on a file that is no checkpoint (the
    first pickle of its legacy format): it knows only the opcodes PyTorch's knows."""

    reads_newer_protocols = False


def _parameter():
    from ..nn.parameter import Parameter

    return Parameter
