"""Dateline's read-only content API, version 1, for apps and partners.

Every list is cut into pages by an opaque cursor (keyset pagination), so a page
costs the same at the start and deep into the archive and no story is skipped or
repeated when new ones are published while a client pages. Every answer carries
an ETag and Last-Modified and answers 304 when the client's copy is current.
"""

from __future__ import annotations

import enum
import hashlib
import re
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import ValidationError
from pydantic import BeforeValidator
from taggit.models import Tag

from events.related import related_stories
from newsroom.models import CHANGED, Author, Outlet, Section, Story, TaggedStory
from newsroom.querysets import Status
from newsroom.search import (
    MAX_QUERY_LENGTH,
    SEARCH_CONFIG,
    clean_query,
    find_candidates,
    parse_query,
    simple_match,
    uses_postgres,
)

from . import cursor as cursors
from .schemas import (
    AuthorOut,
    AuthorPage,
    ContextOut,
    ContextPage,
    OutletPage,
    Problem,
    SectionPage,
    StoryDetailOut,
    StoryPage,
    Tombstone,
)
from .serialize import Shaper, translations_for, with_parts

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**63 - 1
MAX_AGE = 60
LANGUAGE_CODES = [code for code, _ in settings.LANGUAGES]
# An enum, so the document lists the codes and any other value is refused with 422 before a query runs.
Language = enum.Enum("Language", {code.replace("-", "_"): code for code in LANGUAGE_CODES}, type=str)

