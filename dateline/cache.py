"""Incremental state in `.dateline-cache/cache.sqlite`.

- `markup`: rendered article bodies, content-addressed by `markup.body_key`
  (a hash of the body, its path and the renderer version), each row with a
  CRC so a damaged value is detected and re-rendered, never published.
- `outputs`: the manifest of the last published site: per output file the key
  of its inputs, the digest of its bytes and the file's identity on disk
  (size, mtime, inode). A page whose key is unchanged and whose file is still
  the one we wrote is linked into the next site instead of re-rendered.

The cache is a pure optimisation: any error reading it (a truncated or
corrupted file, another version's schema) discards it and the build runs cold.
"""
from __future__ import annotations

import json
import os
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = "6"
CACHE_FILE = "cache.sqlite"


@dataclass(frozen=True)
class ManifestEntry:
    key: str
    sha: str
    size: int
    mtime_ns: int
    inode: int


class CacheError(Exception):
    pass


class Store:
    """The markup store and the output manifest, in one SQLite file."""

    def __init__(self, path: Path | None):
        self.path = path
        self.discarded = False
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
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CacheError("quick_check")
            return db
        except (sqlite3.DatabaseError, CacheError):
            try:
                db.close()
            except Exception:  # noqa: BLE001 - closing a broken handle
                pass
            self.discarded = path.exists()
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            db = sqlite3.connect(path)
            self._create(db)
            return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS articles (path TEXT PRIMARY KEY, digest TEXT NOT NULL,
                                                 article BLOB NOT NULL, crc INTEGER NOT NULL);
            -- links before html: reading the links of every row must not walk each
            -- row's html overflow pages
            CREATE TABLE IF NOT EXISTS markup (key TEXT PRIMARY KEY, links TEXT NOT NULL,
                                               crc INTEGER NOT NULL, html TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outputs (out TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,
                                                sha TEXT NOT NULL, size INTEGER NOT NULL,
                                                mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
                                                PRIMARY KEY (out, path));
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.commit()

    # -- parsed articles ----------------------------------------------------------
    def parsed_articles(self) -> dict[str, tuple[str, bytes]]:
        """path -> (digest of the file's bytes and the parse settings, pickled Article).
        Rows whose CRC does not match their bytes are left out: the file is parsed again."""
        return {path: (digest, blob) for path, digest, blob, crc in
                self._db.execute("SELECT path, digest, article, crc FROM articles") if zlib.crc32(blob) == crc}

    def put_parsed(self, rows) -> None:
        """rows: iterable of (path, digest, pickled Article)."""
        self._db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
                             ((path, digest, blob, zlib.crc32(blob)) for path, digest, blob in rows))

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

    def put_markup(self, rows) -> None:
        """rows: iterable of (key, html, links)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO markup (key, html, links, crc) VALUES (?, ?, ?, ?)",
            ((key, html, json.dumps(list(links)), zlib.crc32(html.encode("utf-8", "surrogatepass")))
             for key, html, links in rows))

    def prune_markup(self, keep: set[str]) -> None:
        stale = [(key,) for key in self.markup_keys() - keep]
        self._db.executemany("DELETE FROM markup WHERE key = ?", stale)

    # -- manifest -------------------------------------------------------------
    def manifest(self, out_dir: Path) -> dict[str, ManifestEntry]:
        rows = self._db.execute("SELECT path, key, sha, size, mtime_ns, inode FROM outputs WHERE out = ?",
                                (_out_key(out_dir),))
        return {path: ManifestEntry(key, sha, size, mtime, inode) for path, key, sha, size, mtime, inode in rows}

    def save_manifest(self, out_dir: Path, entries: dict[str, ManifestEntry],
                      previous: dict[str, ManifestEntry] | None = None) -> None:
        """Record the manifest of out_dir; with `previous` (what `manifest` returned
        this build) only the rows that changed are written."""
        out = _out_key(out_dir)
        if previous is None:
            self._db.execute("DELETE FROM outputs WHERE out = ?", (out,))
            previous = {}
        self._db.executemany("DELETE FROM outputs WHERE out = ? AND path = ?",
                             ((out, path) for path in sorted(set(previous) - set(entries))))
        self._db.executemany(
            "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((out, path, e.key, e.sha, e.size, e.mtime_ns, e.inode) for path, e in sorted(entries.items())
             if previous.get(path) != e))

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


def _out_key(out_dir: Path) -> str:
    return os.path.realpath(out_dir)


def open_store(cache_dir: Path, enabled: bool) -> Store:
    """The cache store. `enabled=False` (`--no-cache`) throws the old cache away
    first, so the build is cold and leaves a fresh cache behind."""
    path = cache_dir / CACHE_FILE
    if not enabled:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return Store(path)
