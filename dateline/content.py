"""Find article sources and read them: UTF-8 (BOM allowed), any line ending,
front matter split from the body. Reading happens here and nowhere else."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class Source:
    path: str               # relative to the project root, "/"-separated
    front_matter: str       # the YAML text between the fences
    front_matter_line: int  # 1-based line of the first front-matter line
    body: str
    body_line: int          # 1-based line where the body starts


def find_sources(root: Path, content_dir: Path) -> tuple[list[str], list[Problem]]:
    """Every `.md` file under content/, sorted, as root-relative paths.

    Hidden files and folders are skipped. Only regular files are read: a
    FIFO, socket or device named `x.md` is refused rather than opened (opening
    a FIFO waits for a writer forever). Symlinks that lead outside content/,
    that loop, or that lead to a folder already read are refused: an archive
    must not publish files from elsewhere on the disk, nor read one folder
    again and again.
    """
    found: list[str] = []
    problems: list[Problem] = []
    if not content_dir.is_dir():
        return [], [Problem(_rel(content_dir, root), 0, "content", "folder not found")]
    content_real = os.path.realpath(content_dir)
    # os.scandir, not os.walk + pathlib: each entry's type comes with the
    # listing, so 10,000 articles cost no extra system call each (only
    # symlinks are looked at more closely).
    folders = [(str(content_dir), _rel(content_dir, root), content_real)]
    linked_folders: set[str] = set()     # real paths of the folders symlinks led to
    while folders:
        folder, rel_folder, folder_real = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            problems.append(Problem(rel_folder, 0, "path", f"cannot be read: {error.strerror or error}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}"
            if entry.is_symlink():
                why, mode, target = _symlink_target(entry.path, content_real, folder_real, linked_folders)
                if why:
                    problems.append(Problem(rel, 0, "path", f"{why}; refusing it"))
                    continue
                if stat.S_ISDIR(mode):
                    linked_folders.add(target)
                    folders.append((entry.path, rel, target))
                elif entry.name.endswith(".md") and mode:
                    _add_source(found, problems, rel, mode)
            elif entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, rel, os.path.join(folder_real, entry.name)))
            elif entry.name.endswith(".md"):
                mode = stat.S_IFREG if entry.is_file(follow_symlinks=False) else entry.stat(follow_symlinks=False).st_mode
                _add_source(found, problems, rel, mode)
    return sorted(found), problems


def _symlink_target(path: str, content_real: str, folder_real: str, linked_folders: set[str]) -> tuple[str, int, str]:
    """(why it is refused or "", the target's file type, the target's real path) for a symlink.
    A dangling symlink has file type 0 and is refused only when named `.md`."""
    target = os.path.realpath(path)
    if not _is_within(target, content_real):
        return "symlink leads outside content/", 0, target
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop", 0, target
        return ("symlink to a file that does not exist" if path.endswith(".md") else ""), 0, target
    if stat.S_ISDIR(mode) and (_is_within(folder_real, target) or target in linked_folders):
        return "symlink loop: it leads to a folder already read", mode, target
    return "", mode, target


def _add_source(found: list[str], problems: list[Problem], rel: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        found.append(rel)
    else:
        problems.append(Problem(rel, 0, "path", f"is {_file_kind(mode)}, not a regular file; refusing it",
                                "remove it from content/"))


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def read_regular_file(path) -> bytes:
    """A regular file's bytes. Opened without blocking and checked before
    reading, so a FIFO or device put in place of a file fails at once with
    OSError instead of waiting forever (or reading a device)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"{_file_kind(info.st_mode)}, not a regular file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def decode_source(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text with a BOM removed and line ends made `\\n`; invalid bytes are an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [Problem(path, line, "encoding",
                              f"invalid UTF-8 at byte offset {error.start}", "save the file as UTF-8")]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Strict UTF-8 decoding never yields lone surrogates, so only the control
    # characters need stripping here (half the cost of the whole-file pass).
    return _CONTROLS.sub("", text), []


