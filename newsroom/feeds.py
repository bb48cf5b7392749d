"""RSS 2.0 and Atom feeds: the latest stories, events, and each section, context and author.

Addresses: /feeds/latest/rss/, /feeds/events/rss/, /feeds/sections/<path>/rss/,
/feeds/tags/<slug>/rss/, /feeds/authors/<slug>/rss/, /feeds/corrections/rss/, each with an /atom/
twin. Every feed starts from the publication rule and costs the same few
queries however many stories it holds.
"""

from __future__ import annotations

import copy
import hashlib

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, linebreaks
from django.utils.http import parse_http_date_safe
from taggit.models import Tag

from . import pagecache
from .models import Author, Byline, Section, Story, TagRedirect
from .sanitize import clean_inline

FEED_SIZE = 30


class FeedMoved(Exception):
    """What a feed follows now lives at another address; the request is answered with a 301 there."""

    def __init__(self, address: str):
        super().__init__(address)
        self.address = address


class StoryFeed(Feed):
    feed_type = Rss201rev2Feed
    domain = ""

    def __call__(self, request, *args, **kwargs):
        # One feed object serves every request, so per-request details go on a copy.
        feed = copy.copy(self)
        feed.domain = get_current_site(request).domain.split(":")[0]
        try:
            response = Feed.__call__(feed, request, *args, **kwargs)
        except FeedMoved as moved:
            return HttpResponsePermanentRedirect(moved.address)
        return feed.conditional(request, response)

    @staticmethod
    def conditional(request, response):
        """Say how long the feed keeps and how to ask again cheaply, and answer 304 when nothing changed.

        Feed readers poll: a short max-age has them pick up new items within a minute or so, and the
        ETag (of the feed's bytes) with Last-Modified (its newest item, set by Django) lets each poll
        that finds nothing new cost a few bytes instead of the whole feed.
        """
        response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        patch_cache_control(response, public=True, max_age=pagecache.browser_max_age())
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)

    def stories(self, obj):
        return Story.objects.published()

    def items(self, obj):
        return (
            self.stories(obj)
            .select_related("article", "event")
            .prefetch_related("tags", Prefetch("article__bylines", queryset=Byline.objects.select_related("author")))
            .order_by("-publish_at", "-pk")[:FEED_SIZE]
        )

    def author_name(self, obj):
        return settings.DATELINE_SITE_NAME

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        if story.kind == Story.Kind.EVENT:
            return clean_inline(story.event.summary)
        return escape(story.article.standfirst)

    def item_link(self, story):
        return story.get_absolute_url()

    def item_guid(self, story):
        # Stable even when the story's date or slug (and so its address) changes.
        return f"tag:{self.domain or 'localhost'},{story.created_at:%Y-%m-%d}:story/{story.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, story):
        return story.publish_at

    def item_updateddate(self, story):
        return story.updated_at

    def item_author_name(self, story):
        if story.kind != Story.Kind.ARTICLE:
            return None
        names = [line.author.name for line in story.article.bylines.all()]
        return ", ".join(names) or None

    def item_categories(self, story):
        return [tag.name for tag in story.tags.all()]


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class LatestFeed(StoryFeed):
    def title(self):
        return f"{settings.DATELINE_SITE_NAME}: latest"

    def link(self):
        return reverse("newsroom:latest")

    def description(self, obj=None):
        return f"The newest articles and events from {settings.DATELINE_SITE_NAME}."


class EventsFeed(StoryFeed):
    def title(self):
        return f"{settings.DATELINE_SITE_NAME}: current events"

    def link(self):
        return reverse("newsroom:home")

    def description(self, obj=None):
        return "What happened, one sentence at a time, with sources."

    def stories(self, obj):
        return Story.objects.published().filter(kind=Story.Kind.EVENT)


class SectionFeed(StoryFeed):
    def get_object(self, request, path):
        return get_object_or_404(Section, path=path.strip("/"))

    def title(self, section):
        return f"{settings.DATELINE_SITE_NAME}: {section.name}"

    def link(self, section):
        return section.get_absolute_url()

    def description(self, section):
        return section.description or f"The newest stories in {section.name}."

    def stories(self, section):
        within = Q(article__section=section) | Q(article__section__path__startswith=f"{section.path}/")
        return Story.objects.published().filter(within)


class TagFeed(StoryFeed):
    route = "newsroom:feed_tag"

    def get_object(self, request, slug):
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            # Like the context's page: a context merged into another sends its followers to the survivor's feed.
            moved = TagRedirect.objects.select_related("tag").filter(old_slug=slug).first()
            if moved is not None:
                raise FeedMoved(reverse(self.route, kwargs={"slug": moved.tag.slug}))
            raise Http404("No such context.")
        return tag

    def title(self, tag):
        return f"{settings.DATELINE_SITE_NAME}: {tag.name}"

    def link(self, tag):
        return reverse("newsroom:tag", kwargs={"slug": tag.slug})

    def description(self, tag):
        return f"Articles and events about {tag.name}."

    def stories(self, tag):
        return Story.objects.published().filter(tagged_items__tag=tag)


class AuthorFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, author):
        return f"{settings.DATELINE_SITE_NAME}: {author.name}"

    def link(self, author):
        return author.get_absolute_url()

    def description(self, author):
        return f"Stories by {author.name}."

    def stories(self, author):
        return Story.objects.published().filter(article__bylines__author=author)


class CorrectionsFeed(Feed):
    """Every correction to a published story, newest first: what was wrong, and where it was put right."""

    feed_type = Rss201rev2Feed
    domain = ""

    def __call__(self, request, *args, **kwargs):
        feed = copy.copy(self)
        feed.domain = get_current_site(request).domain.split(":")[0]
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self):
        return f"{settings.DATELINE_SITE_NAME}: corrections"

    def link(self):
        return reverse("newsroom:corrections")

    def description(self, obj=None):
        return f"Every correction {settings.DATELINE_SITE_NAME} has made to a published story, newest first."

    def author_name(self, obj):
        return settings.DATELINE_SITE_NAME

    def items(self):
        from .models import Correction

        return (
            Correction.objects.filter(story__in=Story.objects.published())
            .select_related("story")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, correction):
        return f"Correction: {correction.story.title}"

    def item_description(self, correction):
        return linebreaks(correction.note, autoescape=True)

    def item_link(self, correction):
        return correction.get_absolute_url()

    def item_guid(self, correction):
        return f"tag:{self.domain or 'localhost'},{correction.published_at:%Y-%m-%d}:correction/{correction.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction):
        return correction.published_at

    def item_updateddate(self, correction):
        return correction.published_at


class CorrectionsAtomFeed(AtomMixin, CorrectionsFeed):
    pass


class LatestAtomFeed(AtomMixin, LatestFeed):
    pass


class EventsAtomFeed(AtomMixin, EventsFeed):
    pass


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    route = "newsroom:feed_tag_atom"


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
