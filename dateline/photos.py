"""The photo stage: which local images the built pages show, what is wrong
with them, and making their resized copies (see images.py for the copies).

- `plan_photos` (stage 4, in `check`): every local image a built article shows
  (its `image`, the images in its body), each
  planned from its header, read once per distinct file (cached by its sha256).
  A missing, unreadable, damaged or oversized image is a `path:line: image:`
  problem at every place that shows it.
- `photo_jobs`: one job per copy, keyed by the photo's key, so the published
  copies of an unchanged photo are kept like any unchanged page.
- `stage_photos` (stage 5): copies not in the published site come from the
  photo cache (`.dateline-cache/photos/`), else are made in worker processes,
  sent plain values (`PhotoTask`), so `fork` and `spawn` both run them. The
  parent saves them to the cache and stages them; only output.py writes site/.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from .cache import Store
from .config import SiteConfig
from .content import read_source
from .errors import BuildError, Problem
from .images import (ImageInfo, ImageProblem, Photo, PhotoTask, derive_photo, photo_key, plan_photo, read_info,
                     settings_digest)
from .output import Staging
from .plan import PageJob
from .urls import image_site_path, output_path
from .workers import start_method, worker_pool


@dataclass(frozen=True)
class Use:
    """A place that shows an image, for problems: the file, and its line when
    known (the front-matter key), else the text to look for in the body."""
    source: str
    line: int
    text: str = ""


@dataclass(frozen=True)
class PhotoPlan:
    photos: dict[str, Photo]            # site path -> Photo of every local image built pages show
    tasks: dict[str, PhotoTask]         # site path -> what a worker needs to make its copies
    uses: dict[str, tuple[Use, ...]]    # site path -> where it is shown
    held_back: frozenset[str]           # static files shown only by stories left out (drafts, scheduled)
    settings: str                       # digest of the resize settings (in every photo key)


def image_uses(articles, body_images: dict[str, tuple[str, ...]]) -> dict[str, list[Use]]:
    """site path -> the places these articles show it (hero, then body), in article order."""
    uses: dict[str, list[Use]] = {}
    for article in articles:
        hero = image_site_path(article.image)
        if hero:
            uses.setdefault(hero, []).append(
                Use(article.source, article.key_lines.get("image", 0)))
        for path in body_images.get(article.body_key, ()):
            uses.setdefault(path, []).append(Use(article.source, 0, path))
    return uses


def plan_photos(config: SiteConfig, articles, left_out, body_images: dict[str, tuple[str, ...]],
                static: dict[str, Path], static_digests: dict[str, str], store: Store,
                scheduled=()) -> tuple[PhotoPlan, list[Problem]]:
    """Every local image the built articles show, planned.
    Scheduled stories' images are checked too (they go live unattended), not planned."""
    uses = image_uses(articles, body_images)
    later = image_uses(scheduled, body_images)
    settings = settings_digest()
    saved = store.image_infos()
    photos: dict[str, Photo] = {}
    tasks: dict[str, PhotoTask] = {}
    problems: list[Problem] = []
    for path in sorted(set(uses) | set(later)):
        shown = uses.get(path, []) + later.get(path, [])
        file = static.get(path)
        if file is None:
            problems += image_problems(config.root, path, shown, ImageProblem(
                "is not in static/ or the theme's static files", "put the file there, or fix the path"))
            continue
        sha = static_digests[path]
        try:
            info = _saved_info(saved.get(sha))
            if info is None:
                info = read_info(file)
                store.put_image_info(sha, json.dumps([info.format, info.width, info.height]))
        except ImageProblem as why:
            problems += image_problems(config.root, path, shown, why)
            continue
        if path not in uses:
            continue
        photo = plan_photo(path, photo_key(sha, settings), info)
        photos[path] = photo
        if photo.variants:
            tasks[path] = PhotoTask(str(file), sha, photo)
    held_back = frozenset(path for path in image_uses(left_out, body_images) if path not in uses and path in static)
    frozen_uses = {path: tuple(found) for path, found in uses.items()}
    return PhotoPlan(photos, tasks, frozen_uses, held_back, settings), problems


def _saved_info(text: str | None) -> ImageInfo | None:
    if text is None:
        return None
    try:
        kind, width, height = json.loads(text)
        return ImageInfo(str(kind), int(width), int(height))
    except (ValueError, TypeError):
        return None


