import html
from functools import cache

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()

LANGUAGE_NAMES = dict(settings.LANGUAGES)
NATIVE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "pt": "Português",
    "ar": "العربية",
    "zh-hans": "简体中文",
    "ja": "日本語",
    "ko": "한국어",
    "ru": "Русский",
}


@register.filter
def native_language(code: str) -> str:
    """A language named in itself, as readers of that language look for it."""
    return NATIVE_NAMES.get(code, LANGUAGE_NAMES.get(code, code))


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current address with only the page number changed, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def archive_url(day, period="day"):
    """``{{ story.date|archive_url }}``, ``{{ month|archive_url:"month" }}``: the archive page of a date."""
    from newsroom.models import archive_path

    if not day or period not in ("year", "month", "day"):
        return ""
    return archive_path(day, period)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% fixed_url "newsroom:home" %}``: ``{% url %}`` for a route with no arguments, worked out once.

    Every page's header and footer link the same dozen addresses; walking the URL resolver for each of them
    on every page cost more than some of the pages' own lists.
    """
    from django.urls import get_script_prefix

    from newsroom.models import address_format

    return address_format(name, get_script_prefix(), ()).format()


@register.filter
def tag_url(tag) -> str:
    """``{{ tag|tag_url }}``: a context's page, for lists that link many contexts (Related links up to thirty)."""
    from newsroom.models import slug_path

    return slug_path("newsroom:tag", tag.slug)


@cache
def _event_item_words(event_model, language: str | None) -> dict:
    """The words of an event's list item in ``language``: its categories, months and link, escaped."""
    with translation.override(language):
        return {
            "categories": {
                value: html.escape(gettext(str(label).replace("%", "%%")))
                for value, label in event_model._meta.get_field("category").flatchoices
            },
            "months": {month: str(MONTHS_3[month]).title() for month in range(1, 13)},
            "more": html.escape(gettext("Sources and related")),
        }


@register.simple_tag
def event_item_lines(story) -> str:
    """An event's two lines in a list of stories (includes/story_item.html): its category and day, its summary.

    Written out here rather than with template tags: most items of /news/ and of a context's page are events,
    and the tags of these two lines cost more than the rest of each item. The words are translated once per
    language and process (the catalogues do not change while it runs).
    """
    from newsroom.models import archive_path

    event, day = story.event, story.date
    words = _event_item_words(type(event), translation.get_language())
    category = words["categories"].get(event.category)
    if category is None:
        category = html.escape(gettext(str(event.get_category_display()).replace("%", "%%")))
    when = (
        f'<a href="{html.escape(archive_path(day))}"><time datetime="{day.year:04d}-{day.month:02d}-{day.day:02d}">'
        f"{day.day} {words['months'][day.month]} {day.year:04d}</time></a>"
        if day
        else '<a href=""><time datetime=""></time></a>'
    )
    more = f'<a class="item__more" href="{html.escape(story.get_absolute_url())}">{words["more"]}</a>'
    return mark_safe(
        f'<p class="item__meta"><span class="kicker">{category}</span> · {when}</p>\n'
        f'    <p class="item__summary">{event.summary} {more}</p>'
    )


@register.simple_tag
def byline_lines(lines, full=False) -> str:
    """``{% byline_lines article.bylines.all full=True %}``: "By A; B and C", each name linking to its author.

    ``lines`` are objects with ``author`` (``name``, ``get_absolute_url``) and, for a ``full`` byline (a story's
    own page), ``display_role`` and the author's ``email``. Written out here rather than as an included
    template with a loop: every article in a list has a byline, and the loop's tags cost more than the rest of
    the item.
    """
    lines = list(lines or ())
    if not lines:
        return ""
    parts = [f'<p class="byline">{conditional_escape(pgettext("byline", "By"))} ']
    last = len(lines) - 1
    for number, line in enumerate(lines):
        author = line.author
        parts.append(
            f'<span class="byline__author"><a href="{conditional_escape(author.get_absolute_url())}">'
            f"{conditional_escape(author.name)}</a>"
        )
        if full:
            role = line.display_role
            if role:
                parts.append(f', <span class="byline__role">{conditional_escape(role)}</span>')
            if author.email:
                email = conditional_escape(author.email)
                parts.append(f' <a class="byline__email" href="mailto:{email}">{email}</a>')
        parts.append("</span>")
        if number < last:
            parts.append(f" {conditional_escape(pgettext('byline', 'and'))} " if number == last - 1 else "; ")
    parts.append("</p>")
    return mark_safe("".join(parts))
