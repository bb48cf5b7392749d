"""Public pages. Every list starts from ``Story.objects.published()``."""

from __future__ import annotations

import errno
import functools
from datetime import date, timedelta

from django.conf import settings
from django.db import router
from django.db.models import BooleanField, IntegerField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView, TemplateView
from django.views.generic.dates import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from . import archive, markdown, popularity, surrogate
from .freeze import frozen_max_age, is_frozen
from .models import (
    Article,
    Author,
    Byline,
    RelatedLink,
    Section,
    Story,
    StoryRedirect,
    TaggedStory,
    cited_sources,
)
from .pagination import ArchivePaginator
from .storyread import LatestStories, listed, prefetch_story_page, read_listing, read_on_day, read_story

PAGE_SIZE = settings.DATELINE_PAGE_SIZE


def interface_language(code: str) -> str:
    """The language a page's own words are shown in: ``code`` when there is a catalogue for it, else the site's."""
    if code in settings.DATELINE_INTERFACE_LANGUAGES:
        return code
    base = code.split("-")[0]
    return base if base in settings.DATELINE_INTERFACE_LANGUAGES else settings.LANGUAGE_CODE


def canonical_date_redirect(request, kwargs, *, suffix: str = "") -> HttpResponsePermanentRedirect | None:
    """Answer ``/news/2017/6/9/`` with a 301 to ``/news/2017/06/09/``."""
    parts = {"year": 4, "month": 2, "day": 2}
    fixed = {}
    for name, width in parts.items():
        if name in kwargs:
            value = kwargs[name]
            if not value.isdigit() or int(value) == 0:
                raise Http404("No such date.")
            fixed[name] = f"{int(value):0{width}d}"
    if not fixed:
        return None
    try:
        date(int(fixed["year"]), int(fixed.get("month", 1)), int(fixed.get("day", 1)))
    except ValueError:
        raise Http404("No such date.") from None
    if all(fixed[name] == kwargs[name] for name in fixed):
        return None
    # Rebuild from the parts rather than patching the path: the slug may contain digits.
    prefix = "/news/" + "/".join(fixed[name] for name in ("year", "month", "day") if name in fixed) + "/"
    rest = f"{kwargs['slug']}/{suffix}" if "slug" in kwargs else ""
    target = prefix + rest
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)


class PublishedStoryMixin:
    """What every dated page shares: the published stories, by local date."""

    model = Story
    date_field = "date"
    month_format = "%m"
    day_format = "%d"
    allow_future = True
    allow_empty = False
    # What follows the story's own address on a page of it (the print view's "print/").
    address_suffix = ""

    def get_queryset(self):
        return Story.objects.published().for_listing()

    def dispatch(self, request, *args, **kwargs):
        redirect = canonical_date_redirect(request, kwargs, suffix=self.address_suffix)
        if redirect is not None:
            return redirect
        return super().dispatch(request, *args, **kwargs)


class FrontPageView(TemplateView):
    """The editors' lead, top stories and zones, each place left empty filled with the newest stories."""

    template_name = "newsroom/front.html"
    event_count = 16
    # An unpublished arrangement to show instead of the live one (the front page desk's preview).
    arrangement = None

    def get_context_data(self, **kwargs):
        from .frontpage import arrangement

        context = super().get_context_data(**kwargs)
        front = context["front"] = arrangement.lay_out(self.get_arrangement())
        events = Story.objects.published().filter(kind=Story.Kind.EVENT)
        # An event an editor placed higher up is not listed again among the current events.
        placed_events = [story.pk for story in front.stories() if story.kind == Story.Kind.EVENT]
        if placed_events:
            events = events.exclude(pk__in=placed_events)
        events = events.for_listing().order_by("-date", "event__category", "pk")[: self.event_count]
        context["events"] = listed(events)
        return context

    def get_arrangement(self):
        from .frontpage import arrangement

        return self.arrangement if self.arrangement is not None else arrangement.current()


class ArchiveMonthsMixin:
    """Archive pages read which months hold stories, and how many, from the kept counts (newsroom.archive)."""

    @cached_property
    def months(self) -> archive.Months:
        return archive.published_months()


