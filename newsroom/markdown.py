"""Markdown twins of story and day pages, in the layout current-events archives are mirrored in.

Everything an editor typed goes through ``escape`` or the small HTML converter
below, so a summary can carry *emphasis* and [links](https://example.org) but
can never open a heading, a list, an image, raw HTML or a link of its own making.
The converter only understands the tags ``sanitize.py`` lets through; anything
else is reduced to its text.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from .figures import body_images

# Characters that start Markdown syntax anywhere in a line. '!' is handled
# separately so ordinary exclamations stay readable.
_ALWAYS = re.compile(r"([\\`*_\[\]<>|~&#])")
# Characters that only mean something at the start of a line.
_LINE_START = re.compile(r"^([ \t]*)([-+=>])")
_ORDERED = re.compile(r"^([ \t]*\d+)([.)])")
_WHITESPACE = re.compile(r"\s+")
_TRAILING_BREAKS = re.compile(r"(\\\n\s*)+$")

INDEX_NAME = "index"

# The library images of the body being converted, by id: a body's figure stores only the id.
_FIGURE_IMAGES: ContextVar[dict | None] = ContextVar("figure_images", default=None)


def escape(text: str) -> str:
    """Plain text as Markdown that renders back to exactly that text, on one line."""
    text = _WHITESPACE.sub(" ", text or "").strip()
    return _escape_line_starts(_escape_inline(text))


def _escape_inline(text: str) -> str:
    text = _ALWAYS.sub(r"\\\1", text)
    # "!" followed by a link we write next would turn the link into an image.
    if text.endswith("!"):
        text = text[:-1] + "\\!"
    return text


def _escape_line_starts(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        line = _LINE_START.sub(r"\1\\\2", line)
        line = _ORDERED.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def link_target(url: str) -> str | None:
    """A URL safe inside ``[text](...)``, or None when it should not be a link at all."""
    url = (url or "").strip()
    if not url:
        return None
    if url.startswith("/"):
        allowed = True
    else:
        scheme = urlsplit(url).scheme.lower()
        allowed = scheme in {"http", "https", "mailto"}
    if not allowed:
        return None
    # Spaces and angle brackets would end the destination; parentheses are kept but escaped
    # so that an address like /wiki/Mercury_(planet) survives unchanged.
    target = quote(url, safe="/:?#@!$&'*+,;=%~-._[]()")
    return target.replace("(", "\\(").replace(")", "\\)")


def link(text: str, url: str) -> str:
    target = link_target(url)
    label = escape(text) or escape(url)
    return f"[{label}]({target})" if target else label


# --- Sanitized HTML to Markdown -------------------------------------------------------------

VOID_TAGS = {"br", "hr", "img", "wbr"}
BLOCK_TAGS = {"p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "hr", "pre", "figure", "figcaption"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    return builder.root


def _wrap(marker: str, inner: str) -> str:
    """Emphasis markers hug the text: spaces move outside, or CommonMark ignores them."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _inline(nodes: list[Node | str], *, in_link: bool = False) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape_inline(_WHITESPACE.sub(" ", node)))
            continue
        tag = node.tag
        if tag == "br":
            out.append("\\\n")
        elif tag in {"em", "i", "cite"}:
            out.append(_wrap("*", _inline(node.children, in_link=in_link)))
        elif tag in {"strong", "b"}:
            out.append(_wrap("**", _inline(node.children, in_link=in_link)))
        elif tag == "code":
            out.append(_code_span(_text(node)))
        elif tag == "q":
            out.append("\u201c" + _inline(node.children, in_link=in_link) + "\u201d")
        elif tag == "a" and not in_link:
            label = _inline(node.children, in_link=True).strip()
            target = link_target(node.attrs.get("href", ""))
            if target and label:
                out.append(f"[{label}]({target})")
            else:
                out.append(label)
        else:
            out.append(_inline(node.children, in_link=in_link))
    return "".join(out)


def _text(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text(child) for child in node.children)


def _code_span(text: str) -> str:
    text = _WHITESPACE.sub(" ", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _paragraph(nodes: list[Node | str]) -> str:
    # A line break at the very end of a paragraph would print as a stray backslash.
    text = _TRAILING_BREAKS.sub("", _inline(nodes))
    lines = [line.strip() for line in text.split("\n")]
    return _escape_line_starts("\n".join(lines)).strip()


def _blocks(nodes: list[Node | str]) -> list[str]:
    """Render a run of nodes as blocks; loose inline content becomes paragraphs."""
    blocks: list[str] = []
    pending: list[Node | str] = []

    def flush():
        if pending:
            text = _paragraph(pending)
            if text:
                blocks.append(text)
            pending.clear()

    for node in nodes:
        if isinstance(node, str) or node.tag not in BLOCK_TAGS:
            pending.append(node)
            continue
        flush()
        blocks.extend(_block(node))
    flush()
    return blocks


def _block(node: Node) -> list[str]:
    tag = node.tag
    if tag == "figure" and "data-image" in node.attrs:
        return _library_figure(node.attrs["data-image"])
    if tag == "p" or tag == "figcaption":
        text = _paragraph(node.children)
        if tag == "figcaption" and text:
            text = _wrap("*", text)
        return [text] if text else []
    if tag in {"h2", "h3", "h4"}:
        text = _escape_inline(_WHITESPACE.sub(" ", _text(node)).strip())
        level = int(tag[1])
        return [f"{'#' * level} {text}"] if text else []
    if tag == "hr":
        return ["---"]
    if tag == "blockquote":
        inner = "\n\n".join(_blocks(node.children))
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))] if inner else []
    if tag in {"ul", "ol"}:
        return [_list(node)] if node.children else []
    if tag == "pre":
        code = _text(node).strip("\n")
        longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
        fence = "`" * (longest + 1)
        return [f"{fence}\n{code}\n{fence}"]
    return _blocks(node.children)


