"""The filters a reader can add to a search, all carried in the address.

Each filter takes the same value a reader sees in the site's own addresses
(a section's path, a context's or author's slug, ISO dates), so a refined
search can be bookmarked and shared.
"""

from __future__ import annotations

from functools import cache

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .models import Article, Author, Section, Story


def event_categories() -> list[tuple[str, str]]:
    # Reached through the reverse one-to-one so the newsroom never imports the events app.
    return list(Story._meta.get_field("event").related_model._meta.get_field("category").choices)


@cache
def event_category_labels() -> dict[str, str]:
    """Each event category's label by its value; the choices are fixed in code."""
    return dict(event_categories())


def _list_words(values) -> str:
    values = list(values)
    if len(values) < 2:
        return "".join(values)
    # Translators: the end of a list of choices, e.g. "news, editorial or opinion".
    return gettext("%(items)s or %(last)s") % {"items": ", ".join(values[:-1]), "last": values[-1]}


class StorySearchFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Story.Kind.choices)
    type = django_filters.ChoiceFilter(
        label=_("Article kind"), field_name="article__article_type", choices=Article.ArticleType.choices
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"), queryset=Section.objects.all(), to_field_name="path", method="filter_section"
    )
    category = django_filters.ChoiceFilter(
        label=_("Event category"), field_name="event__category", choices=event_categories
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Context"), queryset=Tag.objects.all(), to_field_name="slug", field_name="tagged_items__tag"
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"), queryset=Author.objects.all(), to_field_name="slug", field_name="article__bylines__author"
    )

    class Meta:
        model = Story
        fields: list[str] = []

    def filter_section(self, queryset: QuerySet, name: str, value: Section) -> QuerySet:
        """A section includes the stories of the sections inside it, as its page does."""
        return queryset.filter(Q(article__section=value) | Q(article__section__path__startswith=f"{value.path}/"))

    def problems(self) -> list[str]:
        """What is wrong with the filters, in words a reader can act on."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        messages = []
        for name in self.form.errors:
            value = str(self.data.get(name, ""))[:80]
            messages.append(self._problem(name, value))
        cleaned = self.form.cleaned_data
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            messages.append(
                gettext("The start date (%(start)s) comes after the end date (%(end)s).")
                % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
            )
        return messages

    def _problem(self, name: str, value: str) -> str:
        # The values a reader may write are the address's own words (news, politics...), never translated.
        if name == "kind":
            message = gettext("“%(value)s” is not a kind of story. Choose %(choices)s.")
            return message % {"value": value, "choices": _list_words(Story.Kind.values)}
        if name == "type":
            message = gettext("“%(value)s” is not a kind of article. Choose %(choices)s.")
            return message % {"value": value, "choices": _list_words(Article.ArticleType.values)}
        if name == "category":
            message = gettext("“%(value)s” is not an event category. Choose %(choices)s.")
            return message % {"value": value, "choices": _list_words(c for c, _ in event_categories())}
        if name == "section":
            return gettext("There is no section “%(value)s”.") % {"value": value}
        if name == "tag":
            return gettext("There is no context “%(value)s”.") % {"value": value}
        if name == "author":
            return gettext("There is no author “%(value)s”.") % {"value": value}
        if name == "from":
            message = gettext("The start date “%(value)s” is not a date. Write it as year-month-day, e.g. 2024-04-23.")
            return message % {"value": value}
        if name == "to":
            message = gettext("The end date “%(value)s” is not a date. Write it as year-month-day, e.g. 2024-04-23.")
            return message % {"value": value}
        return gettext("The filter “%(name)s” has a value that cannot be used.") % {"name": name}


# "from" is a Python keyword, so the date filters are added under their address names here.
StorySearchFilter.base_filters["from"] = django_filters.DateFilter(
    label=_("From"), field_name="date", lookup_expr="gte"
)
StorySearchFilter.base_filters["to"] = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

FILTER_NAMES = tuple(StorySearchFilter.base_filters)
