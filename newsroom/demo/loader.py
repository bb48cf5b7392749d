"""Writes the demo newsroom into an empty database."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from taggit.models import Tag

from events.models import Event
from newsroom.models import (
    Article,
    Author,
    Byline,
    Image,
    Outlet,
    RelatedLink,
    Section,
    Source,
    Status,
    Story,
    TaggedStory,
    ascii_slugify,
)
from newsroom.sanitize import plain_text

from . import SEED, pictures
from .articles import ARTICLES, DemoArticle, publication_dates
from .content import AUTHORS, CONTEXTS, OUTLETS, PICTURES, SECTIONS, DemoOutlet
from .timeline import DemoEvent, build_events


@dataclass(frozen=True)
class Summary:
    sections: int
    authors: int
    articles: int
    events: int
    images: int
    contexts: int
    sources: int

    def __str__(self) -> str:
        return (
            f"{self.sections} sections, {self.authors} authors, {self.articles} articles, {self.events} events, "
            f"{self.images} images, {self.contexts} contexts, {self.sources} sources"
        )


@dataclass
class _Rows:
    """Rows that need no per-row save logic, written in bulk at the end."""

    bylines: list[Byline]
    tagged: list[TaggedStory]
    sources: list[Source]
    links: list[RelatedLink]

    def tag(self, story: Story, names, tags: dict[str, Tag]) -> None:
        unknown = [n for n in names if n not in tags]
        if unknown:
            raise ValueError(f"Demo content uses contexts missing from CONTEXTS: {', '.join(unknown)}")
        self.tagged += [TaggedStory(content_object=story, tag=tags[n]) for n in names]


class _Slugs:
    """Keeps (date, slug) unique across articles and events, as the model's clean() demands."""

    def __init__(self) -> None:
        self.taken: set[tuple[date, str]] = set()

    def claim(self, day: date, text: str) -> str:
        base = ascii_slugify(text) or "story"
        slug, n = base, 1
        while (day, slug) in self.taken:
            n += 1
            slug = f"{base[:190]}-{n}"
        self.taken.add((day, slug))
        return slug


def _moment(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _body(html: str) -> str:
    # The texts are wrapped for reading in source; keep one block element per line when stored.
    return re.sub(r"\s*\n\s*(?!<)", " ", html.strip())


def _source_url(outlet: DemoOutlet, day: date, title: str) -> str:
    return f"https://{outlet.domain}/{day:%Y/%m/%d}/{ascii_slugify(title)}/"


def _draw_all() -> tuple[dict[str, bytes], dict[str, bytes]]:
    scenes = {p.key: pictures.draw_scene(p.scene, SEED + i) for i, p in enumerate(PICTURES)}
    portraits = {a.slug: pictures.draw_portrait(a.portrait, SEED + 100 + i) for i, a in enumerate(AUTHORS)}
    return scenes, portraits


# The demo front page: a comet leads although newer stories exist, so the arrangement is plain to see;
# the telescope column heads Opinion, the rest fills with the newest. The rates story leaves after three
# days and the comet watch, scheduled, joins the top stories when it goes out.
FRONT_LEAD = "comet"
FRONT_TOP = ("comet-watch", "north-quay", "rates-hold", "lowen-why")
FRONT_EXPIRING = {"rates-hold": timedelta(days=3)}
FRONT_ZONES = (
    # heading, fill, capacity, placed stories
    ("Opinion", "opinion", 4, ("telescopes",)),
    ("Analysis", "analysis", 3, ("sarn-analysis",)),
)


def arrange_front_page(articles: dict[str, Article], *, now: datetime) -> bool:
    """Arrange the demo front page once; False, changing nothing, when it has been arranged before."""
    from newsroom.frontpage.arrangement import Place
    from newsroom.frontpage.models import Revision, Zone
    from newsroom.frontpage.services import latest_revision_id, publish_arrangement

    if Revision.objects.exists():
        return False
    places = [Place(articles[FRONT_LEAD].pk, "lead", 1)]
    for position, key in enumerate(FRONT_TOP, start=1):
        expires = now + FRONT_EXPIRING[key] if key in FRONT_EXPIRING else None
        places.append(Place(articles[key].pk, "top", position, expires))
    for order, (heading, fill, capacity, keys) in enumerate(FRONT_ZONES, start=1):
        zone, _ = Zone.objects.update_or_create(
            heading=heading, defaults={"fill": fill, "capacity": capacity, "position": order * 10}
        )
        places += [Place(articles[key].pk, f"zone-{zone.pk}", n) for n, key in enumerate(keys, start=1)]
    publish_arrangement(places=places, user=None, based_on=latest_revision_id())
    return True


def load(*, now: datetime | None = None) -> Summary | None:
    """Load the demo newsroom. Returns None, changing nothing, when the database already has stories."""
    if Story.objects.exists():
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(SEED)
    scenes, portraits = _draw_all()
    with transaction.atomic():
        if Story.objects.exists():
            return None
        sections = _sections()
        outlets = {
            o.key: (o, Outlet.objects.get_or_create(name=o.name, defaults={"homepage": o.homepage})[0]) for o in OUTLETS
        }
        tags = {name: Tag.objects.get_or_create(name=name)[0] for name in CONTEXTS}
        images = {
            p.key: _image(
                f"{p.key}.jpg",
                scenes[p.key],
                caption=p.caption,
                credit=p.credit,
                credit_kind=p.credit_kind,
                alt_text=p.alt_text,
            )
            for p in PICTURES
        }
        authors = _authors(portraits)
        slugs = _Slugs()
        rows = _Rows(bylines=[], tagged=[], sources=[], links=[])
        days = publication_dates(today)
        articles: dict[str, Article] = {}
        for spec in ARTICLES:
            articles[spec.key] = _article(
                spec,
                day=days[spec.key],
                today=today,
                rng=rng,
                sections=sections,
                authors=authors,
                tags=tags,
                images=images,
                outlets=outlets,
                translation_of=articles.get(spec.translation_of),
                slugs=slugs,
                rows=rows,
            )
        for spec in ARTICLES:
            article = articles[spec.key]
            for order, key in enumerate(spec.related):
                rows.links.append(RelatedLink(story=article, target=articles[key], order=order))
            for offset, (url, label) in enumerate(spec.links, start=len(spec.related)):
                rows.links.append(RelatedLink(story=article, url=url, label=label, order=offset))
        demo_events = build_events(today=today, article_dates=days, rng=rng)
        for spec in demo_events:
            event = _event(spec, rng=rng, tags=tags, outlets=outlets, slugs=slugs, rows=rows)
            if spec.article:
                article = articles[spec.article]
                rows.links.append(RelatedLink(story=event, target=article, order=0))
                rows.links.append(RelatedLink(story=article, target=event, order=50))
        Byline.objects.bulk_create(rows.bylines)
        TaggedStory.objects.bulk_create(rows.tagged)
        Source.objects.bulk_create(rows.sources)
        RelatedLink.objects.bulk_create(rows.links)
        # Every row was written just now; date the published ones to when they went out, so pages do not all
        # claim a fresh update.
        Story.objects.filter(publish_at__lte=now).update(created_at=F("publish_at"), updated_at=F("publish_at"))
        arrange_front_page(articles, now=now)
    return Summary(
        sections=len(sections),
        authors=len(authors),
        articles=len(articles),
        events=len(demo_events),
        images=len(images) + len(portraits),
        contexts=len(tags),
        sources=len(rows.sources),
    )


def _image(name: str, data: bytes, **fields) -> Image:
    image = Image(file=ContentFile(data, name=name), **fields)
    image.save()
    return image


def _sections() -> dict[str, Section]:
    made: dict[str, Section] = {}
    for spec in SECTIONS:
        parent = made[spec.parent] if spec.parent else None
        made[spec.key], _ = Section.objects.get_or_create(
            parent=parent,
            slug=spec.key,
            defaults={"name": spec.name, "order": spec.order, "description": spec.description},
        )
    return made


def _authors(portraits: dict[str, bytes]) -> dict[str, Author]:
    made: dict[str, Author] = {}
    for spec in AUTHORS:
        author, _ = Author.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.name, "role": spec.role, "email": spec.email, "bio": spec.bio}
        )
        if author.photo_id is None:
            author.photo = _image(
                f"{spec.slug}.jpg",
                portraits[spec.slug],
                caption=spec.name,
                credit="Dateline graphics desk",
                credit_kind=Image.CreditKind.ILLUSTRATION,
                alt_text=f"Illustrated portrait of {spec.name}",
            )
            author.save(update_fields=["photo"])
        made[spec.slug] = author
    return made


