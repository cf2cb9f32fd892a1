"""Pictures of imported stories, found in the folder given with --media.

An image URL is looked up by its path, the longest tail first: for
`https://old.example/wp-content/uploads/2019/05/crane.jpg` and `--media uploads`,
`uploads/wp-content/uploads/2019/05/crane.jpg`, then `uploads/uploads/2019/05/crane.jpg`,
`uploads/2019/05/crane.jpg`, ... down to `uploads/crane.jpg`. The file found is copied
to `static/media/` under the tail that matched, and the story links to `/media/...`.
Every part of the path is checked, and the file must be a regular file inside the
media folder (no symlink out of it), so an export cannot read or write elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

MEDIA_FOLDER = "media"  # under static/: the site path /media/...
_SAFE_SEGMENT = re.compile(r"^[^/\\\x00-\x1f\x7f]+$")


@dataclass(frozen=True)
class MediaFile:
    source: Path   # the file under --media
    target: str    # where it goes, relative to the project root: "static/media/2019/05/crane.jpg"
    site_path: str  # the link in the story: "/media/2019/05/crane.jpg"


def find_media(url: str, media_dir: Path | None) -> MediaFile | None:
    if media_dir is None:
        return None
    segments = [segment for segment in unquote(urlsplit(url).path).split("/") if segment]
    if not segments or any(not is_safe_segment(segment) for segment in segments):
        return None
    root = media_dir.resolve()
    for start in range(len(segments)):
        tail = segments[start:]
        candidate = media_dir.joinpath(*tail)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            continue
        if resolved.is_file() and resolved.is_relative_to(root) and not candidate.is_symlink():
            relative = "/".join(tail)
            return MediaFile(resolved, f"static/{MEDIA_FOLDER}/{relative}", f"/{MEDIA_FOLDER}/{relative}")
    return None


def is_safe_segment(segment: str) -> bool:
    return bool(_SAFE_SEGMENT.match(segment)) and segment not in (".", "..") and not segment.startswith(".") \
        and len(segment.encode("utf-8")) <= 200
