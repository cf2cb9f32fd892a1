"""Pagefind's bundle files made byte-reproducible, and the empty primary index.

Pagefind 1.5 keeps filters in hash maps: the values of each filter, and the
list of filters in the metadata index, come out in a different order on every
run over the same pages, and those files are named by a hash of their bytes,
which the metadata index and the entry file then name. Everything else it
writes (word index, fragments, page order for pages added in one order) is
stable. `reproducible_bundle` sorts what was unordered and renames the files
after their new bytes, so one set of pages always gives one set of bytes.

Those files are gzip'd: a 12-byte signature, then CBOR (arrays, text, byte
strings and unsigned integers; nothing else appears in them). The codec here
covers exactly that and re-encodes a decoded file to the same bytes.
"""
from __future__ import annotations

import gzip
import hashlib
import json

from .pagefind_cli import SearchError

SIGNATURE = b"pagefind_dcd"


class BundleError(SearchError):
    """A Pagefind file that is not what this Pagefind version writes."""


def decode(data: bytes):
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as error:
        raise BundleError(f"not gzip: {error}") from None
    if not raw.startswith(SIGNATURE):
        raise BundleError("no Pagefind signature")
    value, end = _decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise BundleError("trailing bytes")
    return value


def encode(value) -> bytes:
    body = gzip.compress(SIGNATURE + _encode(value), compresslevel=9, mtime=0)
    return body[:9] + b"\xff" + body[10:]     # OS "unknown", as Pagefind writes it


def _decode(raw: bytes, at: int):
    try:
        head = raw[at]
    except IndexError:
        raise BundleError("truncated") from None
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        length = info
    elif info <= 27:
        size = 1 << (info - 24)
        length = int.from_bytes(raw[at:at + size], "big")
        at += size
    else:
        raise BundleError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return length, at
    if major == 2:
        return bytes(raw[at:at + length]), at + length
    if major == 3:
        return raw[at:at + length].decode("utf-8"), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(raw, at)
            items.append(item)
        return items, at
    raise BundleError(f"unsupported CBOR type {major}")


def _head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise BundleError("number too large")


def _encode(value) -> bytes:
    if isinstance(value, bool):
        raise BundleError("booleans do not occur in Pagefind files")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    raise BundleError(f"cannot encode {type(value).__name__}")


def _name(language: str, data: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def reproducible_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle `files` (path -> bytes) with its filter and metadata indexes in sorted order.

    The metadata index is [version, pages, word-index chunks, filters, sorts,
    meta field names]; a filter file is [name, [[value, [page numbers]], ...]]."""
    try:
        return _reproducible_bundle(dict(files))
    except (KeyError, ValueError, TypeError, IndexError, BundleError) as error:
        raise BundleError(f"search: Pagefind's bundle is not in the expected format ({error!r}); "
                          f"is pagefind-bin the version pyproject.toml pins?") from None


def _reproducible_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    entry = json.loads(files["pagefind-entry.json"])
    for language, info in sorted(entry["languages"].items()):
        meta = decode(files.pop(f"pagefind.{info['hash']}.pf_meta"))
        filters = []
        for filter_name, old in sorted(meta[3]):
            name, values = decode(files.pop(f"filter/{old}.pf_filter"))
            data = encode([name, sorted(values, key=lambda value: value[0])])
            new = _name(language, data, 7)
            files[f"filter/{new}.pf_filter"] = data
            filters.append([filter_name, new])
        meta[3] = filters
        meta[4] = sorted(meta[4], key=lambda sort: sort[0])
        data = encode(meta)
        info["hash"] = _name(language, data, 10)
        files[f"pagefind.{info['hash']}.pf_meta"] = data
    files["pagefind-entry.json"] = entry_bytes(entry)
    return files


def entry_bytes(entry: dict) -> bytes:
    """An entry file as Pagefind writes it (compact JSON, keys in its order)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def empty_index(version: str, languages: dict[str, str], include_characters: list[str]) -> dict[str, bytes]:
    """The entry file and metadata indexes of a bundle with no pages.

    It is the primary index of the search page: Pagefind's UI loads its
    script, web worker and WebAssembly from the primary bundle and merges
    every shard into it, so the shards carry only their own index files.
    `languages`: language -> the WebAssembly module Pagefind uses for it."""
    files = {}
    entry = {"version": version, "languages": {}, "include_characters": include_characters}
    for language, wasm in sorted(languages.items()):
        data = encode([version, [], [], [], [], []])
        name = _name(language, data, 10)
        files[f"pagefind.{name}.pf_meta"] = data
        entry["languages"][language] = {"hash": name, "wasm": wasm, "page_count": 0}
    files["pagefind-entry.json"] = entry_bytes(entry)
    return files
