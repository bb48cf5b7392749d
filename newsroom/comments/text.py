"""Readers' comments are plain text. This turns them into safe HTML: escaped, in paragraphs, links made.

Nothing a reader typed is ever emitted as markup: every piece passes through
``html.escape`` (quotes included), and only addresses that begin with http(s):// or
www. become links, so ``javascript:`` and ``data:`` can never reach an href.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from django.utils.safestring import SafeString, mark_safe

LINK_REL = "nofollow ugc noopener"
WEB_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
# Bare domains with a path ("bit.ly/x") are not linked, but spammers use them, so the link rule counts them.
COUNTABLE_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>\"'`]*", re.IGNORECASE
)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
TRAILING_PUNCTUATION = ".,;:!?'\""
# Direction overrides can make a name or a link read differently from what it is.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def clean_single_line(text: str) -> str:
    """For names: no control or direction-override characters, single spaces."""
    text = (text or "").translate(BIDI_CONTROLS)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def count_links(text: str) -> int:
    return len(COUNTABLE_LINK.findall(unicodedata.normalize("NFKC", text or "")))


def _split_address(candidate: str) -> tuple[str, str]:
    """Leave sentence punctuation and an unmatched closing bracket outside the link."""
    trailing = ""
    while candidate:
        last = candidate[-1]
        unmatched_bracket = last == ")" and candidate.count(")") > candidate.count("(")
        if last not in TRAILING_PUNCTUATION and not unmatched_bracket:
            break
        trailing = last + trailing
        candidate = candidate[:-1]
    return candidate, trailing


def linkify(text: str) -> SafeString:
    parts: list[str] = []
    position = 0
    for match in WEB_ADDRESS.finditer(text):
        address, trailing = _split_address(match.group(0))
        if address.lower() in ("www.", "http://", "https://") or not address:
            continue
        href = address if address.lower().startswith(("http://", "https://")) else f"https://{address}"
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<a href="{escape(href)}" rel="{LINK_REL}">{escape(address)}</a>')
        parts.append(escape(trailing))
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def render_body(text: str) -> SafeString:
    paragraphs = [p.strip("\n") for p in PARAGRAPH_BREAK.split(normalise_newlines(text).strip())]
    html = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        lines = [linkify(line) for line in paragraph.split("\n")]
        html.append(f'<p dir="auto">{"<br>".join(lines)}</p>')
    return mark_safe("".join(html))