api = NinjaAPI(
    title="Dateline content API",
    version="1",
    description=(
        "Published articles and events with their bylines, sources, contexts, related stories, images, "
        "translations and corrections. Anonymous use is allowed at a low rate; partners send their key as "
        "`Authorization: Bearer <key>` or `X-API-Key: <key>` for a higher one. Lists are paged with "
        "`cursor`; `updated_since` returns changes oldest first, withdrawn stories as tombstones."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs/",
    # The documentation's stylesheet draws its icons as data: SVG images, which cannot run script; its
    # script and styles are files from this site, so script-src and style-src stay 'self' there too.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)
router = Router()

COMMON_ERRORS = {
    400: Problem,
    401: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
}


class ApiError(Exception):
    def __init__(self, status: int, detail: str, *, param: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.param = status, detail, param


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    errors = [{"param": exc.param, "message": exc.detail}] if exc.param else []
    return api.create_response(request, {"detail": exc.detail, "errors": errors}, status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    errors = []
    for problem in exc.errors:
        where = [str(part) for part in problem.get("loc", ()) if part not in ("query", "path", "filters")]
        errors.append({"param": ".".join(where), "message": problem.get("msg", "Not a valid value.")})
    names = ", ".join(sorted({e["param"] for e in errors if e["param"]})) or "the request"
    return api.create_response(
        request, {"detail": f"Some parameters could not be used: {names}.", "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found.", "errors": []}, status=404)


# Answers -------------------------------------------------------------------------------------------------------


def answer(request, payload: dict, schema, last_modified: datetime | None = None, status: int = 200):
    """JSON checked against its schema, with validators; 304 when the client's copy is current."""
    body = schema.model_validate(payload).model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # Whole seconds, as HTTP dates carry them: a float would never equal the date a client sends back.
    stamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        response = HttpResponse(body, content_type="application/json", status=status)
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def next_address(request, next_cursor: str | None) -> str | None:
    if next_cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = next_cursor
    return request.build_absolute_uri(request.path + "?" + urlencode(list(params.lists()), doseq=True))


def read_cursor(value: str | None, mode: str) -> list | None:
    if not value:
        return None
    try:
        return cursors.decode(value, mode)
    except cursors.BadCursor as exc:
        raise ApiError(400, str(exc), param="cursor") from None


def instant(value: str):
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise ApiError(400, "This cursor is not one this API gave out for this list.", param="cursor")
    return parsed


# Stories ------------------------------------------------------------------------------------------------------


def filtered_stories(
    *,
    kind: str | None,
    section: str | None,
    context: str | None,
    author: str | None,
    date_from: date | None,
    date_to: date | None,
    language: str | None,
    base,
):
    stories = base
    if kind:
        stories = stories.filter(kind=kind)
    if section:
        found = Section.objects.filter(path=section.strip("/")).first()
        if found is None:
            raise ApiError(400, f"There is no section “{section[:80]}”.", param="section")
        stories = stories.filter(Q(article__section=found) | Q(article__section__path__startswith=f"{found.path}/"))
    if context:
        tag = Tag.objects.filter(slug=context).first()
        if tag is None:
            raise ApiError(400, f"There is no context “{context[:80]}”.", param="context")
        stories = stories.filter(tagged_items__tag=tag)
    if author:
        found = Author.objects.filter(slug=author).first()
        if found is None:
            raise ApiError(400, f"There is no author “{author[:80]}”.", param="author")
        stories = stories.filter(article__bylines__author=found)
    if date_from and date_to and date_from > date_to:
        raise ApiError(400, f"`from` ({date_from}) comes after `to` ({date_to}).", param="from")
    if date_from:
        stories = stories.filter(date__gte=date_from)
    if date_to:
        stories = stories.filter(date__lte=date_to)
    if language:
        stories = stories.filter(article__language=language)
    return stories


def story_page(request, *, kind: str | None, filters: dict, updated_since, q, cursor, limit):
    now = timezone.now()
    if q is not None and updated_since is not None:
        raise ApiError(400, "Use either `q` (best match first) or `updated_since` (oldest change first).", param="q")
    if updated_since is not None and timezone.is_naive(updated_since):
        updated_since = timezone.make_aware(updated_since, timezone.get_current_timezone())
    shaper = Shaper(request)
    withdrawn = set()

    if q is not None:
        rows, next_cursor = searched(
            q, filtered_stories(kind=kind, base=Story.objects.published(now), **filters), cursor, limit
        )
    elif updated_since is not None:
        # Sorted by the moment the client could first have seen the change: a scheduled story turns public at
        # its publish time without being saved, so its update time alone would let a syncing client miss it.
        base = Story.objects.published_or_withdrawn(now).annotate(changed=CHANGED)
        stories = filtered_stories(kind=kind, base=base, **filters).filter(changed__gte=updated_since)
        after = read_cursor(cursor, "sync")
        if after:
            changed, pk = instant(after[0]), after[1]
            stories = stories.filter(Q(changed__gt=changed) | Q(changed=changed, pk__gt=pk))
        rows = list(with_parts(stories.order_by("changed", "pk"))[: limit + 1])
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_cursor = cursors.encode("sync", [last.changed.isoformat(), last.pk])
        withdrawn = {row.pk for row in rows if row.status == Status.WITHDRAWN}
    else:
        stories = filtered_stories(kind=kind, base=Story.objects.published(now), **filters)
        after = read_cursor(cursor, "latest")
        if after:
            day, moment, pk = after
            try:
                day, moment = date.fromisoformat(day), instant(moment)
            except (TypeError, ValueError):
                raise ApiError(400, "This cursor is not one this API gave out for this list.", param="cursor") from None
            stories = stories.filter(
                Q(date__lt=day) | Q(date=day, publish_at__lt=moment) | Q(date=day, publish_at=moment, pk__lt=pk)
            )
        rows = list(with_parts(stories.order_by("-date", "-publish_at", "-pk"))[: limit + 1])
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_cursor = cursors.encode("latest", [last.date.isoformat(), last.publish_at.isoformat(), last.pk])

    live = [row for row in rows if row.pk not in withdrawn]
    translations = translations_for(live)
    items = [shaper.tombstone(row) if row.pk in withdrawn else shaper.story(row, translations) for row in rows]
    last_modified = max((row.updated_at for row in rows), default=None)
    payload = {"items": items, "next_cursor": next_cursor, "next": next_address(request, next_cursor)}
    return answer(request, payload, StoryPage, last_modified)


def searched(q: str, stories, cursor: str | None, limit: int):
    """The same search as the site's /search/: the newest matching stories, best match first."""
    text = clean_query(q)
    if len(text) > MAX_QUERY_LENGTH:
        raise ApiError(400, f"The search is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}.", param="q")
    parsed = parse_query(text)
    if not parsed.is_searchable:
        raise ApiError(400, "The search has no words to look for.", param="q")
    if uses_postgres():
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        matching = stories.filter(search_vector=query)
    else:
        query = None
        matching = stories.filter(simple_match(parsed))
    candidates, _ = find_candidates(matching, query)
    start = 0
    after = read_cursor(cursor, "search")
    if after:
        offset, pk = after
        if not isinstance(offset, int) or not 0 <= offset < len(candidates) or candidates[offset].pk != pk:
            raise ApiError(
                400, "The results of this search have changed; run it again without a cursor.", param="cursor"
            )
        start = offset + 1
    chosen = candidates[start : start + limit]
    by_id = {story.pk: story for story in with_parts(Story.objects.filter(pk__in=[c.pk for c in chosen]))}
    rows = [by_id[c.pk] for c in chosen if c.pk in by_id]
    end = start + len(chosen) - 1
    next_cursor = cursors.encode("search", [end, chosen[-1].pk]) if chosen and end + 1 < len(candidates) else None
    return rows, next_cursor


StoryKind = Story.Kind


def iso_text(pattern: str, what: str):
    """Only ISO 8601 text: pydantic alone would also read "0.5" as a Unix time, which no client means."""
    shape = re.compile(pattern)

    def check(value):
        if isinstance(value, str) and not shape.match(value):
            raise ValueError(f"Write {what}.")
        return value

    return BeforeValidator(check)


IsoDay = Annotated[date, iso_text(r"^\d{4}-\d{2}-\d{2}$", "a day as YYYY-MM-DD, e.g. 2024-04-23")]
IsoMoment = Annotated[
    datetime,
    iso_text(
        r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$",
        "a moment as YYYY-MM-DDTHH:MM:SSZ, e.g. 2024-04-23T09:30:00Z",
    ),
]
KIND = Query(None, description="article or event")
SECTION = Query(None, max_length=400, description="A section's path; includes its subsections.")
CONTEXT = Query(None, max_length=100, description="A context's slug.")
AUTHOR = Query(None, max_length=150, description="An author's slug (articles only).")
FROM = Query(None, alias="from", description="First day, YYYY-MM-DD: the story's day in the newsroom's zone.")
TO = Query(None, alias="to", description="Last day, YYYY-MM-DD.")
LANGUAGE = Query(None, description="Articles in this language.")
UPDATED_SINCE = Query(
    None, description="Changes since this moment (ISO 8601), oldest first, with tombstones of withdrawn stories."
)
SEARCH = Query(
    None, min_length=1, max_length=MAX_QUERY_LENGTH, description="Search words, read as /search/ reads them."
)
CURSOR = Query(None, max_length=cursors.MAX_LENGTH, description="The previous page's next_cursor.")
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
STORY_LIST_RESPONSES = {200: StoryPage, 304: None, **COMMON_ERRORS}


@router.get("/stories", response=STORY_LIST_RESPONSES, tags=["stories"], url_name="stories")
def stories(
    request,
    kind: StoryKind | None = KIND,
    section: str | None = SECTION,
    context: str | None = CONTEXT,
    author: str | None = AUTHOR,
    date_from: IsoDay | None = FROM,
    date_to: IsoDay | None = TO,
    language: Language | None = LANGUAGE,
    updated_since: IsoMoment | None = UPDATED_SINCE,
    q: str | None = SEARCH,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """Published stories, newest first (best match first with `q`, oldest change first with `updated_since`)."""
    return list_stories(request, kind.value if kind else None, locals())


@router.get("/articles", response=STORY_LIST_RESPONSES, tags=["stories"], url_name="articles")
def articles(
    request,
    section: str | None = SECTION,
    context: str | None = CONTEXT,
    author: str | None = AUTHOR,
    date_from: IsoDay | None = FROM,
    date_to: IsoDay | None = TO,
    language: Language | None = LANGUAGE,
    updated_since: IsoMoment | None = UPDATED_SINCE,
    q: str | None = SEARCH,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """Published articles, newest first."""
    return list_stories(request, Story.Kind.ARTICLE, locals())


@router.get("/events", response=STORY_LIST_RESPONSES, tags=["stories"], url_name="events")
def events(
    request,
    context: str | None = CONTEXT,
    date_from: IsoDay | None = FROM,
    date_to: IsoDay | None = TO,
    updated_since: IsoMoment | None = UPDATED_SINCE,
    q: str | None = SEARCH,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """Published events, newest first."""
    return list_stories(request, Story.Kind.EVENT, locals())


def list_stories(request, kind: str | None, params: dict):
    if params.get("language") is not None:
        params["language"] = params["language"].value
    filters = {name: params.get(name) for name in ("section", "context", "author", "date_from", "date_to", "language")}
    return story_page(
        request,
        kind=kind,
        filters=filters,
        updated_since=params.get("updated_since"),
        q=params.get("q"),
        cursor=params.get("cursor"),
        limit=params["limit"],
    )


def one_story(request, story_id: int, kind: str | None):
    found = Story.objects.filter(pk=story_id)
    if kind:
        found = found.filter(kind=kind)
    story = with_parts(found.filter(pk__in=Story.objects.published().values("pk"))).first()
    if story is None:
        gone = found.filter(status=Status.WITHDRAWN).first()
        if gone is not None:
            shaper = Shaper(request)
            return api.create_response(request, shaper.tombstone(gone), status=410)
        raise Http404(f"No published {kind or 'story'} has the id {story_id}.")
    shaper = Shaper(request)
    shaped = shaper.story(story, translations_for([story]))
    shaped["related"] = [
        {
            "title": item.title,
            "url": item.url if item.is_external else request.build_absolute_uri(item.url),
            "story_id": item.story.pk if item.story else None,
            "kind": item.story.kind if item.story else None,
            "label": item.label,
            "chosen_by_editor": item.chosen_by_editor,
            "shared_contexts": [shaper.context(tag) for tag in item.shared],
        }
        for item in related_stories(story)
    ]
    return answer(request, shaped, StoryDetailOut, story.updated_at)


DETAIL_RESPONSES = {200: StoryDetailOut, 304: None, 410: Tombstone, **COMMON_ERRORS}


@router.get("/stories/{story_id}", response=DETAIL_RESPONSES, tags=["stories"], url_name="story")
def story(request, story_id: int = Path(..., ge=1, le=MAX_ID)):
    """One published story with its related stories; 410 with a tombstone once withdrawn."""
    return one_story(request, story_id, None)


@router.get("/articles/{story_id}", response=DETAIL_RESPONSES, tags=["stories"], url_name="article")
def article(request, story_id: int = Path(..., ge=1, le=MAX_ID)):
    """One published article."""
    return one_story(request, story_id, Story.Kind.ARTICLE)


@router.get("/events/{story_id}", response=DETAIL_RESPONSES, tags=["stories"], url_name="event")
def event(request, story_id: int = Path(..., ge=1, le=MAX_ID)):
    """One published event."""
    return one_story(request, story_id, Story.Kind.EVENT)


# Contexts, sections, authors and outlets ---------------------------------------------------------------------


def by_id_page(request, rows, cursor: str | None, limit: int, mode: str, shape, schema):
    """A list in id order, cut after the last id the previous page showed."""
    after = read_cursor(cursor, mode)
    if after:
        if not isinstance(after[0], int):
            raise ApiError(400, "This cursor is not one this API gave out for this list.", param="cursor")
        rows = rows.filter(pk__gt=after[0])
    found = list(rows.order_by("pk")[: limit + 1])
    next_cursor = cursors.encode(mode, [found[limit - 1].pk]) if len(found) > limit else None
    payload = {
        "items": [shape(row) for row in found[:limit]],
        "next_cursor": next_cursor,
        "next": next_address(request, next_cursor),
    }
    return answer(request, payload, schema)


def used_contexts():
    """Contexts of at least one published story: a context only drafts carry is not public yet.

    Read from the context links' copy of their story's state (kept with the story in the same transaction),
    one step along each context's listing index: joining the stories themselves made PostgreSQL match
    every link of the archive before the first page (2.7 s at 3.6 M links, against 0.3 ms).
    """
    live = TaggedStory.objects.filter(tag=OuterRef("pk"), listed=True, story_publish_at__lte=timezone.now())
    return Tag.objects.filter(Exists(live))


LIST_RESPONSES = {304: None, **COMMON_ERRORS}


@router.get("/contexts", response={200: ContextPage, **LIST_RESPONSES}, tags=["contexts"], url_name="contexts")
def contexts(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Contexts that published stories carry; filter stories by one with `context=<slug>`."""
    shaper = Shaper(request)
    return by_id_page(
        request,
        used_contexts(),
        cursor,
        limit,
        "contexts",
        lambda tag: {"id": tag.pk, **shaper.context(tag)},
        ContextPage,
    )


@router.get("/contexts/{slug}", response={200: ContextOut, **LIST_RESPONSES}, tags=["contexts"], url_name="context")
def context(request, slug: str = Path(..., max_length=100)):
    """One context by its slug."""
    tag = used_contexts().filter(slug=slug).first()
    if tag is None:
        raise Http404(f"No context has the slug “{slug[:80]}”.")
    return answer(request, {"id": tag.pk, **Shaper(request).context(tag)}, ContextOut)


@router.get("/sections", response={200: SectionPage, **LIST_RESPONSES}, tags=["sections"], url_name="sections")
def sections(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Every section; filter stories by one with `section=<path>`."""
    return by_id_page(request, Section.objects.all(), cursor, limit, "sections", Shaper(request).section, SectionPage)


@router.get("/authors", response={200: AuthorPage, **LIST_RESPONSES}, tags=["authors"], url_name="authors")
def authors(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Every author; filter stories by one with `author=<slug>`."""
    shaper = Shaper(request)
    return by_id_page(
        request, Author.objects.all(), cursor, limit, "authors", lambda a: shaper.author(a, full=True), AuthorPage
    )


@router.get("/authors/{slug}", response={200: AuthorOut, **LIST_RESPONSES}, tags=["authors"], url_name="author")
def author(request, slug: str = Path(..., max_length=150)):
    """One author by their slug."""
    found = Author.objects.filter(slug=slug).first()
    if found is None:
        raise Http404(f"No author has the slug “{slug[:80]}”.")
    return answer(request, Shaper(request).author(found, full=True), AuthorOut)


@router.get("/outlets", response={200: OutletPage, **LIST_RESPONSES}, tags=["outlets"], url_name="outlets")
def outlets(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The publications stories cite as sources."""
    return by_id_page(request, Outlet.objects.all(), cursor, limit, "outlets", Shaper(request).outlet, OutletPage)


api.add_router("/", router)