def image_problems(root: Path, path: str, uses, why: ImageProblem) -> list[Problem]:
    """One `path:line: image: ...` problem per place that shows the image."""
    return [Problem(use.source, use.line or _line_of(root, use.source, use.text), "image", f"{path} {why.message}",
                    why.hint) for use in uses]


def _line_of(root: Path, source_path: str, text: str) -> int:
    """The first line of a source file that holds `text` (an image path in a body)."""
    source, _ = read_source(root, source_path)
    if source is None or not text:
        return 0
    for number, line in enumerate(source.body.split("\n")):
        if text in line:
            return source.body_line + number
    return 0


def photo_jobs(plan: PhotoPlan) -> list[PageJob]:
    """One job per copy; GIF and SVG images are static files as they are."""
    return [PageJob(variant.path, "photo", task.photo.key, task, origin=plan.uses[path][0].source)
            for path, task in plan.tasks.items() for variant in task.photo.variants]


def cache_name(variant) -> str:
    """A copy's file name in the photo cache: the same photo at another path shares it."""
    return f"{variant.width}.{variant.media_type.rsplit('/', 1)[1]}"


def derive_in_worker(task: PhotoTask):
    """(copies, "", "") or (None, message, hint): a problem travels back as values."""
    try:
        return derive_photo(task), "", ""
    except ImageProblem as why:
        return None, why.message, why.hint


def stage_photos(root: Path, plan: PhotoPlan, jobs: list[PageJob], staging: Staging, store: Store,
                 workers: int, method: str = "") -> int:
    """Stage every copy of every photo; returns how many photos were resized.
    Raises BuildError when a photo cannot be decoded (nothing is published)."""
    by_photo: dict[str, list[PageJob]] = {}
    for job in jobs:
        by_photo.setdefault(job.data.photo.path, []).append(job)
    missing: list[PhotoTask] = []
    for path, copies in by_photo.items():
        rels = [output_path(job.path) for job in copies]
        if all(staging.can_keep(rel, job.key) for rel, job in zip(rels, copies)):
            for rel in rels:
                staging.keep(rel)
            continue
        task = copies[0].data
        cached = store.cached_photo(task.photo.key, [cache_name(v) for v in task.photo.variants])
        if cached is None:
            missing.append(task)
            continue
        for variant in task.photo.variants:
            file, sha = cached[cache_name(variant)]
            staging.link(output_path(variant.path), task.photo.key, file, sha)
    problems: list[Problem] = []
    for task, (copies, message, hint) in zip(missing, derive_all(missing, workers, method)):
        if copies is None:
            problems += image_problems(root, task.photo.path, plan.uses[task.photo.path], ImageProblem(message, hint))
            continue
        made = dict(copies)
        saved = store.save_photo(task.photo.key, {cache_name(v): made[v.path] for v in task.photo.variants})
        for variant in task.photo.variants:
            rel = output_path(variant.path)
            if saved is None:
                staging.put(rel, task.photo.key, made[variant.path])
            else:
                file, sha = saved[cache_name(variant)]
                staging.link(rel, task.photo.key, file, sha)
    if problems:
        raise BuildError(problems)
    return len(missing)


def derive_all(tasks: list[PhotoTask], workers: int, method: str = ""):
    """`derive_in_worker` of each task, in order: in worker processes when
    there is more than one photo, a few at a time so finished copies never
    pile up in the parent."""
    if workers < 2 or len(tasks) < 2:
        yield from map(derive_in_worker, tasks)
        return
    pending = iter(tasks)
    in_flight: deque = deque()
    with worker_pool(min(workers, len(tasks)), start_method(method)) as pool:
        def submit_next() -> None:
            task = next(pending, None)
            if task is not None:
                in_flight.append(pool.submit(derive_in_worker, task))

        for _ in range(workers * 2):
            submit_next()
        while in_flight:
            result = in_flight.popleft().result()
            submit_next()
            yield result


def cached_keys(static_digests: dict[str, str], settings: str) -> set[str]:
    """Photo keys worth keeping in the cache: those of every file in static/
    (a draft's photo included, so publishing it later resizes nothing)."""
    return {photo_key(sha, settings) for sha in static_digests.values()}

