"""Cache keys, derived from the values a file is made from.

A page is `template(context(inputs))`, rendered in an environment (the code
and the base URL). Its key is a digest of all three: the template's
fingerprint (its source, the templates it uses and the `site.X` settings they
read: `pages.template_fingerprints`), the environment, and every field of the
page's frozen inputs value (contexts.py). Nothing is picked by hand: a field
added to an inputs value is in the key from then on, and a value of a type
this module does not know how to key is an error, not a silent gap.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path, PurePath

from . import __version__
from .i18n import Words
from .model import Article


def digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the package's own source, so any code change invalidates cached outputs.
    Read once per process: several cache keys of every build start with it, and
    a running process keeps running the code it imported."""
    package = Path(__file__).parent
    hasher = hashlib.sha256(__version__.encode())
    for path in sorted(package.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


_PLAIN = frozenset((str, int, float, bool, type(None), datetime, date, timedelta))
_SEQUENCES = frozenset((tuple, list))


class Keys:
    """Derives the keys of one build's jobs.

    `article_digests`: source path -> digest of the file and the parse
    settings (the load stage's), which stands for the whole Article: an
    Article is a function of exactly those. An article without one is keyed
    by its repr.

    Each key's computation also notes the stories it met (`stories`: their
    source paths, in the order met): the pages to plan again when one of
    them changes (kept_plan.py)."""

    def __init__(self, base_url: str, templates: dict[str, str], article_digests: dict[str, str]):
        self.environment = digest(code_version(), base_url)
        self.templates = templates
        self.article_digests = article_digests
        self.stories: list[str] = []    # the stories the last key derived was made from
        self._fields: dict[type, tuple[str, ...]] = {}
        self._shared: dict[int, tuple[object, str, tuple[str, ...]]] = {}

    def page(self, template: str, inputs) -> str:
        return digest(self.environment, "page", template, self.templates.get(template, ""), self.text(inputs))

    def feed(self, plan) -> str:
        return digest(self.environment, "feed", self.text(plan))

    def text(self, value) -> str:
        self.stories = []
        return self._text(value)

    def _text(self, value) -> str:
        parts: list[str] = []
        names = self._fields.get(type(value))
        if names is not None:   # a page's own inputs: not shared with others, so not kept (see _write_other)
            parts.append(type(value).__name__ + "(")
            for name in names:
                self._write(getattr(value, name), parts)
                parts.append(",")
            parts.append(")")
        else:
            self._write(value, parts)
        return "".join(parts)

    def _write(self, value, out: list[str]) -> None:
        kind = type(value)
        if kind in _PLAIN:
            out.append(repr(value))
        elif kind is Article:
            self.stories.append(value.source)
            found = self.article_digests.get(value.source)
            out.append("A(" + (found if found is not None else digest(repr(value))) + ")")
        elif kind in _SEQUENCES:
            out.append("[")
            for item in value:
                self._write(item, out)
                out.append(",")
            out.append("]")
        else:
            self._write_other(value, kind, out)

    def _write_other(self, value, kind: type, out: list[str]) -> None:
        if kind is Words:
            out.append(f"W({value.tag},{value.digest})")
            return
        names = self._fields.get(kind)
        if names is None and dataclasses.is_dataclass(kind):
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
        if names is not None:
            # The same value (a language's PageSite, an author's profile, a
            # photo) is in thousands of pages' inputs: written out once.
            found = self._shared.get(id(value))
            if found is None:
                text = [kind.__name__, "("]
                met = len(self.stories)
                for name in names:
                    self._write(getattr(value, name), text)
                    text.append(",")
                text.append(")")
                # The value is kept too, so that its id stays its own.
                found = self._shared[id(value)] = (value, "".join(text), tuple(self.stories[met:]))
            else:
                self.stories.extend(found[2])
            out.append(found[1])
        elif isinstance(value, dict):
            out.append("{")
            for name in sorted(value):
                self._write(name, out)
                out.append(":")
                self._write(value[name], out)
                out.append(",")
            out.append("}")
        elif isinstance(value, (set, frozenset)):
            out.append("{" + ",".join(sorted(self._text(item) for item in value)) + "}")
        elif isinstance(value, PurePath):
            out.append(repr(value))
        else:
            raise TypeError(f"no cache key for a {kind.__name__}: teach keys.Keys how to key it")