class LatestView(ArchiveMonthsMixin, PublishedStoryMixin, ArchiveIndexView):
    template_name = "newsroom/story_archive.html"
    paginate_by = PAGE_SIZE
    allow_empty = True
    paginator_class = ArchivePaginator

    def get_queryset(self):
        return super().get_queryset().newest_first()

    def get_dated_items(self):
        years = self.months.years()
        if not years:
            return years, Story.objects.none(), {}
        # What get_queryset() lists, read a page at a time with a statement written once.
        return years, LatestStories(using=router.db_for_read(Story), published_at=timezone.now()), {}

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The kept month counts number the pages, with no COUNT over the story table, and a deep page starts
        # its reading at the month it falls in (see ArchivePaginator).
        return super().get_paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            count_key=self.request.path,
            months=lambda: self.months.counts[::-1],
            **kwargs,
        )


class YearView(ArchiveMonthsMixin, PublishedStoryMixin, YearArchiveView):
    template_name = "newsroom/story_archive_year.html"
    make_object_list = False

    def get_dated_items(self):
        year = int(self.get_year())
        months = self.months.of_year(year)
        if not months:
            raise Http404("Nothing was published that year.")
        first, last = months[0][0], months[-1][0]
        before, after = self.months.neighbours(first, last)
        return (
            [month for month, _ in months],
            Story.objects.none(),
            {
                "year": date(year, 1, 1),
                "months": months,
                "previous_year": before and date(before.year, 1, 1),
                "next_year": after and date(after.year, 1, 1),
            },
        )


class MonthView(ArchiveMonthsMixin, PublishedStoryMixin, MonthArchiveView):
    template_name = "newsroom/story_archive_month.html"
    paginate_by = 100
    paginator_class = ArchivePaginator

    def get_queryset(self):
        # The month page shows one line per story: no bylines or images to fetch.
        return (
            Story.objects.published()
            .select_related("article", "event")
            .only(
                "kind",
                "date",
                "slug",
                "article__headline",
                "article__article_type",
                "event__summary",
                "event__category",
            )
            .order_by("date", "kind", "-publish_at", "pk")
        )

    def get_dated_items(self):
        month = date(int(self.get_year()), int(self.get_month()), 1)
        if not self.months.count(month):
            raise Http404("Nothing was published that month.")
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        stories = self.get_queryset().filter(date__gte=month, date__lt=following)
        before, after = self.months.neighbours(month, month)
        # The days of the month are not listed on the page, so they are not looked up.
        return [], stories, {"month": month, "previous_month": before, "next_month": after}

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        month = date(int(self.get_year()), int(self.get_month()), 1)
        return super().get_paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            known_count=lambda: self.months.count(month),
            **kwargs,
        )


