"""Small pieces every admin module of the newsroom uses: thumbnails, times, link fields."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models
from django.utils import dateformat, timezone
from django.utils.html import format_html

from ..models import Image

THUMBNAIL_WIDTH = 48
COMMENT_FIELDS = ("comments", "comments_close_after_days", "comment_max_length", "comments_require_account")


class PlainURLInput(forms.URLInput):
    """An address box without the admin's "Currently: <link> Change:" lines, which crowd inline rows."""

    def __init__(self, attrs=None):
        super().__init__({"class": "vURLField", **(attrs or {})})


# An address pasted without its scheme is far more likely to be https than http.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https", "widget": PlainURLInput}}


def image_thumbnail(image: Image | None, width: int = THUMBNAIL_WIDTH):
    """A small rendition of ``image`` with its alt text, or a dash when there is none."""
    if image is None or not image.file:
        return "—"
    height = round(width * image.height / image.width) if image.width else width
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy" class="dateline-thumbnail">',
        # Twice the displayed width keeps the thumbnail sharp on high-density screens.
        image.best_url(width * 2),
        image.alt_text,
        width,
        height,
    )


def newsroom_time(moment):
    """A timestamp in the newsroom's own zone, whatever zone the editor's browser is in."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    # Day and time wrap as two units, never mid-date, in narrow list columns.
    return format_html(
        '<span class="dateline-nowrap">{}</span> <span class="dateline-nowrap">{}</span>',
        dateformat.format(local, "j M Y,"),
        dateformat.format(local, "H:i T"),
    )


def story_choice_label(story) -> str:
    """How a story is named where an editor picks one: title, kind and day, and its state until it is public.

    A related link to a draft or a scheduled story is kept but shown to readers only once that story is
    out; saying so in the pick list spares the editor a link that seems to vanish.
    """
    parts = [story.title or story.slug, story.get_kind_display(), dateformat.format(story.date, "j M Y")]
    if not story.is_published:
        parts.append(f"{story.get_status_display().lower()}, not yet public")
    return " · ".join(parts)


def is_changelist(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_changelist"))


def without_delete_and_view_links(formfield):
    """Keep the add and edit links next to a related field, drop delete and view.

    Deleting an outlet or another article from inside a story's form is never what an editor means to do.
    """
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget.can_delete_related = False
        widget.can_view_related = False
    return formfield


def int_or_none(value) -> int | None:
    """A number typed into an address or a form, or None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
