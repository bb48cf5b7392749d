import html

from django import template
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from events.related import related_stories as rank_related
from newsroom import surrogate
from newsroom.models import slug_path

register = template.Library()


@register.simple_tag
def related_stories(story, limit=10):
    """``{% related_stories story as items %}``: the one Related ranking, for any story."""
    # A story published in one of these contexts may join the box: the page is kept under each of them.
    surrogate.add(*(surrogate.context_key(tag.slug) for tag in story.tags.all()))
    return rank_related(story, limit=limit)


def _escape(text) -> str:
    return html.escape(str(text))


@register.simple_tag
def related_items(items):
    """``{% related_items related %}``: the entries of the Related box, each a list item.

    Written out here rather than as template tags in a loop: the box has up to thirty entries on every story
    page, each with its kind, day and contexts, and the loop cost more than the ranking's query. The text is
    what the date filter writes for "Y-m-d" and "j M Y", with the labels translated once per box.
    """
    elsewhere, event = (_escape(gettext(text)) for text in ("Elsewhere", "Event"))
    # "Context:" before one shared context, "Contexts:" before several.
    context_label = {count: _escape(ngettext("Context:", "Contexts:", count)) for count in (1, 2)}
    months: dict[int, str] = {}
    kinds: dict[str, str] = {}
    # The entries share the story's own few contexts: each context's link is written once per box.
    context_links: dict[int, str] = {}
    parts = []
    for item in items:
        parts.append('\n      <li class="related__item">\n        ')
        if item.is_external:
            parts.append(
                f'\n          <p class="related__meta"><span class="related__kind">{elsewhere}</span></p>\n'
                f'          <a class="related__title" href="{_escape(item.url)}" rel="noopener">'
                f"{_escape(item.title)}</a>\n        "
            )
        else:
            story = item.story
            if story.kind == "event":
                kind = event
            else:
                shown_type = story.article.get_article_type_display()
                if shown_type not in kinds:
                    kinds[shown_type] = _escape(gettext(str(shown_type).replace("%", "%%")))
                kind = kinds[shown_type]
            day = story.date
            if day.month not in months:
                months[day.month] = str(MONTHS_3[day.month]).title()
            parts.append(
                f'\n          <p class="related__meta"><span class="related__kind">{kind}</span> · '
                f'<time datetime="{day.year:04d}-{day.month:02d}-{day.day:02d}">'
                f"{day.day} {months[day.month]} {day.year:04d}</time></p>\n"
                f'          <a class="related__title" href="{_escape(item.url)}">'
                f"{_escape(item.label or item.title)}</a>\n        "
            )
        parts.append("\n        ")
        if item.shared:
            for tag in item.shared:
                if tag.pk not in context_links:
                    context_links[tag.pk] = (
                        f'<a href="{_escape(slug_path("newsroom:tag", tag.slug))}">{_escape(tag.name)}</a>'
                    )
            links = ", ".join(context_links[tag.pk] for tag in item.shared)
            label = context_label[min(len(item.shared), 2)]
            parts.append(f'<p class="related__contexts">{label} {links}</p>')
        parts.append("\n      </li>\n    ")
    return mark_safe("".join(parts))