# C0 controls other than tab and newline, and the two non-characters XML 1.0
# forbids: invisible junk pasted from other systems that would make feeds
# ill-formed and pages invalid. They carry no text, so they are dropped.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def strip_invisible_controls(text: str) -> str:
    """Drop control characters and lone surrogates (YAML escapes such as "\\ud800" can make them)."""
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


def split_front_matter(text: str, path: str) -> tuple[Source | None, list[Problem]]:
    """Split `---` fenced YAML front matter from the Markdown body."""
    if not text.strip():
        return None, [Problem(path, 1, "front matter", "file is empty",
                              "start the file with ---, the front matter, then ---")]
    lines = text.split("\n")
    if lines[0].rstrip() != FRONT_MATTER_FENCE:
        return None, [Problem(path, 1, "front matter", "missing: the file must start with a --- line",
                              "start the file with ---, the front matter, then ---")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FRONT_MATTER_FENCE, "..."):
            front = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1:])
            return Source(path, front, 2, body, index + 2), []
    return None, [Problem(path, 1, "front matter", "not closed: no --- line after the front matter")]


def read_bytes(root: Path, path: str) -> bytes | None:
    """A source file's bytes, or None when it cannot be read (read_source then says why)."""
    try:
        return read_regular_file(os.path.join(root, path))
    except OSError:
        return None


def read_source(root: Path, path: str) -> tuple[Source | None, list[Problem]]:
    try:
        data = read_regular_file(os.path.join(root, path))
    except OSError as error:
        return None, [Problem(path, 0, "file", f"cannot be read: {error.strerror or error}")]
    text, problems = decode_source(data, path)
    if text is None:
        return None, problems
    return split_front_matter(text, path)


# A file changed less than this long before it was looked at may change again
# within the same timestamp tick (a coarse kernel clock, 1 s on some file
# systems, 2 s on FAT) without its stat changing: its signature is not
# trusted, and the next build reads it again.
RACY_NS = 2_000_000_000


def file_signature(path: str, now_ns: int) -> str:
    """What a file's bytes are taken to be unchanged by while it stays equal:
    size, mtime, ctime and inode. "" when the file cannot be stat'ed or changed
    too recently to tell (see RACY_NS); then it must be read.

    ctime is set by the kernel on every change to the file and cannot be set
    back, so an editor or tool that restores the mtime (touch -r, cp -p,
    rsync -t) still changes the signature; replacing the file changes the
    inode. (On Windows ctime is the creation time: there, an edit that keeps
    the mtime and size goes unseen; `--no-cache` reads everything.)"""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    if max(info.st_mtime_ns, info.st_ctime_ns) >= now_ns - RACY_NS:
        return ""
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


@dataclass(frozen=True)
class SourceScan:
    """The sources found under content/, each with its stat signature."""

    paths: tuple[str, ...]          # sorted, root-relative
    problems: tuple[Problem, ...]   # files refused while looking (see `find_sources`)
    signatures: dict[str, str]      # path -> `file_signature` ("" for a file that must be read)


def scan_sources(root: Path, content_dir: Path) -> SourceScan:
    paths, problems = find_sources(root, content_dir)
    now_ns = time.time_ns()
    prefix = os.path.join(root, "")
    return SourceScan(tuple(paths), tuple(problems), {path: file_signature(prefix + path, now_ns) for path in paths})


def tree_signature(folders) -> str:
    """One signature of every file under the given folders (hidden ones
    included, missing folders allowed), or "" when any file changed too
    recently to trust: equal means no file there was added, removed or changed."""
    now_ns = time.time_ns()
    parts = []
    for folder in folders:
        for base, names, files in os.walk(folder):
            names.sort()
            for name in sorted(files):
                path = os.path.join(base, name)
                signature = file_signature(path, now_ns)
                if not signature:
                    return ""
                parts.append(f"{path}\0{signature}")
        parts.append(f"{folder}\0end")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def find_static_files(static_dirs) -> dict[str, Path]:
    """site path -> source file for every file under the static folders; a later
    folder wins (the site's `static/` over the packaged theme's)."""
    files: dict[str, Path] = {}
    for folder in static_dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                files["/" + relative.as_posix()] = path
    return dict(sorted(files.items()))


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

