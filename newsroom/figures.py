"""Library figures inside an article body.

A body stores ``<figure data-image="42"></figure>`` and nothing else of a picture, so a caption or
credit corrected in the library shows everywhere the picture is used. All the figures of a body are
read in one query, however many there are.
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .models import Image
from .sanitize import STORED_FIGURE, body_image_ids


def body_images(body: str) -> dict[int, Image]:
    """The library images a cleaned body shows, by id, from one query (none when it shows none)."""
    ids = body_image_ids(body)
    if not ids:
        return {}
    return Image.objects.in_bulk(ids)


def expand_figures(body: str, images: dict[int, Image]) -> SafeString:
    """``body`` (already cleaned by ``clean_body``) with each figure rendered; a deleted image leaves no trace."""

    def figure(match: re.Match) -> str:
        image = images.get(int(match[1]))
        if image is None or not image.file:
            return ""
        return render_to_string("includes/body_figure.html", {"image": image}).strip()

    return mark_safe(STORED_FIGURE.sub(figure, body or ""))


# A link in a cleaned body: nh3 writes attributes double-quoted and escapes the text.
BODY_LINK = re.compile(r'<a ([^>]*?)href="(https?://[^"]+)"([^>]*)>([^<]*)</a>')


def _bare(address: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", address).rstrip("/").lower()


def mark_bare_links(body: str) -> str:
    """Mark links whose text is their own address, so print.css does not print the address twice."""

    def mark(match: re.Match) -> str:
        before, href, after, text = match.groups()
        if "class=" in before + after or _bare(text.strip()) != _bare(href):
            return match[0]
        return f'<a {before}href="{href}"{after} class="bare-url">{text}</a>'

    return BODY_LINK.sub(mark, body)


def render_body(body: str) -> SafeString:
    """The public rendering of a stored (cleaned) article body."""
    return expand_figures(mark_bare_links(body or ""), body_images(body))