class DayView(PublishedStoryMixin, DayArchiveView):
    """A day: its events grouped by category, then its articles."""

    template_name = "newsroom/story_archive_day.html"
    allow_empty = True
    ordering = ("event__category", "-publish_at", "pk")

    def get_queryset(self):
        return super().get_queryset().order_by(*self.ordering)

    def get_dated_queryset(self, **lookup):
        """The day's stories, read with the listing statement (``read_on_day``): the same list the queryset
        reads, without building and compiling it for every page."""
        if set(lookup) != {self.date_field}:
            return super().get_dated_queryset(**lookup)
        return read_on_day(
            lookup[self.date_field], self.ordering, using=router.db_for_read(Story), published_at=timezone.now()
        )

    def get_previous_day(self, date):
        return self._neighbour_days(date)[0]

    def get_next_day(self, date):
        return self._neighbour_days(date)[1]

    def _neighbour_days(self, day):
        if getattr(self, "_neighbours", (None,))[0] != day:
            self._neighbours = (day, archive.neighbour_days(day))
        return self._neighbours[1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stories = context["object_list"] = listed(context["object_list"])
        groups: dict[str, dict] = {}
        for story in stories:
            if story.kind == Story.Kind.EVENT:
                event = story.event
                # The page names each group's category in the site's language (``day_event_groups``).
                groups.setdefault(event.category, {"events": []})["events"].append(story)
        context["event_groups"] = list(groups.values())
        context["articles"] = [s for s in stories if s.kind == Story.Kind.ARTICLE]
        return context


@functools.cache
def _story_page_flag_sql() -> dict[str, tuple[str, tuple]]:
    """EXISTS tests for what a story page lists below the text, as SQL on the story's own row.

    Written out rather than as ORM `Exists` subqueries, which Django builds and compiles again for every
    page: three of them were a tenth of an event page's time. The names come from the models.
    """
    from .models import Correction

    story = f'"{Story._meta.db_table}"."{Story._meta.pk.column}"'

    def exists(model, field: str) -> str:
        table = model._meta.db_table
        column = model._meta.get_field(field).column
        return f'EXISTS (SELECT 1 FROM "{table}" WHERE "{table}"."{column}" = {story})'

    return {
        "has_corrections": (exists(Correction, "story"), ()),
        "has_related_links": (exists(RelatedLink, "story"), ()),
        "has_translations": (exists(Article, "translation_of"), ()),
    }


@functools.cache
def _thread_size_sql() -> str:
    """The story's approved comments, from the count the database keeps (ThreadCount): no count of the thread."""
    from .comments.models import ThreadCount

    table = ThreadCount._meta.db_table
    story = f'"{Story._meta.db_table}"."{Story._meta.pk.column}"'
    return f'COALESCE((SELECT "approved" FROM "{table}" WHERE "{table}"."story_id" = {story}), 0)'


def _story_page_flags() -> dict[str, RawSQL]:
    flags = {
        name: RawSQL(sql, params, output_field=BooleanField()) for name, (sql, params) in _story_page_flag_sql().items()
    }
    # Most stories have no approved comment: their comment section then runs no query of its own, and a
    # long thread numbers its pages from this figure.
    flags["approved_comment_count"] = RawSQL(_thread_size_sql(), (), output_field=IntegerField())
    return flags


def story_page_prefetches() -> tuple:
    """What a story page reads beside the story: its contexts, its sources with their outlets, its bylines."""
    return (
        "tags",
        Prefetch("sources", queryset=cited_sources()),
        Prefetch("article__bylines", queryset=Byline.objects.select_related("author")),
    )


@functools.cache
def _story_page_flag_triples() -> tuple[tuple[str, str, type], ...]:
    """The page's flags for ``read_story``: the same subqueries as the annotations of ``_story_page_flags``."""
    flags = tuple((name, sql, bool) for name, (sql, _params) in _story_page_flag_sql().items())
    return (*flags, ("approved_comment_count", _thread_size_sql(), int))


class StoryDetailView(PublishedStoryMixin, DateDetailView):
    """One story. Readers see it once published; staff may preview the rest."""

    slug_field = "slug"
    allow_empty = True
    # Set by newsroom.preview: the one story a signed preview link opens, whatever its state.
    preview_link = None
    print_view = False

    def get_queryset(self):
        if self.preview_link is not None:
            stories = Story.objects.filter(pk=self.preview_link.story_id)
        else:
            stories = Story.objects.visible_to(self.request.user)
        # Most stories have no corrections, related links or translations: knowing that from the main query
        # saves the page a query for each.
        stories = stories.annotate(**_story_page_flags())
        # The translations list names the original, so the original's own row is not joined here.
        # The section's ancestors, for the breadcrumb, come after in one lookup (Section.attach_ancestors).
        return stories.select_related("article__section", "article__lead_image", "event").prefetch_related(
            *story_page_prefetches()
        )

    def get_object(self, queryset=None):
        """The story the address names, then its contexts, sources and bylines (``newsroom.storyread``).

        The same story and the same objects as ``get_queryset()`` gives, in as many queries.
        """
        if queryset is not None:
            return super().get_object(queryset)
        try:
            day = date(int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))
        except (KeyError, ValueError, OverflowError):
            raise Http404("No story at this address.") from None
        user = self.request.user
        staff = user is not None and user.is_active and user.is_staff
        story = read_story(
            using=router.db_for_read(Story),
            flag_sql=_story_page_flag_triples(),
            day=day,
            slug=self.kwargs.get(self.slug_url_kwarg),
            pk=self.preview_link.story_id if self.preview_link is not None else None,
            # A preview link opens its one story whatever its state; staff may preview any story.
            published_at=None if self.preview_link is not None or staff else timezone.now(),
            with_lists=True,
        )
        if story is None:
            raise Http404("No story at this address.")
        prefetch_story_page(story, using=router.db_for_read(Story))
        return story

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            moved = self._moved_to()
            if moved is not None:
                return HttpResponsePermanentRedirect(moved + self.address_suffix)
            gone = self._withdrawn()
            if gone is not None:
                return gone
            raise
        surrogate.add(surrogate.story_page_key(self.object.pk))
        if self.object.kind == Story.Kind.ARTICLE and self.object.article.section is not None:
            self.object.article.section.attach_ancestors()
        language = interface_language(self.object.article.language if self.object.kind == Story.Kind.ARTICLE else "")
        with translation.override(language):
            # Rendered here, not after the view returns, so the page's words are in the story's language.
            context = self.get_context_data(object=self.object)
            response = self.render_to_response(context)
            response.render()
        response["Content-Language"] = language
        if not self.object.is_published:
            response["X-Robots-Tag"] = "noindex, nofollow"
            add_never_cache_headers(response)
        elif is_frozen(self.object) and not _personal(request):
            # An archived story changes only by a correction, which retires stored pages: readers' browsers
            # and shared caches may keep it long. Editors, who may have just corrected it, get the default.
            patch_cache_control(response, public=True, max_age=frozen_max_age())
        if self.print_view:
            # The story's own page is the one to index; this is the same text laid out for paper.
            response["X-Robots-Tag"] = "noindex, follow"
        elif self.preview_link is None:
            popularity.count_view(request, response, self.object)
        return response

    def _withdrawn(self) -> HttpResponse | None:
        """A withdrawn story's address answers 410 Gone with a short notice, not 404."""
        from .workflow import withdrawn_story

        kwargs = self.kwargs
        story = withdrawn_story(year=kwargs["year"], month=kwargs["month"], day=kwargs["day"], slug=kwargs["slug"])
        if story is None:
            return None
        text = render_to_string("newsroom/gone.html", {"story": story}, request=self.request)
        return HttpResponse(text, status=410)

    def _moved_to(self) -> str | None:
        try:
            day = date(int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))
        except ValueError:
            return None
        redirect = (
            StoryRedirect.objects.filter(
                old_date=day, old_slug=self.kwargs["slug"], story__in=Story.objects.published()
            )
            .select_related("story")
            .first()
        )
        return redirect.story.get_absolute_url() if redirect else None

    def get_template_names(self):
        if self.object.kind == Story.Kind.EVENT:
            return ["events/event_detail.html"]
        return ["newsroom/article_detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = self.object
        context["story"] = story
        context["preview"] = not story.is_published
        context["print_view"] = self.print_view
        context["print_url"] = story.get_absolute_url() + StoryPrintView.address_suffix
        from .workflow import story_updates

        context.update(story_updates(story))
        if story.kind == Story.Kind.ARTICLE:
            article = story.article
            root = article.translation_of_id or article.pk
            context["article"] = article
            has_translations = article.translation_of_id or getattr(story, "has_translations", True)
            context["translations"] = (
                list(
                    Article.objects.published()
                    .filter(Q(pk=root) | Q(translation_of_id=root))
                    .exclude(pk=article.pk)
                    .only("pk", "date", "slug", "headline", "language")
                    .order_by("language")
                )
                if has_translations
                else []
            )
        else:
            context["event"] = story.event
        return context


def _personal(request) -> bool:
    """Whether the page may hold something for this visitor alone (a signed-in view, a flash message)."""
    cookies = request.COOKIES
    return request.user.is_authenticated or settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


class StoryPrintView(StoryDetailView):
    """A story laid out as it prints, for readers without JavaScript or who want to see the page first."""

    print_view = True
    address_suffix = "print/"


class PaginatedStoryList(ListView):
    paginate_by = PAGE_SIZE
    template_name = "newsroom/story_list.html"
    context_object_name = "stories"
    paginator_class = ArchivePaginator

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # Every page of one list shares its count, so the key is the path without the page number.
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, count_key=self.request.path, **kwargs
        )

    def get_queryset(self):
        return Story.objects.published().for_listing().newest_first()


