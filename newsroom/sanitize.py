"""HTML that editors type is cleaned before it is stored and before it is shown.

nh3 (the Ammonia sanitizer) keeps a small allow-list of tags and attributes and
drops everything else, including scripts, event handlers and javascript: URLs.

The allow-list is the rich-text editor's schema (``newsroom/admin/editor.py`` and
``static/js/admin/editor.js``): paragraphs, h2 and h3, bold, italic, links, lists,
block quotes, line breaks and library figures. Whatever the editor can make is kept
as it is, and whatever is kept opens in the editor unchanged. Older markup the editor
has no button for is mapped onto its nearest equivalent (``<b>`` to ``<strong>``,
``<h4>`` to ``<h3>``...) rather than silently losing its emphasis or heading.
"""

import html
import re

import nh3
from django.utils.html import strip_tags

BODY_TAGS = {"p", "br", "h2", "h3", "blockquote", "ul", "ol", "li", "strong", "em", "a", "figure"}
INLINE_TAGS = {"a", "em", "strong"}
ATTRIBUTES = {"a": {"href", "title"}, "figure": {"data-image"}}
URL_SCHEMES = {"http", "https", "mailto"}
# What a link may point at: an absolute web address or an e-mail address. A relative address would
# change meaning between the site, its feeds and its Markdown and static exports.
LINK_PREFIXES = ("http://", "https://", "mailto:")

# Older or pasted markup read before the final allow-list, and what each tag becomes.
_LEGACY_TAGS = {"b": "strong", "i": "em", "h1": "h2", "h4": "h3", "h5": "h3", "h6": "h3", "figcaption": "p"}
_READ_TAGS = BODY_TAGS | set(_LEGACY_TAGS)
_RENAME = re.compile(r"<(/?)(b|i|h1|h4|h5|h6|figcaption)>")
# A library figure carries nothing but the image's id; its picture, caption and credit come from the library.
_LIBRARY_FIGURE = re.compile(r'<figure data-image="(\d+)">.*?</figure>', re.DOTALL)
_OTHER_FIGURE = re.compile(r"</?figure>")
_FIGURE_TOKEN = re.compile(r"\x00(\d+)\x00")
# A link whose address was refused keeps its words.
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
# Empty paragraphs are gaps left by Enter pressed twice, not content.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
# One block per line, whatever spacing the editor or an older body had between blocks.
_BLOCKS = "p|h2|h3|ul|ol|blockquote|figure"
_BETWEEN_BLOCKS = re.compile(rf"(</(?:{_BLOCKS})>)\s*(?=<(?:{_BLOCKS})[\s>])")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_PREFIXES) else None
    if tag == "figure" and attribute == "data-image":
        return value if value.isascii() and value.isdigit() and len(value) < 19 else None
    return value


def _sanitize(value: str, tags: set[str]) -> str:
    return nh3.clean(
        value,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


def _normalise(value: str) -> str:
    value = _RENAME.sub(lambda m: f"<{m[1]}{_LEGACY_TAGS[m[2]]}>", value)
    value = _LIBRARY_FIGURE.sub(lambda m: f"\x00{m[1]}\x00", value)
    value = _OTHER_FIGURE.sub("", value)
    value = _FIGURE_TOKEN.sub(lambda m: f'<figure data-image="{m[1]}"></figure>', value)
    return _LINK_WITHOUT_HREF.sub(r"\1", value)


def clean_body(value: str) -> str:
    """An article body as stored and shown: the editor's schema, one block per line."""
    first = _sanitize((value or "").replace("\x00", ""), _READ_TAGS)
    cleaned = _EMPTY_PARAGRAPH.sub("", _sanitize(_normalise(first), BODY_TAGS)).strip()
    return _BETWEEN_BLOCKS.sub("\\1\n", cleaned)


def clean_inline(value: str) -> str:
    """A one-sentence summary: bold, italic and links, no blocks."""
    first = _sanitize((value or "").replace("\x00", ""), INLINE_TAGS | {"b", "i"})
    return _sanitize(_normalise(first), INLINE_TAGS).strip()


# A library figure in a cleaned body, exactly as clean_body writes it.
STORED_FIGURE = re.compile(r'<figure data-image="(\d+)"></figure>')


def body_image_ids(value: str) -> list[int]:
    """Ids of the library images a cleaned body shows, in order of appearance, without repeats."""
    return list(dict.fromkeys(int(match) for match in STORED_FIGURE.findall(value or "")))


def plain_text(value: str) -> str:
    """Text with every tag removed and entities decoded, for titles and feeds."""
    return " ".join(html.unescape(strip_tags(value or "")).split())
