"""HTML that editors type is cleaned before it is stored and before it is shown.

nh3 (the Ammonia sanitizer) keeps a small allow-list of tags and attributes and
drops everything else, including scripts, event handlers and javascript: URLs.
"""

import html

import nh3
from django.utils.html import strip_tags

BODY_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "figure",
    "figcaption",
    "hr",
    "sub",
    "sup",
    "code",
    "pre",
    "abbr",
    "cite",
    "q",
}
INLINE_TAGS = {"a", "em", "strong", "i", "b", "abbr", "cite", "q", "sub", "sup"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_body(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=BODY_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    ).strip()


def clean_inline(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=INLINE_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    ).strip()


def plain_text(value: str) -> str:
    """Text with every tag removed and entities decoded, for titles and feeds."""
    return " ".join(html.unescape(strip_tags(value or "")).split())
