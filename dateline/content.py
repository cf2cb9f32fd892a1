"""Find article sources and read them: UTF-8 (BOM allowed), any line ending,
front matter split from the body. Reading happens here and nowhere else."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import imagesize

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

    Hidden files and folders are skipped. Symlinks that lead outside content/
    are refused: an archive must not publish files from elsewhere on the disk.
    """
    found: list[str] = []
    problems: list[Problem] = []
    if not content_dir.is_dir():
        return [], [Problem(_rel(content_dir, root), 0, "content", "folder not found")]
    content_real = content_dir.resolve()
    # os.scandir, not os.walk + pathlib: each entry's type comes with the
    # listing, so 10,000 articles cost no extra system call each.
    folders = [(str(content_dir), _rel(content_dir, root))]
    while folders:
        folder, rel_folder = folders.pop()
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}"
            if entry.is_symlink() and not _is_within(Path(entry.path).resolve(), content_real):
                problems.append(Problem(rel, 0, "path", "symlink leads outside content/; refusing it"))
            elif entry.is_dir():
                folders.append((entry.path, rel))
            elif entry.name.endswith(".md"):
                found.append(rel)
    return sorted(found), problems


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


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
        with open(os.path.join(root, path), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def read_source(root: Path, path: str) -> tuple[Source | None, list[Problem]]:
    try:
        data = (root / path).read_bytes()
    except OSError as error:
        return None, [Problem(path, 0, "file", f"cannot be read: {error.strerror or error}")]
    text, problems = decode_source(data, path)
    if text is None:
        return None, problems
    return split_front_matter(text, path)


def find_static_files(static_dirs) -> dict[str, Path]:
    """site path -> source file for every file under the static folders; a later
    folder wins (the site's `static/` over the theme's `layouts/static/`)."""
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


def image_size(static_files: dict[str, Path], site_path: str) -> tuple[int, int] | None:
    """Width and height of a local image, for width/height attributes (no layout shift)."""
    source = static_files.get(site_path)
    if source is None:
        return None
    try:
        width, height = imagesize.get(str(source))
    except (OSError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    return int(width), int(height)
