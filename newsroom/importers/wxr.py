"""Streaming a WordPress export (WXR) one record at a time, with the line each record starts on.

expat reads the file in chunks; only the record being read (an author, a category, a tag or an item)
is ever held as a tree, so a file of any size costs the memory of its largest post. Document type
declarations are refused: an export has none, and entities are how XML files are made to explode.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

CHUNK = 64 * 1024
RECORDS = {"item", "wp:author", "wp:category", "wp:tag", "wp:term"}
PREFIXES = (
    ("wordpress.org/export/1.2/excerpt", "excerpt"),
    ("wordpress.org/export/1.1/excerpt", "excerpt"),
    ("wordpress.org/export/1.0/excerpt", "excerpt"),
    ("wordpress.org/export", "wp"),
    ("purl.org/rss/1.0/modules/content", "content"),
    ("purl.org/dc/elements", "dc"),
    ("wellformedweb.org", "wfw"),
)


class WxrError(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass
class Record:
    tag: str
    line: int
    element: Element

    def text(self, name: str, default: str = "") -> str:
        found = self.element.find(name)
        return (found.text or "") if found is not None else default


def _name(raw: str) -> str:
    if "}" not in raw:
        return raw
    uri, local = raw.rsplit("}", 1)
    for marker, prefix in PREFIXES:
        if marker in uri:
            return f"{prefix}:{local}"
    return local


def records(stream: BinaryIO) -> Iterator[Record]:
    """Yield each author, category, tag and item of the channel, in file order."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    ready: list[Record] = []
    state = {"depth": 0, "builder": None, "start": 0, "tag": ""}

    def refuse_doctype(*args):
        ready.clear()
        raise WxrError(parser.CurrentLineNumber, "the file declares a document type; a WordPress export has none")

    def start(raw, attrs):
        name = _name(raw)
        state["depth"] += 1
        builder = state["builder"]
        if builder is None and state["depth"] == 3 and name in RECORDS:
            builder = state["builder"] = TreeBuilder()
            state["start"], state["tag"] = parser.CurrentLineNumber, name
        if builder is not None:
            builder.start(name, {_name(key): value for key, value in attrs.items()})

    def end(raw):
        builder = state["builder"]
        if builder is not None:
            builder.end(_name(raw))
            if state["depth"] == 3:
                ready.append(Record(state["tag"], state["start"], builder.close()))
                state["builder"] = None
        state["depth"] -= 1

    def data(text):
        if state["builder"] is not None:
            state["builder"].data(text)

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.buffer_text = True
    while True:
        chunk = stream.read(CHUNK)
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as error:
            # What was complete before the break is still good.
            yield from ready
            raise WxrError(error.lineno, f"the XML is broken here ({expat.errors.messages[error.code]})") from None
        yield from ready
        ready.clear()
        if not chunk:
            return