class TagView(PaginatedStoryList):
    template_name = "newsroom/tag_detail.html"

    def get(self, request, *args, **kwargs):
        self.tag = Tag.objects.filter(slug=kwargs["slug"]).first()
        if self.tag is None:
            # A context merged into another one sends its readers on to where its stories went.
            from .models import TagRedirect

            moved = TagRedirect.objects.select_related("tag").filter(old_slug=kwargs["slug"]).first()
            if moved is not None:
                return HttpResponsePermanentRedirect(reverse("newsroom:tag", args=[moved.tag.slug]))
            raise Http404("No such context.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        """The ids of the context's live stories, in listing order, read from the link table's own index."""
        return (
            TaggedStory.objects.filter(tag=self.tag, listed=True, story_publish_at__lte=timezone.now())
            .order_by("-story_date", "-story_publish_at", "-content_object_id")
            .values_list("content_object_id", flat=True)
        )

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The timeline's counts are of the same rows: they number the pages with no count query, and a deep
        # page starts its reading at the month it falls in, on the links' own index.
        months = [
            (date(year.year, month, 1), year.months[month])
            for year in self.years
            for month in sorted(year.months, reverse=True)
        ]
        return super().get_paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            months=lambda: months,
            seek_field="story_date",
            **kwargs,
        )

    def paginate_queryset(self, queryset, page_size):
        from .threads import context_years

        self.years = context_years(self.tag)
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset, page_size)
        ids = list(ids)
        # published() again: the link table's copy of a story's state never decides what a reader sees.
        found = read_listing(ids, using=router.db_for_read(Story), published_at=timezone.now())
        page.object_list = [found[pk] for pk in ids if pk in found]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        from .threads import group_page

        context = super().get_context_data(tag=self.tag, **kwargs)
        page = context["page_obj"]
        per_page = page.paginator.per_page
        context["years"] = [
            {"entry": year, "href": self._page_href(year.before // per_page + 1, page.number) + f"#{year.anchor}"}
            for year in self.years
        ]
        context["groups"] = group_page(context["object_list"], self.years, first_on_page=(page.number - 1) * per_page)
        return context

    def _page_href(self, number: int, current: int) -> str:
        if number == current:
            return ""
        return f"?page={number}" if number > 1 else self.request.path


class CorrectionsView(ListView):
    """Every correction on a published story, newest first."""

    paginate_by = PAGE_SIZE
    template_name = "newsroom/corrections.html"
    context_object_name = "corrections"

    def get_queryset(self):
        from .models import Correction

        return (
            Correction.objects.filter(story__in=Story.objects.published())
            .select_related("story")
            .order_by("-published_at", "-pk")
        )


class SectionView(PaginatedStoryList):
    template_name = "newsroom/section_detail.html"

    def get_queryset(self):
        # The section and everything below it in one query; the list then filters on a plain list of ids,
        # which lets the database walk its live-stories index in order instead of scanning every article.
        path = self.kwargs["path"].strip("/")
        tree = list(
            Section.objects.select_related("parent__parent__parent").filter(
                Q(path=path) | Q(path__startswith=f"{path}/")
            )
        )
        self.section = next((section for section in tree if section.path == path), None)
        if self.section is None:
            raise Http404("No such section.")
        self.subsections = sorted(
            (section for section in tree if section.parent_id == self.section.pk), key=lambda s: (s.order, s.name)
        )
        self.section_ids = [section.pk for section in tree]
        return super().get_queryset().filter(article__section_id__in=self.section_ids)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        from .listcounts import section_months

        # The counts the database keeps by month (SectionMonth) number the pages and start each at its month.
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, months=lambda: section_months(self.section_ids)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, subsections=self.subsections, **kwargs)


class AuthorView(PaginatedStoryList):
    template_name = "newsroom/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author.objects.select_related("photo"), slug=self.kwargs["slug"])
        return super().get_queryset().filter(article__bylines__author=self.author)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        from .listcounts import author_months

        # The counts the database keeps by month (AuthorMonth) number the pages and start each at its month.
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, months=lambda: author_months(self.author.pk)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


# Markdown twins: /news/YYYY/MM/DD/index.md and /news/YYYY/MM/DD/<slug>.md, published stories only.

MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"


def _markdown_day(kwargs: dict, name: str) -> tuple[date, HttpResponsePermanentRedirect | None]:
    try:
        day = date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
    except ValueError:
        raise Http404("No such date.") from None
    canonical = f"{markdown.day_path(day)}{name}.md"
    asked = f"/news/{kwargs['year']}/{kwargs['month']}/{kwargs['day']}/{name}.md"
    return day, (HttpResponsePermanentRedirect(canonical) if asked != canonical else None)


def _markdown_response(text: str, canonical: str) -> HttpResponse:
    response = HttpResponse(text, content_type=MARKDOWN_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    response["Link"] = f'<{canonical}>; rel="canonical"'
    return response


def story_markdown(request, year, month, day, slug):
    day, redirect = _markdown_day({"year": year, "month": month, "day": day}, slug)
    if redirect:
        return redirect
    using = router.db_for_read(Story)
    story = read_story(using=using, day=day, slug=slug, published_at=timezone.now(), with_lists=True)
    if story is None:
        raise Http404("No story at this address.")
    prefetch_story_page(story, using=using)
    surrogate.add(surrogate.story_page_key(story.pk))
    text = render_to_string("newsroom/story.md", {"story": story}, request=request)
    return _markdown_response(text, request.build_absolute_uri(story.get_absolute_url()))


def day_markdown(request, year, month, day):
    day, redirect = _markdown_day({"year": year, "month": month, "day": day}, markdown.INDEX_NAME)
    if redirect:
        return redirect
    stories = list(
        Story.objects.published()
        .on_day(day)
        .select_related("article", "event")
        .prefetch_related(Prefetch("article__bylines", queryset=Byline.objects.select_related("author")))
        .order_by("event__category", "-publish_at", "pk")
    )
    if not stories:
        raise Http404("Nothing was published on this day.")
    groups: dict[str, dict] = {}
    for story in stories:
        if story.kind == Story.Kind.EVENT:
            group = groups.setdefault(story.event.category, {"label": story.event.get_category_display(), "events": []})
            group["events"].append(story)
    neighbours = archive.neighbour_days(day)
    text = markdown.day_document(
        day,
        event_groups=list(groups.values()),
        articles=[s for s in stories if s.kind == Story.Kind.ARTICLE],
        previous_day=neighbours[0],
        next_day=neighbours[1],
    )
    return _markdown_response(text, request.build_absolute_uri(markdown.day_path(day)))


# The largest id a story can have (a 64-bit primary key); larger numbers name nothing.
MAX_STORY_ID = 2**63 - 1


# No form token: the request can do nothing but add one read, and that only within the address's allowance.
@csrf_exempt
@require_POST
def count_read(request, story_id: int):
    """A published story's page reports that a reader is looking at it (beacon counting, ``static/js/reads.js``).

    Answers 204 whether or not the read counted, so a client learns nothing about bots and allowances;
    404 for an address that names no published story.
    """
    if story_id > MAX_STORY_ID or not Story.objects.published().filter(pk=story_id).exists():
        raise Http404("No such story.")
    popularity.count_read(request, story_id)
    response = HttpResponse(status=204)
    add_never_cache_headers(response)
    return response


@require_safe
def most_read_box(request):
    """The "most read" box as it is now, for the pages' script to put in place of the one kept with the page.

    One more story than the box shows, so a story page can leave itself out. Shared caches keep it for what
    is left of the list's minute, so a page kept for a day shows a list at most a minute old.
    """
    worked_out, items = popularity.most_read_rows()
    response = render(request, "includes/most_read.html", {"items": items})
    patch_cache_control(response, public=True, max_age=popularity.seconds_left(worked_out))
    keys = {surrogate.SITE, popularity.LIST_SURROGATE_KEY, *(surrogate.story_key(item["id"]) for item in items)}
    response["Surrogate-Key"] = response["xkey"] = surrogate.header_value(keys)
    return response


def media(request, path):
    """Uploaded files, for a single-machine install (production serves them from object storage or nginx).

    A name longer than the file system allows makes the lookup itself fail; no such file exists, so
    it is a 404 rather than the 500 the error would otherwise become.
    """
    from django.views.static import serve

    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        if error.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.EINVAL):
            raise Http404("No such file.") from None
        raise
