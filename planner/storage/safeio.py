"""Reading a file a repository controls, and opening planner's own files, without being fooled.

Every input is opened once (non-blocking, so a FIFO cannot hang the open), checked on the open
descriptor to be a regular file no bigger than a limit, and read with memory bounded by that
limit: a `.md` that is a FIFO, a symbolic link to `/dev/zero` or a device, or a 1 GB file is
refused by a message, never read. planner's own files (`.planning/.cache/` and what is in it)
are opened through `own_path`/`open_own`, which refuse a symbolic link anywhere on the way.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from planner.errors import InputError

CACHE = ".cache"
JOURNAL = "step-journal.json"  # in CACHE: a step's undo record (planner.storage.transaction)


class NotReadable(InputError):
    """A file that is missing, not a regular file, too big, or could not be read."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: Path, limit: int, *, what: str = "file", follow: bool = True) -> bytes:
    """The bytes of the regular file at `path`; NotReadable when it is not one, or over `limit` bytes.

    The size is asked of the open descriptor and at most `limit + 1` bytes are read, so a file
    that grows while it is read (or lies about its size) cannot take more memory than the limit.
    `follow=False` refuses a symbolic link at `path` itself.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotReadable(f"{what} is a symbolic link to nothing (dangling)", path) from None
        raise NotReadable(f"{what} not found", path) from None
    except OSError as error:
        raise NotReadable(f"cannot open {what}: {_reason(error)}", path) from None
    except ValueError:  # a NUL in the path
        raise NotReadable(f"{what} path holds a NUL character", str(path).replace("\0", "\\0")) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"{what} is {_kind(info.st_mode)}, not a regular file; not read", path)
        if info.st_size > limit:
            raise NotReadable(f"{what} is {info.st_size:,} bytes, over the {limit:,}-byte limit; not read", path)
        return _read_up_to(descriptor, path, info.st_size, limit, what)
    finally:  # the descriptor itself, not a file object around it: a cold load reads thousands
        os.close(descriptor)


def _read_up_to(descriptor: int, path: Path, size: int, limit: int, what: str) -> bytes:
    """The file's bytes: first a buffer of the size it reported (plus one byte, to notice growth),
    then chunks, never past `limit + 1` bytes in all."""
    chunks: list[bytes] = []
    total = 0
    want = size + 1
    try:
        while total <= limit:
            asked = min(want, limit + 1 - total)
            chunk = os.read(descriptor, asked)
            want = 1 << 20
            chunks.append(chunk)
            total += len(chunk)
            if len(chunk) < asked:  # a short read of a regular file: its end
                break
    except OSError as error:
        raise NotReadable(f"cannot read {what}: {_reason(error)}", path) from None
    if total > limit:
        raise NotReadable(f"{what} grew past the {limit:,}-byte limit while it was read; not read", path)
    return b"".join(chunks)


def _reason(error: OSError) -> str:
    if error.errno is not None and error.errno == getattr(os, "ELOOP", -1):
        return "a loop of symbolic links"
    return error.strerror or str(error)


def decode_utf8(data: bytes, path: Path, what: str = "file") -> str:
    """`data` as UTF-8 text; InputError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{what} is not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                         "save it as UTF-8", path, line) from None


def is_regular(path: Path) -> bool:
    """True when `path` (links followed) is a regular file; False for anything else or a broken link."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def own_path(planning_dir: Path, *parts: str, create_folders: bool = True) -> Path:
    """`.planning/PARTS...`, for a file planner keeps for itself; InputError when a link is on the way.

    Each folder under `.planning/` is created (when asked) or checked with `lstat`, so a
    `.cache` that is a symbolic link, dangling or not, is refused instead of followed elsewhere.
    """
    current = planning_dir
    for index, part in enumerate(parts):
        current = current / part
        last = index == len(parts) - 1
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if last or not create_folders:
                continue
            try:
                os.mkdir(current)
            except FileExistsError:
                pass
            except OSError as error:
                raise InputError(f"cannot create planner's folder: {_reason(error)}", current) from None
            info = os.lstat(current)
        except OSError as error:
            raise InputError(f"cannot use planner's own path: {_reason(error)}", current) from None
        if stat.S_ISLNK(info.st_mode):
            raise InputError("refusing to use a symbolic link for planner's own file or folder; "
                             "remove it (planner recreates it)", current)
        if not last and not stat.S_ISDIR(info.st_mode):
            raise InputError("expected a folder for planner's own files; remove this entry", current)
    return current


@contextmanager
def open_own(planning_dir: Path, *parts: str) -> Iterator[BinaryIO]:
    """Open (creating it) planner's own file `.planning/PARTS...` with O_NOFOLLOW: never through a link."""
    path = own_path(planning_dir, *parts)
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        raise InputError(f"cannot open planner's own file: {_reason(error)} (a symbolic link?)", path) from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        os.close(descriptor)
        raise InputError("planner's own file is not a plain file of its own (a hard link or device?); "
                         "remove it", path)
    with open(descriptor, "a+b") as handle:
        yield handle


def temp_beside(target: Path) -> tuple[int, str]:
    """A new empty file `.NAME.<random>.tmp` beside `target` (mode 0o600, made exclusively, never
    through a link), open for writing: the descriptor and its path. As `tempfile.mkstemp` makes
    them, without importing tempfile (shutil, random: 5 ms of every command that writes a cache)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = os.path.join(target.parent, f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags | getattr(os, "O_BINARY", 0), 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def write_own(planning_dir: Path, *parts: str, data: bytes) -> Path:
    """Replace planner's own file `.planning/PARTS...` whole (temp file, rename), never through a link."""
    path = own_path(planning_dir, *parts)
    descriptor, temp_name = temp_beside(path)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temp_name, path)
    except BaseException:
        if os.path.lexists(temp_name):
            os.unlink(temp_name)
        raise
    return path
