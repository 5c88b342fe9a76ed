"""The zip container of a checkpoint: an aligned, uncompressed writer and a checked reader.

PyTorch stores every record uncompressed with its payload on a 64-byte boundary (padding goes
into a local-header extra field with id ``FB``), so a storage can be memory-mapped in place.
The writer does the same; the reader locates each payload through its local header and checks
every offset and size against the real length of the file before anything is read.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

import numpy

ALIGNMENT = 64
# Sizes and offsets from here on need the ZIP64 extensions (a module attribute so that tests
# can exercise the ZIP64 path without writing 4 GiB).
ZIP64_LIMIT = 0xFFFFFFFF
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_UTF8 = 0x800
# A deflated member can expand at most ~1032 times; a larger declared size is a lie.
_MAX_DEFLATE_RATIO = 1100


class CheckpointError(RuntimeError):
    """A malformed, truncated or inconsistent checkpoint file."""


# PyTorch's reader (miniz) ends its errors with this
_CORRUPT = (
    "This is an internal miniz error. If you are seeing this error, there is a high likelihood "
    "that your checkpoint file is corrupted. This can happen if the checkpoint was not saved "
    "properly, was transferred incorrectly, or the file was modified after saving."
)


class ZipWriter:
    """Writes stored (uncompressed) records under ``prefix/``, each payload 64-byte aligned."""

    def __init__(self, fileobj, prefix: str):
        self._f = fileobj
        self._prefix = prefix
        self._pos = 0
        self._central = []

    def write(self, name: str, data, crc: int | None = None) -> None:
        """Append one record; ``data`` is bytes or a contiguous uint8 array (written as is),
        ``crc`` its CRC-32 where the caller has it already."""
        full = f"{self._prefix}/{name}".encode("utf-8")
        size = len(data) if isinstance(data, bytes) else int(data.nbytes)
        crc = (zlib.crc32(data) if crc is None else crc) & 0xFFFFFFFF
        offset = self._pos
        zip64 = size >= ZIP64_LIMIT or offset >= ZIP64_LIMIT
        extra64 = struct.pack("<2H2Q", 1, 16, size, size) if zip64 else b""
        start = offset + _LOCAL.size + len(full) + len(extra64) + 4
        pad = -start % ALIGNMENT
        extra = extra64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        small = 0xFFFFFFFF if zip64 else size
        header = _LOCAL.pack(
            b"PK\x03\x04",
            45 if zip64 else 20,
            _UTF8,
            0,
            0,
            0,
            crc,
            small,
            small,
            len(full),
            len(extra),
        )
        self._emit(header + full + extra)
        self._emit(data)
        self._central.append((full, crc, size, offset))

    def _emit(self, data) -> None:
        self._f.write(data)
        self._pos += len(data) if isinstance(data, bytes) else int(data.nbytes)

    def close(self) -> None:
        """Write the central directory and the end records."""
        cd_start = self._pos
        for full, crc, size, offset in self._central:
            fields, big = [], False
            if size >= ZIP64_LIMIT:
                fields += [size, size]
            if offset >= ZIP64_LIMIT:
                fields.append(offset)
            big = bool(fields)
            extra = struct.pack(f"<2H{len(fields)}Q", 1, 8 * len(fields), *fields) if big else b""
            small = 0xFFFFFFFF if size >= ZIP64_LIMIT else size
            self._emit(
                _CENTRAL.pack(
                    b"PK\x01\x02",
                    45 if big else 20,
                    45 if big else 20,
                    _UTF8,
                    0,
                    0,
                    0,
                    crc,
                    small,
                    small,
                    len(full),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    0xFFFFFFFF if offset >= ZIP64_LIMIT else offset,
                )
                + full
                + extra
            )
        cd_size = self._pos - cd_start
        count = len(self._central)
        if count >= 0xFFFF or cd_start >= ZIP64_LIMIT or cd_size >= ZIP64_LIMIT:
            eocd64 = self._pos
            self._emit(
                _EOCD64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_start)
            )
            self._emit(_LOCATOR64.pack(b"PK\x06\x07", 0, eocd64, 1))
            count, cd_size, cd_start = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
        self._emit(_EOCD.pack(b"PK\x05\x06", 0, 0, count, count, cd_size, cd_start, 0))


def is_zip(fileobj) -> bool:
    """Whether the stream (at its current position) starts with a zip local header."""
    pos = fileobj.tell()
    magic = fileobj.read(4)
    fileobj.seek(pos)
    return magic == b"PK\x03\x04"


def _miniz_refusal(f, size: int) -> str | None:
    """Why PyTorch's zip reader (miniz) refuses to open the archive, in its words, else None:
    the end record and each central directory entry are checked in miniz's order against the
    file's length (zipfile is more lenient: it forgives data prepended to an archive). ZIP64
    archives are left to the checks below."""
    f.seek(max(size - 0x10000 - _EOCD.size, 0))
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06", 0, max(len(tail) - _EOCD.size + 4, 0))
    if at < 0:
        return "failed finding central directory"
    eocd_at = size - len(tail) + at
    if eocd_at >= _LOCATOR64.size and tail[at - _LOCATOR64.size : at][:4] == b"PK\x06\x07":
        return None
    _, this_disk, cd_disk, on_disk, total, cd_size, cd_ofs, _ = _EOCD.unpack_from(tail, at)
    if total != on_disk or (this_disk | cd_disk and (this_disk, cd_disk) != (1, 1)):
        return "unsupported multidisk archive"
    if cd_size < total * _CENTRAL.size or cd_ofs + cd_size > size:
        return "invalid header or archive is corrupted"
    f.seek(cd_ofs)
    return _central_refusal(f.read(cd_size), total, this_disk, size)


def _central_refusal(cd: bytes, total: int, this_disk: int, size: int) -> str | None:
    pos = 0
    for _ in range(total):
        if len(cd) - pos < _CENTRAL.size or cd[pos : pos + 4] != b"PK\x01\x02":
            return "invalid header or archive is corrupted"
        fields = _CENTRAL.unpack_from(cd, pos)
        flags, method, csize, usize = fields[3], fields[4], fields[8], fields[9]
        disk, local = fields[13], fields[16]
        if csize != ZIP64_LIMIT and usize != ZIP64_LIMIT:
            if (method == 0 and usize != csize) or (usize and not csize):
                return "invalid header or archive is corrupted"
        if disk == 0xFFFF or disk not in (this_disk, 1):
            return "unsupported multidisk archive"
        if csize != ZIP64_LIMIT and local + _LOCAL.size + csize > size:
            return "invalid header or archive is corrupted"
        if flags & 0x2000:  # the local directory is masked (encrypted)
            return "unsupported encryption"
        pos += _CENTRAL.size + fields[10] + fields[11] + fields[12]
        if pos > len(cd):
            return "invalid header or archive is corrupted"
    return None


class ZipReader:
    """The records of a checkpoint archive, found through the central directory."""

    def __init__(self, fileobj, name: str = "<file>"):
        self._f = fileobj
        self.name = name
        self.size = fileobj.seek(0, 2)
        refusal = _miniz_refusal(fileobj, self.size)
        if refusal:
            raise RuntimeError(  # PyTorch's type and text
                f"PytorchStreamReader failed reading zip archive: {refusal}. {_CORRUPT}"
            )
        fileobj.seek(0)
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except (
            zipfile.BadZipFile,
            ValueError,
            struct.error,
            EOFError,
            OverflowError,
            NotImplementedError,
            UnicodeDecodeError,
        ):
            raise RuntimeError(  # PyTorch's type and text
                f"PytorchStreamReader failed reading zip archive: failed finding central "
                f"directory. {_CORRUPT}"
            ) from None
        if not infos or "/" not in infos[0].filename:
            raise CheckpointError(f"{name}: the archive has no top-level folder")
        # PyTorch reads the folder name from the first record, whatever it is.
        self.prefix = infos[0].filename.split("/", 1)[0]
        self._infos = {i.filename: i for i in infos}

    def require_version(self) -> None:
        """PyTorch's refusal of an archive without its format version record."""
        if not (self.has(".data/version") or self.has("version")):
            raise RuntimeError(  # PyTorch's type and text
                'Expected hasRecord("version") to be true, but got false.  (Could this error '
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )

    def has(self, record: str) -> bool:
        return f"{self.prefix}/{record}" in self._infos

    def info(self, record: str) -> zipfile.ZipInfo:
        info = self._infos.get(f"{self.prefix}/{record}")
        if info is None:
            raise RuntimeError(  # PyTorch's type and text
                f"PytorchStreamReader failed locating file {record}: file not found. {_CORRUPT}"
            )
        return info

    def record_size(self, record: str) -> int:
        return self.info(record).file_size

    def data_offset(self, info: zipfile.ZipInfo) -> int:
        """Where the payload of a record starts in the file (checked to lie inside it)."""
        start = info.header_offset
        if not 0 <= start <= self.size - _LOCAL.size:
            raise CheckpointError(f"{self.name}: record '{info.filename}' starts past the end")
        self._f.seek(start)
        fields = _LOCAL.unpack(self._f.read(_LOCAL.size))
        if fields[0] != b"PK\x03\x04":
            raise CheckpointError(f"{self.name}: bad local header for '{info.filename}'")
        offset = start + _LOCAL.size + fields[9] + fields[10]
        if offset + info.compress_size > self.size:
            raise CheckpointError(
                f"{self.name}: record '{info.filename}' ({info.compress_size} bytes) runs past "
                f"the end of the file ({self.size} bytes): the file is truncated"
            )
        return offset

    def _check(self, info: zipfile.ZipInfo, nbytes: int) -> None:
        if nbytes > info.file_size:
            raise CheckpointError(
                f"{self.name}: record '{info.filename}' holds {info.file_size} bytes but "
                f"{nbytes} are needed"
            )
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise CheckpointError(f"{self.name}: inconsistent sizes for '{info.filename}'")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > _MAX_DEFLATE_RATIO * (info.compress_size + 1):
                raise CheckpointError(
                    f"{self.name}: record '{info.filename}' claims an impossible size"
                )
        else:
            raise CheckpointError(
                f"{self.name}: record '{info.filename}' uses unsupported compression "
                f"{info.compress_type}"
            )

    def read(self, record: str) -> bytes:
        """The whole payload of a small record (the pickle, the byte order)."""
        info = self.info(record)
        self._check(info, 0)
        offset = self.data_offset(info)
        if info.compress_type == zipfile.ZIP_STORED:
            self._f.seek(offset)
            data = self._f.read(info.file_size)
        else:
            data = self._inflate(info, info.file_size)
        if len(data) != info.file_size:
            raise CheckpointError(f"{self.name}: record '{record}' is truncated")
        return data

    def _inflate(self, info, nbytes: int) -> bytes:
        try:
            with self._zip.open(info) as member:
                return member.read(nbytes)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error) as e:
            raise CheckpointError(f"{self.name}: cannot read '{info.filename}': {e}") from None

    def read_array(self, record: str, nbytes: int):
        """The first ``nbytes`` of a record as a new writable uint8 array."""
        info = self.info(record)
        self._check(info, nbytes)
        offset = self.data_offset(info)
        if info.compress_type != zipfile.ZIP_STORED:
            return numpy.frombuffer(bytearray(self._inflate(info, nbytes)), numpy.uint8)
        out = numpy.empty(nbytes, numpy.uint8)
        self._f.seek(offset)
        got = self._f.readinto(memoryview(out)) if nbytes else 0
        if got != nbytes:
            raise CheckpointError(f"{self.name}: record '{record}' is truncated")
        return out

    def check(self, record: str, nbytes: int) -> None:
        """Raise unless the record exists, lies inside the file and holds ``nbytes``."""
        info = self.info(record)
        self._check(info, nbytes)
        self.data_offset(info)

    def locate(self, record: str, nbytes: int) -> int:
        """The file offset of an uncompressed record's payload (for memory-mapping)."""
        info = self.info(record)
        self._check(info, nbytes)
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(
                f"{self.name}: record '{record}' is compressed and cannot be memory-mapped"
            )
        return self.data_offset(info)


class PyTorchFileReader:
    """``torch.PyTorchFileReader``: the records of a checkpoint by name, without unpickling
    (PyTorch Lightning reads ``data.pkl`` through it to load a checkpoint lazily)."""

    def __init__(self, file):
        self._file = open(file, "rb") if isinstance(file, (str, bytes)) else file
        self._reader = ZipReader(self._file, str(file))

    def get_all_records(self) -> list:
        skip = len(self._reader.prefix) + 1
        return [name[skip:] for name in self._reader._infos]

    def has_record(self, name: str) -> bool:
        return self._reader.has(name)

    def get_record(self, name: str) -> bytes:
        if not self._reader.has(name):
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return self._reader.read(name)

    def get_record_size(self, name: str) -> int:
        return self._reader.record_size(name)
