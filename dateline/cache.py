"""Incremental state in `.dateline-cache/cache.sqlite`.

- `markup`: rendered article bodies, content-addressed by `markup.body_key`
  (a hash of the body, its path and the renderer version), each row with a
  CRC so a damaged value is detected and re-rendered, never published.
- `images`: per image file's sha256, what its header says (format and size),
  so a photo's header is read once, not on every build.
- `photos`: per photo key (its bytes and the resize settings), the copies made
  of it, whose bytes are files under `.dateline-cache/photos/`: an unchanged
  photo is never resized twice, whatever happens to site/.
- `articles`: per source file, the parsed Article, the digest of the file's
  bytes, and the file's stat signature when the bytes were read: a file whose
  signature is unchanged is not read again (see `content.file_signature`).
- `outputs`: the manifest of the last published site: per output file the key
  of its inputs, the digest of its bytes and the file's identity on disk
  (size, mtime, inode). A page whose key is unchanged and whose file is still
  the one we wrote is linked into the next site instead of re-rendered. The
  staging folder kept between builds (the "spare") is recorded as its
  difference from the published site (`spare_changes`): the two differ only
  in what the last build changed.
- `published`: per output folder, one blob with every published file's
  identity and every folder's mtime (`PublishedSite`): what a build checks
  the site against without loading the manifest.
- `plans`: per output folder, the plan the last build made there, without
  the pages' inputs (kept_plan.KeptPlan): what the next build re-plans from.

The cache is a pure optimisation: any error reading it (a truncated or
corrupted file, another version's schema) discards it and the build runs cold.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import shutil
import sqlite3
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

SCHEMA_VERSION = "9"
CACHE_FILE = "cache.sqlite"
PHOTO_FOLDER = "photos"
TEMPLATE_FOLDER = "templates"    # compiled templates (pages.make_environment)


class ManifestEntry(NamedTuple):
    """One published file. A named tuple, not a dataclass: a large site loads
    ~190,000 of them, and a tuple is made several times faster."""
    key: str
    sha: str
    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True)
class CachedArticle:
    signature: str      # the file's stat signature when it was read ("" when it must be read again)
    digest: str         # of its path, bytes and the parse settings
    blob: bytes         # the pickled Article


@dataclass(frozen=True)
class PublishedSite:
    """What the last build left in an output folder, to check it against cheaply.

    `files`: (path, size, mtime_ns, inode) of every file; `folders`: (path,
    mtime_ns) of every folder holding one ("" is the output folder itself).
    Adding, removing or renaming anything in a folder changes that folder's
    mtime, so equal folder mtimes mean no file appeared that the build did
    not make; equal file identities mean each file is still the one written."""
    files: tuple[tuple[str, int, int, int], ...]
    folders: tuple[tuple[str, int], ...]


class CacheError(Exception):
    pass


class Store:
    """The markup store and the output manifest, in one SQLite file."""

    def __init__(self, path: Path | None, checked: bool = False):
        """`checked`: the file was just opened and checked by the build that
        starts this process (a render worker): not checked again."""
        self.path = path
        self.discarded = False
        self._checked = checked
        self._published: dict[str, PublishedSite | None] = {}   # read once a build (see `published`)
        self._db = self._open(path) if path is not None else sqlite3.connect(":memory:")
        if path is None:
            self._create(self._db)

    def _open(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(path)
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                raise CacheError("schema")
            unchecked = not self._checked and not _closed_as_left(path)
            if unchecked and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CacheError("quick_check")
            return db
        except (sqlite3.DatabaseError, CacheError):
            try:
                db.close()
            except Exception:  # noqa: BLE001 - closing a broken handle
                pass
            self.discarded = path.exists()
            for suffix in ("", "-journal", "-wal", "-shm", CLOSED_SUFFIX):
                Path(str(path) + suffix).unlink(missing_ok=True)
            db = sqlite3.connect(path)
            self._create(db)
            return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS articles (path TEXT PRIMARY KEY, signature TEXT NOT NULL,
                                                 digest TEXT NOT NULL, article BLOB NOT NULL,
                                                 crc INTEGER NOT NULL);
            -- links before html: reading the links of every row must not walk each
            -- row's html overflow pages
            CREATE TABLE IF NOT EXISTS markup (key TEXT PRIMARY KEY, links TEXT NOT NULL,
                                               images TEXT NOT NULL, crc INTEGER NOT NULL, html TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS images (sha TEXT PRIMARY KEY, info TEXT NOT NULL, crc INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS photos (key TEXT PRIMARY KEY, files TEXT NOT NULL, crc INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS outputs (out TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,
                                                sha TEXT NOT NULL, size INTEGER NOT NULL,
                                                mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
                                                PRIMARY KEY (out, path));
            CREATE TABLE IF NOT EXISTS published (out TEXT PRIMARY KEY, data BLOB NOT NULL, crc INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS plans (out TEXT PRIMARY KEY, data BLOB NOT NULL, crc INTEGER NOT NULL);
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.commit()

    # -- parsed articles ----------------------------------------------------------
    def parsed_articles(self) -> dict[str, CachedArticle]:
        """path -> its cached parse, in one query. Rows whose CRC does not match
        their bytes are left out: the file is parsed again."""
        return {path: CachedArticle(signature, digest, blob) for path, signature, digest, blob, crc in
                self._db.execute("SELECT path, signature, digest, article, crc FROM articles")
                if zlib.crc32(blob) == crc}

    def put_parsed(self, rows) -> None:
        """rows: iterable of (path, signature, digest, pickled Article)."""
        self._db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                             ((path, signature, digest, blob, zlib.crc32(blob))
                              for path, signature, digest, blob in rows))

    def set_signatures(self, rows) -> None:
        """rows: iterable of (path, signature) for files read again and found unchanged."""
        self._db.executemany("UPDATE articles SET signature = ? WHERE path = ?",
                             ((signature, path) for path, signature in rows))

    def prune_parsed(self, keep: set[str]) -> None:
        stale = [(path,) for (path,) in self._db.execute("SELECT path FROM articles") if path not in keep]
        self._db.executemany("DELETE FROM articles WHERE path = ?", stale)

    # -- markup ---------------------------------------------------------------
    def markup_keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM markup")}

    def get_markup(self, key: str) -> tuple[str, tuple[str, ...]] | None:
        row = self._db.execute("SELECT html, links, crc FROM markup WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        html, links, crc = row
        if zlib.crc32(html.encode("utf-8", "surrogatepass")) != crc:
            self._db.execute("DELETE FROM markup WHERE key = ?", (key,))
            return None
        return html, tuple(json.loads(links))

    def links_of(self, keys) -> dict[str, tuple[str, ...]]:
        wanted = set(keys)
        return {key: tuple(json.loads(links)) if links != "[]" else ()
                for key, links in self._db.execute("SELECT key, links FROM markup") if key in wanted}

    def images_of(self, keys) -> dict[str, tuple[str, ...]]:
        """body key -> the site paths of the local images that body shows."""
        wanted = set(keys)
        return {key: tuple(json.loads(images))
                for key, images in self._db.execute("SELECT key, images FROM markup WHERE images != '[]'")
                if key in wanted}

    def put_markup(self, rows) -> None:
        """rows: iterable of (key, html, links, images)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO markup (key, html, links, images, crc) VALUES (?, ?, ?, ?, ?)",
            ((key, html, json.dumps(list(links)), json.dumps(list(images)),
              zlib.crc32(html.encode("utf-8", "surrogatepass"))) for key, html, links, images in rows))

    def prune_markup(self, keep: set[str]) -> None:
        stale = [(key,) for key in self.markup_keys() - keep]
        self._db.executemany("DELETE FROM markup WHERE key = ?", stale)

    # -- images and photos ----------------------------------------------------------
    def image_infos(self) -> dict[str, str]:
        """sha256 of an image file -> its header as saved by `put_image_info` (rows whose CRC fails are left out)."""
        return {sha: info for sha, info, crc in self._db.execute("SELECT sha, info, crc FROM images")
                if zlib.crc32(info.encode()) == crc}

    def put_image_info(self, sha: str, info: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO images VALUES (?, ?, ?)", (sha, info, zlib.crc32(info.encode())))

    def prune_image_infos(self, keep: set[str]) -> None:
        stale = [(sha,) for (sha,) in self._db.execute("SELECT sha FROM images") if sha not in keep]
        self._db.executemany("DELETE FROM images WHERE sha = ?", stale)

    @property
    def photo_folder(self) -> Path | None:
        return self.path.parent / PHOTO_FOLDER if self.path is not None else None

    @property
    def template_folder(self) -> Path | None:
        return self.path.parent / TEMPLATE_FOLDER if self.path is not None else None

    def cached_photo(self, key: str, names) -> dict[str, tuple[Path, str]] | None:
        """name -> (cached file, its sha256) for every copy `names` of photo `key`,
        or None unless all are there with the bytes they were saved with."""
        folder = self.photo_folder
        row = self._db.execute("SELECT files, crc FROM photos WHERE key = ?", (key,)).fetchone()
        if folder is None or row is None or zlib.crc32(row[0].encode()) != row[1]:
            return None
        saved = json.loads(row[0])
        found = {}
        for name in names:
            if name not in saved:
                return None
            path = folder / key[:2] / key / name
            try:
                data = path.read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != saved[name]:
                return None
            found[name] = (path, saved[name])
        return found

    def save_photo(self, key: str, files: dict[str, bytes]) -> dict[str, tuple[Path, str]] | None:
        """Keep the copies of photo `key` (name -> bytes); returns them as `cached_photo`
        does, or None when there is no cache folder (an in-memory store)."""
        folder = self.photo_folder
        if folder is None:
            return None
        target = folder / key[:2] / key
        target.mkdir(parents=True, exist_ok=True)
        saved = {}
        for name, data in files.items():
            temporary = target / f".{name}.tmp"
            temporary.write_bytes(data)
            os.replace(temporary, target / name)
            saved[name] = (target / name, hashlib.sha256(data).hexdigest())
        text = json.dumps({name: sha for name, (_, sha) in saved.items()}, sort_keys=True)
        self._db.execute("INSERT OR REPLACE INTO photos VALUES (?, ?, ?)", (key, text, zlib.crc32(text.encode())))
        return saved

    def prune_photos(self, keep: set[str]) -> None:
        """Forget the copies of every photo not in `keep` (keys of photos still in static/)."""
        stale = [(key,) for (key,) in self._db.execute("SELECT key FROM photos") if key not in keep]
        self._db.executemany("DELETE FROM photos WHERE key = ?", stale)
        folder = self.photo_folder
        if folder is None or not folder.is_dir():
            return
        for shard in folder.iterdir():
            for entry in (shard.iterdir() if shard.is_dir() else ()):
                if entry.name not in keep:
                    shutil.rmtree(entry, ignore_errors=True)

    # -- manifest -------------------------------------------------------------
    def manifest(self, out_dir: Path) -> dict[str, ManifestEntry]:
        rows = self._db.execute("SELECT path, key, sha, size, mtime_ns, inode FROM outputs WHERE out = ?",
                                (_out_key(out_dir),))
        make = ManifestEntry._make
        return {row[0]: make(row[1:]) for row in rows}

    def save_manifest(self, out_dir: Path, entries: dict[str, ManifestEntry],
                      previous: dict[str, ManifestEntry] | None = None) -> None:
        """Record the manifest of out_dir; with `previous` (what `manifest` returned
        this build) only the rows that changed are written."""
        out = _out_key(out_dir)
        if previous is None:
            self._db.execute("DELETE FROM outputs WHERE out = ?", (out,))
            previous = {}
        self._db.executemany("DELETE FROM outputs WHERE out = ? AND path = ?",
                             ((out, path) for path in sorted(previous.keys() - entries.keys())))
        # A file carried over keeps the very entry it had (`is`): the cheap test first.
        changed = [(path, e) for path, e in entries.items()
                   if (old := previous.get(path)) is not e and old != e]
        self._db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                             ((out, path, *e) for path, e in sorted(changed)))

    def spare_changes(self, spare_dir: Path) -> dict[str, ManifestEntry | None] | None:
        """How the spare folder differs from the published site: path -> its entry
        there (None: not there); None when nothing is recorded or the row is damaged."""
        text = self.get_checked_meta("spare-changes:" + _out_key(spare_dir))
        if not text:
            return None
        try:
            return {path: ManifestEntry(*entry) if entry is not None else None
                    for path, entry in json.loads(text).items()}
        except (ValueError, TypeError):
            return None

    def save_spare_changes(self, spare_dir: Path, changes: dict[str, ManifestEntry | None] | None) -> None:
        name = "spare-changes:" + _out_key(spare_dir)
        if changes is None:
            self.set_meta(name, "")
        else:
            self.set_checked_meta(name, json.dumps(changes, sort_keys=True))

    def published(self, out_dir: Path) -> PublishedSite | None:
        """What the last build published in out_dir; None when unknown (or the row is damaged)."""
        out = _out_key(out_dir)
        if out not in self._published:
            self._published[out] = self._read_published(out)
        return self._published[out]

    def _read_published(self, out: str) -> PublishedSite | None:
        row = self._db.execute("SELECT data, crc FROM published WHERE out = ?", (out,)).fetchone()
        if row is None or zlib.crc32(row[0]) != row[1]:
            return None
        try:
            version, files, folders = marshal.loads(zlib.decompress(row[0]))
        except (ValueError, EOFError, TypeError, zlib.error):
            return None
        return PublishedSite(files, folders) if version == _MARSHAL_TAG else None

    def save_published(self, out_dir: Path, site: PublishedSite | None) -> None:
        out = _out_key(out_dir)
        self._published[out] = site
        if site is None:
            self._db.execute("DELETE FROM published WHERE out = ?", (out,))
            return
        data = zlib.compress(marshal.dumps((_MARSHAL_TAG, site.files, site.folders)), 1)
        self._db.execute("INSERT OR REPLACE INTO published VALUES (?, ?, ?)", (out, data, zlib.crc32(data)))

    def plan(self, out_dir: Path):
        """The plan the last build into out_dir kept (kept_plan.KeptPlan); None
        when there is none, or the row is damaged or another version's."""
        row = self._db.execute("SELECT data, crc FROM plans WHERE out = ?", (_out_key(out_dir),)).fetchone()
        if row is None or zlib.crc32(row[0]) != row[1]:
            return None
        try:
            return pickle.loads(zlib.decompress(row[0]))
        except Exception:  # noqa: BLE001 - a blob this code did not write: plan everything
            return None

    def save_plan(self, out_dir: Path, plan) -> None:
        out = _out_key(out_dir)
        if plan is None:
            self._db.execute("DELETE FROM plans WHERE out = ?", (out,))
            return
        data = zlib.compress(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL), 1)
        self._db.execute("INSERT OR REPLACE INTO plans VALUES (?, ?, ?)", (out, data, zlib.crc32(data)))

    def get_meta(self, name: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else ""

    def set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def get_checked_meta(self, name: str) -> str:
        """A value stored with `set_checked_meta`; "" when absent or damaged
        (its CRC, like every cached value's, no longer matches)."""
        crc, _, value = self.get_meta(name).partition("\n")
        return value if crc == str(zlib.crc32(value.encode("utf-8", "surrogatepass"))) else ""

    def set_checked_meta(self, name: str, value: str) -> None:
        self.set_meta(name, f"{zlib.crc32(value.encode('utf-8', 'surrogatepass'))}\n{value}")

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        self._db.commit()
        self._db.close()
        if self.path is not None:
            _record_closed(self.path)


# marshal's format may change between Python versions: a blob another one
# wrote is not read (the build then checks the site the slow way).
_MARSHAL_TAG = f"{marshal.version}:{sys.version_info[0]}.{sys.version_info[1]}"


# Beside the cache: the stat of the cache file as the last build closed it.
# `PRAGMA quick_check` reads the whole file (0.1 s per 100 MB, and a cache at
# 100,000 articles is over 1 GB), so it runs only when the file is not as we
# left it: damaged, truncated, restored or written by something else.
CLOSED_SUFFIX = "-closed"


def _file_identity(path: Path) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


def _closed_as_left(path: Path) -> bool:
    if os.path.exists(str(path) + "-journal"):
        return False    # a transaction was cut short: SQLite rolls it back, and the file is checked
    try:
        recorded = Path(str(path) + CLOSED_SUFFIX).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    identity = _file_identity(path)
    return bool(identity) and recorded == identity


def _record_closed(path: Path) -> None:
    marker = Path(str(path) + CLOSED_SUFFIX)
    try:
        marker.write_text(_file_identity(path), encoding="ascii")
    except OSError:
        marker.unlink(missing_ok=True)


def _out_key(out_dir: Path) -> str:
    return os.path.realpath(out_dir)


def open_store(cache_dir: Path, enabled: bool) -> Store:
    """The cache store. `enabled=False` (`--no-cache`) throws the old cache away
    first, so the build is cold and leaves a fresh cache behind."""
    path = cache_dir / CACHE_FILE
    if not enabled:
        for suffix in ("", "-journal", "-wal", "-shm", CLOSED_SUFFIX):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(cache_dir / PHOTO_FOLDER, ignore_errors=True)
        shutil.rmtree(cache_dir / TEMPLATE_FOLDER, ignore_errors=True)
    return Store(path)
