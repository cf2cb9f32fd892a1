"""XML from another system, read safely and as a stream.

An export or feed could be hostile: an entity that expands a billion times
("billion laughs") or an external entity that reads a local file or a URL.
defusedxml's parser refuses any entity declaration and any external reference,
so such a file is refused with a clear reason, never expanded. The element
stream is read line by line, so every element carries the line it started on
and memory holds only what the caller has not cleared yet.
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

_HINT = "a real export or feed declares no entities; export it again"


class XmlRefused(Exception):
    """The file is not well-formed XML, or declares what a safe reader refuses."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Event:
    kind: str                      # "start" | "end"
    element: ElementTree.Element
    line: int                      # where the element's start tag is


def _safe_parser() -> DefusedXMLParser:
    return DefusedXMLParser(target=ElementTree.TreeBuilder(), forbid_dtd=False, forbid_entities=True,
                            forbid_external=True)


def stream_xml(path: Path) -> Iterator[Event]:
    """Start and end events of a file's elements; raises XmlRefused."""
    parser = _safe_parser()
    pull = ElementTree.XMLPullParser(events=("start", "end"), _parser=parser)
    start_lines: dict[int, int] = {}
    line = 1
    try:
        with open(path, "rb") as file:
            for line, raw in enumerate(file, start=1):
                pull.feed(raw)
                for kind, element in pull.read_events():
                    if kind == "start":
                        start_lines[id(element)] = line
                        yield Event(kind, element, line)
                    else:
                        yield Event(kind, element, start_lines.pop(id(element), line))
            pull.close()
            for kind, element in pull.read_events():
                yield Event(kind, element, start_lines.pop(id(element), line))
    except DefusedXmlException as error:
        raise XmlRefused(line, refusal(error), _HINT) from None
    except ElementTree.ParseError as error:
        raise XmlRefused(error.position[0], f"not well-formed XML: {error}") from None


def check_xml_is_safe(data: bytes) -> None:
    """Raise XmlRefused when the document declares entities or external references.

    Only hostility is checked: a feed that is not well-formed is left to the
    lenient feed parser.
    """
    parser = _safe_parser()
    try:
        parser.feed(data)
        parser.close()
    except DefusedXmlException as error:
        raise XmlRefused(parser.parser.CurrentLineNumber, refusal(error), _HINT) from None
    except ElementTree.ParseError:
        return


def refusal(error: DefusedXmlException) -> str:
    name = getattr(error, "name", None)
    kind = type(error).__name__
    if kind == "EntitiesForbidden":
        return (f"refused: the file declares the entity {name!r} "
                "(entities are how XML bombs and external-file reads work)")
    if kind == "ExternalReferenceForbidden":
        target = getattr(error, "sysid", None) or getattr(error, "pubid", None) or "?"
        return f"refused: the file refers to the external resource {target!r}"
    return f"refused: {kind}"


def local_name(tag: str) -> str:
    """"{http://wordpress.org/export/1.2/}post_id" -> "wp:post_id"; known namespaces get their usual prefix."""
    if not tag.startswith("{"):
        return tag
    namespace, _, name = tag[1:].partition("}")
    if namespace.startswith("http://wordpress.org/export/"):
        return ("excerpt:" if namespace.rstrip("/").endswith("excerpt") else "wp:") + name
    prefix = _PREFIXES.get(namespace)
    return f"{prefix}:{name}" if prefix else name


_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