def _article(
    spec: DemoArticle,
    *,
    day: date | None,
    today: date,
    rng: random.Random,
    sections: dict[str, Section],
    authors: dict[str, Author],
    tags: dict[str, Tag],
    images: dict[str, Image],
    outlets: dict[str, tuple[DemoOutlet, Outlet]],
    translation_of: Article | None,
    slugs: _Slugs,
    rows: _Rows,
) -> Article:
    publish_at = _moment(day, spec.hour, rng.randrange(0, 60, 5)) if day else None
    day = timezone.localdate(publish_at) if publish_at else today
    article = Article.objects.create(
        headline=spec.headline,
        slug=slugs.claim(day, spec.headline),
        standfirst=spec.standfirst,
        body=_body(spec.body),
        article_type=spec.kind,
        section=sections[spec.section],
        dateline=spec.dateline,
        language=spec.language,
        translation_of=translation_of,
        lead_image=images[spec.picture] if spec.picture else None,
        status=spec.status,
        publish_at=publish_at,
        comments=Story.Comments.OPEN if spec.kind == Article.ArticleType.OPINION else Story.Comments.AUTO,
    )
    rows.bylines += [
        Byline(article=article, author=authors[slug], role=role, order=order)
        for order, (slug, role) in enumerate(spec.authors)
    ]
    rows.tag(article, spec.tags, tags)
    for order, (key, title, days_before) in enumerate(spec.sources):
        demo_outlet, outlet = outlets[key]
        cited_on = day - timedelta(days=days_before)
        rows.sources.append(
            Source(
                story=article,
                outlet=outlet,
                title=title,
                url=_source_url(demo_outlet, cited_on, title),
                published_on=cited_on,
                order=order,
            )
        )
    return article


def _event(
    spec: DemoEvent,
    *,
    rng: random.Random,
    tags: dict[str, Tag],
    outlets: dict[str, tuple[DemoOutlet, Outlet]],
    slugs: _Slugs,
    rows: _Rows,
) -> Event:
    event = Event.objects.create(
        date=spec.day,
        slug=slugs.claim(spec.day, " ".join(plain_text(spec.summary).split()[:10])),
        summary=spec.summary,
        category=spec.category,
        status=Status.PUBLISHED,
        publish_at=_moment(spec.day, rng.randint(7, 21), rng.randrange(0, 60, 5)),
    )
    rows.tag(event, spec.tags, tags)
    title = plain_text(spec.headline)
    for order, key in enumerate(spec.outlets):
        demo_outlet, outlet = outlets[key]
        cited_on = spec.day + timedelta(days=1 if order and rng.random() < 0.4 else 0)
        rows.sources.append(
            Source(
                story=event,
                outlet=outlet,
                title=title,
                url=_source_url(demo_outlet, cited_on, title),
                published_on=cited_on,
                order=order,
            )
        )
    return event