def _library_figure(image_id: str) -> list[str]:
    """A library picture as a Markdown image with its caption and credit below, as the story page shows it."""
    image = (_FIGURE_IMAGES.get() or {}).get(int(image_id)) if image_id.isdigit() else None
    target = link_target(image.best_url()) if image is not None and image.file else None
    if target is None:
        return []
    lines = [f"![{escape(image.alt_text)}]({target})"]
    caption = " · ".join(
        part for part in (_wrap("*", escape(image.caption)) if image.caption else "", escape(image.credit_line)) if part
    )
    if caption:
        lines.append(caption)
    return ["\n".join(lines)]


def _list(node: Node) -> str:
    items = [child for child in node.children if isinstance(child, Node) and child.tag == "li"]
    lines: list[str] = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if node.tag == "ol" else "- "
        body = "\n\n".join(_blocks(item.children)) or ""
        indent = " " * len(marker)
        for index, line in enumerate(body.split("\n")):
            if index == 0:
                lines.append(marker + line)
            else:
                lines.append(indent + line if line else "")
    return "\n".join(lines)


def inline_html(html: str) -> str:
    """One line of sanitized inline HTML (an event summary) as Markdown."""
    text = _inline(parse(html).children).replace("\\\n", " ")
    return _escape_line_starts(_WHITESPACE.sub(" ", text).strip())


def body_html(html: str, images: dict | None = None) -> str:
    """A sanitized article body as Markdown blocks separated by blank lines.

    ``images`` are the library images its figures show, by id (see ``figures.body_images``).
    """
    token = _FIGURE_IMAGES.set(images or {})
    try:
        return "\n\n".join(_blocks(parse(html).children))
    finally:
        _FIGURE_IMAGES.reset(token)


# --- Addresses ------------------------------------------------------------------------------


def day_path(day: date) -> str:
    return f"/news/{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def day_url(day: date) -> str:
    return f"{day_path(day)}{INDEX_NAME}.md"


def story_url(story) -> str:
    """A story's twin; a story slugged 'index' keeps its HTML address, the name belongs to the day."""
    if story.slug == INDEX_NAME:
        return story.get_absolute_url()
    return f"{day_path(story.date)}{story.slug}.md"


# --- Documents ------------------------------------------------------------------------------


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))


def _related_line(item) -> str:
    target = item.url if item.story is None else story_url(item.story)
    line = link(item.label or item.title, target)
    if item.shared:
        names = ", ".join(escape(tag.name) for tag in item.shared)
        line += f" _Context: {names}_"
    return line


def story_document(story, related: list) -> str:
    """The Markdown file of one published story, ending with a newline."""
    parts = [f"### [{story.date:%Y-%m-%d}]({day_url(story.date)})"]
    if story.kind == "event":
        parts.append(f"# {inline_html(story.event.summary)}")
    else:
        article = story.article
        parts.append(f"# {escape(article.headline)}")
        if article.article_type != "news":
            parts.append(f"*{escape(article.get_article_type_display())}*")
        if article.standfirst:
            parts.append(escape(article.standfirst))
        byline = _byline(article)
        if byline:
            parts.append(byline)
        body = body_html(article.body, body_images(article.body))
        if body:
            parts.append(body)
    sources = [_source_line(source) for source in story.sources.all()]
    if sources:
        parts += ["### Source:", _numbered(sources)]
    if related:
        parts += ["### Related:", _numbered([_related_line(item) for item in related])]
    return "\n\n".join(parts) + "\n"


def _source_line(source) -> str:
    line = link(source.outlet.name, source.url)
    copy = getattr(source, "reader_archived_copy", "")
    if copy:
        line += f" (link gone; {link('archived copy', copy)})"
    return line


def _authors(article) -> str:
    names = [escape(line.author.name) for line in article.bylines.all()]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _byline(article) -> str:
    joined = _authors(article)
    if not joined:
        return "*" + escape(article.dateline.upper()) + "*" if article.dateline else ""
    text = f"By {joined}"
    if article.dateline:
        text += f", {escape(article.dateline.upper())}"
    return f"*{text}*"


def day_document(day: date, *, event_groups: list[dict], articles: list, previous_day, next_day) -> str:
    """The day's index: events by category, then articles, each linking to its own file."""
    parts = [f"# {day:%Y-%m-%d}", f"{day:%A} {day.day} {day:%B %Y}"]
    if event_groups:
        parts.append("## Events")
        for group in event_groups:
            parts.append(f"### {escape(group['label'])}")
            parts.append(
                "\n".join(
                    f"- {inline_html(story.event.summary)} ({link('details', story_url(story))})"
                    for story in group["events"]
                )
            )
    if articles:
        parts.append("## Articles")
        lines = []
        for story in articles:
            line = f"- {link(story.article.headline, story_url(story))}"
            authors = _authors(story.article)
            if authors:
                line += f", by {authors}"
            lines.append(line)
        parts.append("\n".join(lines))
    neighbours = []
    if previous_day:
        neighbours.append(f"Previous day: [{previous_day:%Y-%m-%d}]({day_url(previous_day)})")
    if next_day:
        neighbours.append(f"Next day: [{next_day:%Y-%m-%d}]({day_url(next_day)})")
    if neighbours:
        parts.append(" · ".join(neighbours))
    return "\n\n".join(parts) + "\n"
