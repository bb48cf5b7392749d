"""Dateline's editorial core.

Articles and events are both *stories*: one concrete ``Story`` table holds what
they share (date and slug, title text, status, publish time, tags, sources,
related links, comment setting), and ``Article`` (here) and ``events.Event``
extend it one-to-one. Day pages, tag pages, feeds and Related lists are then
one indexed query over one table.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from urllib.parse import quote

import reversion
from anyascii import anyascii
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import DatabaseError, models, router, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import slugify
from django.utils.translation import gettext_noop
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag, TaggedItemBase

from . import surrogate
from .images import (
    PREPARED_ATTRIBUTE,
    MediaStorageUnavailable,
    SafeImageField,
    delete_files_quietly,
    store_renditions,
)
from .images import prepare as prepare_image
from .querysets import LIVE_STATUSES, Status, StoryManager
from .sanitize import clean_body, clean_inline, plain_text

logger = logging.getLogger(__name__)


def ascii_slugify(value: str) -> str:
    """Slugs are ASCII: accents are transliterated, never dropped or mangled.

    Only new rows get a computed slug (an empty one is filled in on save), so a change in
    transliteration never moves a published address.
    """
    return slugify(anyascii(value or ""))[:200].strip("-")


class Section(models.Model):
    name = models.CharField("name", max_length=100, help_text="Shown in navigation and breadcrumbs.")
    slug = models.SlugField(
        "slug", max_length=100, help_text="The last part of the section's address, e.g. 'editorials'."
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="parent section",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level section. Opinion is the parent of Editorials.",
    )
    order = models.PositiveSmallIntegerField("order", default=0, help_text="Lower numbers come first in navigation.")
    description = models.TextField(
        "description", blank=True, help_text="One or two sentences shown on the section page."
    )
    comment_max_length = models.PositiveIntegerField(
        "comment length limit",
        null=True,
        blank=True,
        validators=[MinValueValidator(20)],
        help_text="Most characters a comment may have on this section's stories. Empty: the site's limit.",
    )
    comments_require_account = models.BooleanField(
        "only signed-in readers may comment",
        default=False,
        help_text="Guests must sign in to comment on this section's stories.",
    )
    freeze_after_days = models.PositiveIntegerField(
        "freeze after (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Days after publication from which a story here changes only through a recorded correction, "
        "and its comments close. Empty: the site's default.",
    )
    path = models.CharField(
        max_length=400, unique=True, editable=False, help_text="Full address path, e.g. 'opinion/editorials'."
    )

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="section_unique_slug_per_parent"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="section_unique_top_level_slug"
            ),
        ]

    def __str__(self) -> str:
        return " › ".join(s.name for s in self.ancestors(include_self=True))

    def get_absolute_url(self) -> str:
        # A page linking to the section shows its name, but needs no key of its own for it: a change to any
        # section purges every page (the header names the sections), and the section's key stays for the
        # pages that list its stories, so a new story does not purge every page that merely links here.
        # As reverse() quotes a path argument, without walking the resolver: lists link a section per item.
        return address_format("newsroom:section", get_script_prefix(), ("path",)).format(
            path=quote(self.path, safe=RFC3986_SUBDELIMS + "/~:@")
        )

    def ancestors(self, include_self: bool = False) -> list[Section]:
        chain: list[Section] = [self] if include_self else []
        node, seen = self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.insert(0, node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def attach_ancestors(self) -> None:
        """Load the sections above this one in one query, found by their paths, so ``ancestors`` reads none.

        A story page names its section's ancestors in the breadcrumb. Joining them into the story's own
        query cost more to build than this lookup, which a story in a top-level section never runs.
        """
        if self.parent_id is None or "parent" in self._state.fields_cache:
            return
        slugs = self.path.split("/")
        prefixes = ["/".join(slugs[:depth]) for depth in range(1, len(slugs))]
        found = {section.path: section for section in Section.objects.using(self._state.db).filter(path__in=prefixes)}
        child = self
        for prefix in reversed(prefixes):
            parent = found.get(prefix)
            if parent is None or parent.pk != child.parent_id:
                # A path out of step with the parents (never saved through save()): the rest loads as asked.
                return
            child.parent = parent
            child = parent
            if child.parent_id is None:
                return

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": "A section cannot sit inside itself."})
            node = node.parent

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = "/".join(s.slug for s in self.ancestors(include_self=True))
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()


class Image(models.Model):
    file = SafeImageField(
        "image file",
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF. Large files and huge pixel counts are refused.",
    )
    caption = models.CharField(
        "caption", max_length=300, blank=True, help_text="Describes what the picture shows, for readers."
    )

    class CreditKind(models.TextChoices):
        PHOTO = "photo", gettext_noop("Photo")
        ILLUSTRATION = "illustration", gettext_noop("Illustration")
        GRAPHIC = "graphic", gettext_noop("Graphic")

    credit = models.CharField(
        "credit", max_length=200, blank=True, help_text="Photographer and agency, e.g. 'Ana Ruiz / Dateline'."
    )
    credit_kind = models.CharField(
        "kind of picture",
        max_length=20,
        choices=CreditKind.choices,
        default=CreditKind.PHOTO,
        help_text="Readers see it before the credit: 'Photo: Ana Ruiz / Dateline'.",
    )
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What a reader who cannot see the image needs to know. Required before publishing.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    renditions = models.JSONField(
        default=dict, editable=False, help_text="WebP renditions by width, built once on upload."
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.alt_text or self.file.name

    def save(self, *args, **kwargs) -> None:
        rebuild = bool(self.file) and (self._state.adding or self._file_changed())
        if not rebuild:
            super().save(*args, **kwargs)
            return
        # Decoded before anything is stored: a damaged or oversized file raises ValidationError here
        # and leaves neither a row nor a file behind. Renditions are only made from a file that decoded.
        if self.file._committed:
            with self.file.open("rb") as handle:
                prepared = prepare_image(handle)
        else:
            prepared = getattr(self.file.file, PREPARED_ATTRIBUTE, None) or prepare_image(self.file.file)
        storage = self.file.storage
        stored_here = not self.file._committed
        renditions: dict[str, dict] = {}
        with transaction.atomic():
            try:
                super().save(*args, **kwargs)
                renditions = store_renditions(storage, self.file.name, prepared.renditions)
                self.renditions = renditions
                # Storing the file set width and height from its pixels; pages want them as displayed.
                self.width, self.height = prepared.width, prepared.height
                super().save(update_fields=["renditions", "width", "height"])
            except BaseException as error:
                # The row is rolled back; the files this save wrote go with it.
                written = [name for r in renditions.values() for name in (r.get("file"), r.get("avif")) if name]
                if stored_here and self.file._committed:
                    written.append(self.file.name)
                delete_files_quietly(storage, written)
                if isinstance(error, Exception) and not isinstance(error, (DatabaseError, ValidationError)):
                    # The storage failed (a full disk, a bucket that cannot be reached): said as such, so the
                    # form that saved this can ask the editor to try again instead of answering 500.
                    logger.error("media storage: could not store %s: %r", self.file.name, error)
                    raise MediaStorageUnavailable.from_error(error) from error
                raise

    def _file_changed(self) -> bool:
        if not self.pk:
            return True
        previous = Image.objects.filter(pk=self.pk).values_list("file", flat=True).first()
        return previous != self.file.name

    @property
    def credit_line(self) -> str:
        """The credit as readers see it, with its label: "Photo: Ana Ruiz / Dateline"."""
        return f"{self.get_credit_kind_display()}: {self.credit}" if self.credit else ""

    def rendition_list(self) -> list[dict]:
        return sorted(self.renditions.values(), key=lambda r: r["width"])

    def srcset(self) -> str:
        storage = self.file.storage
        return ", ".join(f"{storage.url(r['file'])} {r['width']}w" for r in self.rendition_list())

    def avif_srcset(self) -> str:
        """The AVIF renditions as a srcset, or "" while any width still lacks one (the WebP set then serves)."""
        items = self.rendition_list()
        if not items or not all(r.get("avif") for r in items):
            return ""
        storage = self.file.storage
        return ", ".join(f"{storage.url(r['avif'])} {r['width']}w" for r in items)

    def best_url(self, width: int = 960) -> str:
        """URL of the smallest rendition at least ``width`` wide (or the largest)."""
        items = self.rendition_list()
        if not items:
            return self.file.url
        for item in items:
            if item["width"] >= width:
                return self.file.storage.url(item["file"])
        return self.file.storage.url(items[-1]["file"])


class Author(models.Model):
    name = models.CharField("name", max_length=150, help_text="As it appears in bylines.")
    slug = models.SlugField("slug", max_length=150, unique=True, help_text="Used in the author's page address.")
    role = models.CharField("role", max_length=100, blank=True, help_text="Usual title, e.g. 'Correspondent'.")
    email = models.EmailField("public email", blank=True, help_text="Shown in bylines so readers can write in.")
    bio = models.TextField("biography", blank=True, help_text="A short paragraph for the author page.")
    photo = models.ForeignKey(
        Image, verbose_name="photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="login account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="Link to the account this person signs in with, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # A page linking to the author shows their name: kept under a key that changes only with the author
        # (the author's own key is for the pages listing their stories, which change with every byline).
        surrogate.add(surrogate.author_name_key(self.slug))
        return slug_path("newsroom:author", self.slug)


class Outlet(models.Model):
    name = models.CharField(
        "name", max_length=200, unique=True, help_text="The publication cited, e.g. 'Harbour Gazette'."
    )
    homepage = models.URLField("homepage", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaggedStoryManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill in each link's copy of its story's listing order, which bulk_create would skip with save()."""
        objs = list(objs)
        stories = {
            pk: (day, publish_at, status in LIVE_STATUSES)
            for pk, day, publish_at, status in Story.objects.filter(
                pk__in={link.content_object_id for link in objs}
            ).values_list("pk", "date", "publish_at", "status")
        }
        for link in objs:
            if link.content_object_id in stories:
                link.story_date, link.story_publish_at, link.listed = stories[link.content_object_id]
        return super().bulk_create(objs, *args, **kwargs)


class TaggedStory(TaggedItemBase):
    """Taggit through model with a real foreign key to Story (integer joins).

    Each link also carries a copy of its story's listing order (day and publish
    time) and whether the story is live, so a context page reads its stories
    in order from one index on this table alone: page 5,000 of "China" walks
    narrow index entries instead of joining a hundred thousand stories. save(),
    bulk_create(), Story.save() and revision restores keep the copy current; the
    public pages still check ``published()`` on the stories they show, so a
    stale copy could only ever make a page one story short, never show a draft.
    """

    content_object = models.ForeignKey("Story", on_delete=models.CASCADE, related_name="tagged_items")
    # Taggit's own field, without its index on the context alone: the indexes below start with the context and
    # serve every lookup by it. Left in place, a plan made for any context (Related's, events.related) could
    # read all of a context's links through it and sort them, where the listing index reads a handful.
    tag = models.ForeignKey(Tag, related_name="%(app_label)s_%(class)s_items", on_delete=models.CASCADE, db_index=False)
    story_date = models.DateField(null=True, editable=False)
    story_publish_at = models.DateTimeField(null=True, editable=False)
    listed = models.BooleanField(default=False, editable=False)

    objects = TaggedStoryManager()

    class Meta:
        verbose_name = "context"
        verbose_name_plural = "contexts"
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_story_unique")]
        indexes = [
            models.Index(fields=["tag", "content_object"], name="tagged_story_tag_story"),
            # The context page's order, newest first; only live stories are listed.
            models.Index(
                fields=["tag", "-story_date", "-story_publish_at", "-content_object"],
                condition=Q(listed=True),
                name="tagged_story_listing",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        story = self.content_object
        self.story_date, self.story_publish_at = story.date, story.publish_at
        self.listed = story.status in LIVE_STATUSES
        super().save(*args, **kwargs)

    @classmethod
    def sync_listing(cls, story_ids) -> int:
        """Copy the listing order and live state of these stories onto their context links."""
        stories = Story.objects.filter(pk=models.OuterRef("content_object_id"))
        return cls.objects.filter(content_object_id__in=story_ids).update(
            story_date=models.Subquery(stories.values("date")[:1]),
            story_publish_at=models.Subquery(stories.values("publish_at")[:1]),
            listed=models.Exists(stories.filter(status__in=LIVE_STATUSES)),
        )


# Values each public route accepts that appear nowhere else in its address: reversing a route once
# with them shows where the real values go.
ADDRESS_MARKERS = {
    "year": "9731",
    "month": "97",
    "day": "98",
    "slug": "dateline-address-slug",
    "pk": "97319",
    "story_id": "97318",
    "path": "dateline-address-path",
}


@cache
def address_format(name: str, script_prefix: str, keys: tuple[str, ...]) -> str:
    """The route ``name`` as a format string with a field per key, e.g. "/news/{year}/{month}/{day}/{slug}/".

    A list page links to dozens of stories and authors; walking the URL resolver for each link cost
    more than the page's queries. Keyed by the script prefix, which can differ between requests.
    """
    address = reverse(name, kwargs={key: ADDRESS_MARKERS[key] for key in keys})
    if not address.startswith(script_prefix):
        raise ValueError(f"{address} does not start with the script prefix {script_prefix}")
    route = address[len(script_prefix) :].replace("{", "{{").replace("}", "}}")
    for key in keys:
        route = route.replace(ADDRESS_MARKERS[key], "{" + key + "}", 1)
    return script_prefix.replace("{", "{{").replace("}", "}}") + route


def slug_path(name: str, slug: str) -> str:
    """``reverse(name, kwargs={"slug": slug})`` for routes whose only argument is a slug.

    The routes' slug converter takes ASCII letters, digits, "-" and "_" only: nothing to quote.
    """
    return address_format(name, get_script_prefix(), ("slug",)).format(slug=slug)


def pk_path(name: str, pk: int) -> str:
    """``reverse(name, kwargs={"pk": pk})`` for routes whose only argument is a whole number."""
    return address_format(name, get_script_prefix(), ("pk",)).format(pk=int(pk))


def story_path(day: date, slug: str) -> str:
    """The address of the story published on ``day`` under ``slug``."""
    return address_format("newsroom:story", get_script_prefix(), ("year", "month", "day", "slug")).format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}", slug=slug
    )


# When a change to a story became visible to readers: its last save, or its publish time when that came later.
CHANGED = Greatest("updated_at", Coalesce("publish_at", "updated_at"))

ARCHIVE_KEYS = {"year": ("year",), "month": ("year", "month"), "day": ("year", "month", "day")}


def archive_path(day: date, period: str = "day") -> str:
    """The address of the year, month or day page holding ``day``: ``reverse()`` without walking the resolver.

    Lists link every item's day and /news/ every year; reversing each link cost more than the rest of the item.
    """
    return address_format(f"newsroom:{period}", get_script_prefix(), ARCHIVE_KEYS[period]).format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}"
    )


class ContextsManager(_TaggableManager):
    """A story's contexts, in the order they were given to it, whether read one story at a time or prefetched.

    taggit orders one story's contexts by when each was added, as the story form lists them, but its prefetch
    (the story page, feeds, the content API) asked for no order: pages showed them in whatever order the
    database returned, unlike the form and not the same on SQLite and PostgreSQL.
    """

    def get_prefetch_querysets(self, instances, querysets=None):
        queryset, *rest = super().get_prefetch_querysets(instances, querysets)
        added = f"{self.through.tag.field.related_query_name()}__pk"
        return (queryset.order_by(added), *rest)


class Story(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        EVENT = "event", "Event"

    class Comments(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        AUTO = "auto", "Close after a number of days"

    kind = models.CharField(max_length=10, choices=Kind.choices, editable=False, db_index=False)
    date = models.DateField(
        "date",
        help_text="The day the story belongs to in the newsroom's time zone; part of its address.",
    )
    slug = models.SlugField(
        "slug",
        max_length=200,
        allow_unicode=False,
        blank=True,
        help_text="Last part of the address, unique per day across articles and events. "
        "Leave empty to make one from the headline or summary.",
    )
    title = models.CharField(max_length=500, editable=False, help_text="Plain-text headline or summary.")
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When the story goes public. A future time with status Scheduled publishes it then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    comments = models.CharField(
        "comments",
        max_length=8,
        choices=Comments.choices,
        default=Comments.AUTO,
        help_text="Whether readers may comment. 'Close after' uses the number of days below.",
    )
    comments_close_after_days = models.PositiveSmallIntegerField(
        "close after (days)",
        default=14,
        validators=[MinValueValidator(1)],
        help_text="Used when comments close after a number of days.",
    )
    comment_max_length = models.PositiveIntegerField(
        "comment length limit",
        null=True,
        blank=True,
        validators=[MinValueValidator(20)],
        help_text="Most characters a reader's comment may have here. Empty: the section's or the site's limit.",
    )
    comments_require_account = models.BooleanField(
        "only signed-in readers may comment",
        default=False,
        help_text="Guests see a link to sign in instead of the form. The section may also require it.",
    )
    # Weighted words of the headline, standfirst or summary and body, kept current by
    # newsroom.search after each save. Only PostgreSQL fills it; elsewhere it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic locking: every save moves this on by one, and an editor's form carries the number it was
    # opened at, so a save made on top of someone else's is refused instead of silently overwriting it.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    tags = TaggableManager(
        manager=ContextsManager,
        through=TaggedStory,
        verbose_name="contexts",
        blank=True,
        help_text="Contexts shared by articles and events, e.g. 'Elections', 'Harbour'.",
    )

    objects = StoryManager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-date", "-publish_at", "-pk"]
        permissions = [
            ("submit_story", "Can submit a story for review"),
            ("publish_story", "Can publish or schedule a story"),
            ("withdraw_story", "Can withdraw a published story"),
            ("correct_story", "Can add a correction to a story"),
            ("merge_tags", "Can merge contexts"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["date", "slug"], name="story_unique_slug_per_day"),
            models.CheckConstraint(
                condition=~Q(status__in=LIVE_STATUSES) | Q(publish_at__isnull=False),
                name="story_live_needs_publish_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "date"], name="story_status_date"),
            models.Index(fields=["date", "kind"], name="story_date_kind"),
            models.Index(fields=["status", "publish_at"], name="story_status_publish_at"),
            # Live stories in the orders readers see: lists (day, then time) and feeds (time alone).
            models.Index(
                fields=["-date", "-publish_at", "-id"],
                condition=Q(status__in=LIVE_STATUSES),
                name="story_live_listing",
            ),
            models.Index(
                fields=["-publish_at", "-id"], condition=Q(status__in=LIVE_STATUSES), name="story_live_publish_at"
            ),
            # The admin lists' sort by publish time, whatever the state.
            models.Index(fields=["publish_at", "id"], name="story_publish_at"),
            # The content API's sync order (newsroom.api, updated_since): when a change became visible, the
            # later of the last save and the publish time, since a scheduled story goes out without a save.
            models.Index(CHANGED, "id", name="story_changed"),
        ]

    def __str__(self) -> str:
        return self.title or self.slug

    def get_absolute_url(self) -> str:
        # Every page that links to a story shows something of it: it is kept under the story's key.
        surrogate.add(surrogate.story_key(self.pk))
        return story_path(self.date, self.slug)

    @property
    def specific(self):
        """The Article or Event this story is, using an already-joined row when there is one."""
        return getattr(self, self.kind)

    @property
    def is_published(self) -> bool:
        return self.status in LIVE_STATUSES and self.publish_at is not None and self.publish_at <= timezone.now()

    def compute_date(self) -> date:
        """Articles take their date from the publish time; events set it themselves."""
        return self.date

    def compute_title(self) -> str:
        return self.title

    def default_slug(self) -> str:
        return ascii_slugify(self.compute_title()) or self.kind or "story"

    def clean(self) -> None:
        super().clean()
        if self.status in LIVE_STATUSES and not self.publish_at:
            if self.status == Status.SCHEDULED:
                raise ValidationError({"publish_at": "A scheduled story needs a publish time."})
            self.publish_at = timezone.now()
        if not self.slug:
            self.slug = self.default_slug()
        day = self.compute_date()
        if day and self.slug:
            clash = Story.objects.filter(date=day, slug=self.slug).exclude(pk=self.pk)
            if clash.exists():
                other = clash.first()
                raise ValidationError(
                    {
                        "slug": (
                            f"Another {other.kind} on {day:%-d %B %Y} already uses the address "
                            f"'{self.slug}' (\u201c{other.title[:80]}\u201d). Choose a different slug."
                        )
                    }
                )

    def save(self, *args, **kwargs) -> None:
        if self.status in LIVE_STATUSES and not self.publish_at:
            self.publish_at = timezone.now()
        self.title = self.compute_title()[:500]
        if not self.slug:
            self.slug = self.default_slug()
        self.date = self.compute_date()
        if self.pk and not self._state.adding:
            self.version = (self.version or 0) + 1
        using = kwargs.get("using") or router.db_for_write(Story, instance=self)
        # The archive's counts (newsroom.archive) move with the story in one transaction, so they never disagree.
        with transaction.atomic(using=using):
            previous = None
            if self.pk:
                previous = (
                    Story.objects.using(using).filter(pk=self.pk).values("date", "slug", "status", "publish_at").first()
                )
            super().save(*args, **kwargs)
            from .archive import story_saved

            story_saved(previous, self, update_fields=kwargs.get("update_fields"), using=using)
        if previous and (previous["date"], previous["status"], previous["publish_at"]) != (
            self.date,
            self.status,
            self.publish_at,
        ):
            self.tagged_items.update(
                story_date=self.date, story_publish_at=self.publish_at, listed=self.status in LIVE_STATUSES
            )
        if previous and (previous["date"], previous["slug"]) != (self.date, self.slug):
            was_public = previous["status"] in LIVE_STATUSES and previous["publish_at"] is not None
            if was_public:
                StoryRedirect.objects.update_or_create(
                    old_date=previous["date"], old_slug=previous["slug"], defaults={"story": self}
                )
            # A story that moves back onto an old address no longer needs that redirect.
            StoryRedirect.objects.filter(old_date=self.date, old_slug=self.slug).delete()


class StoryRedirect(models.Model):
    """An old (date, slug) pair of a published story, answered with a 301."""

    old_date = models.DateField()
    old_slug = models.SlugField(max_length=200)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["old_date", "old_slug"], name="story_redirect_unique")]

    def __str__(self) -> str:
        return f"{self.old_date}/{self.old_slug} → {self.story}"


class LinkCheck(models.Model):
    """What the last check of one cited address found, and since when.

    Kept per address rather than per citation: several stories often cite the same piece, and one
    request answers for all of them (fewer requests to the outlet, one status everywhere).
    """

    class Status(models.TextChoices):
        OK = "ok", "Working"
        REDIRECTED = "redirected", "Moved"
        GONE = "gone", "Gone"
        ERROR = "error", "Not answering"
        BLOCKED = "blocked", "Not checked (robots.txt)"

    url = models.URLField("link", max_length=1000, unique=True)
    status = models.CharField("status", max_length=12, choices=Status.choices)
    status_since = models.DateTimeField("status since", help_text="When the link first answered this way.")
    checked_at = models.DateTimeField("last checked", db_index=True)
    redirect_to = models.URLField("moved to", max_length=1000, blank=True)
    detail = models.CharField("detail", max_length=200, blank=True, help_text="E.g. 'HTTP 503' or 'timed out'.")

    class Meta:
        verbose_name = "link check"
        ordering = ["url"]
        indexes = [models.Index(fields=["status", "url"], name="link_check_status_url")]

    def __str__(self) -> str:
        return f"{self.url}: {self.get_status_display()}"

    @property
    def is_broken(self) -> bool:
        return self.status in BROKEN_LINK_STATUSES


BROKEN_LINK_STATUSES = (LinkCheck.Status.GONE, LinkCheck.Status.ERROR)


def wayback_address(url: str, day: date) -> str:
    """The web archive's address for its copy of ``url`` nearest to ``day`` (the archive finds the closest)."""
    return f"https://web.archive.org/web/{day:%Y%m%d}000000/{url}"


class Source(models.Model):
    """A citation: which outlet said it, under what title, at which address."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="sources")
    outlet = models.ForeignKey(Outlet, verbose_name="outlet", on_delete=models.PROTECT, related_name="citations")
    title = models.CharField("title", max_length=300, blank=True, help_text="The cited piece's own headline.")
    url = models.URLField("link", max_length=1000, help_text="Address of the cited piece.")
    published_on = models.DateField("dated", null=True, blank=True, help_text="When the outlet published it.")
    # db_default: rows written straight to the table (bulk loads, COPY) need not name these columns.
    archived_url = models.URLField(
        "archived copy",
        max_length=1200,
        blank=True,
        default="",
        db_default="",
        help_text="A saved copy of the cited piece, shown to readers if the link stops working.",
    )
    # Filled in by check_sources when the link is found gone and no archived copy was given.
    proposed_archived_url = models.URLField(
        "proposed archived copy", max_length=1200, blank=True, editable=False, default="", db_default=""
    )
    order = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [
            models.Index(fields=["story", "order"], name="source_story_order"),
            models.Index(fields=["url"], name="source_url"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet}: {self.title or self.url}"

    @property
    def archived_copy(self) -> str:
        """The archived copy readers are offered: the editor's own, else the one proposed."""
        return self.archived_url or self.proposed_archived_url

    def proposed_archive_address(self) -> str:
        return wayback_address(self.url, self.published_on or self.story.date)

    @property
    def is_gone(self) -> bool:
        """Whether the last check found the link gone; needs ``cited_sources()``'s annotation."""
        return getattr(self, "link_status", None) == LinkCheck.Status.GONE

    @property
    def reader_archived_copy(self) -> str:
        """The archived copy readers are shown: only beside a link the last check found gone."""
        return self.archived_copy if self.is_gone else ""


def cited_sources():
    """Sources as readers see them: outlet joined, and the last check's status read in the same query.

    The status is a subquery written out once, not an ORM ``Subquery``: every story page builds this
    queryset, and resolving an ``OuterRef`` cost more than the lookup it makes.
    """
    status = RawSQL(_link_status_sql(), (), output_field=models.CharField())
    return Source.objects.select_related("outlet").annotate(link_status=status)


@cache
def _link_status_sql() -> str:
    checks, sources = LinkCheck._meta.db_table, Source._meta.db_table
    url, status = LinkCheck._meta.get_field("url").column, LinkCheck._meta.get_field("status").column
    source_url = Source._meta.get_field("url").column
    return f'SELECT "{checks}"."{status}" FROM "{checks}" WHERE "{checks}"."{url}" = "{sources}"."{source_url}" LIMIT 1'


class RelatedLink(models.Model):
    """An editor's cross-reference from a story to another story or to an outside page."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Story,
        verbose_name="story",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="linked_from",
        help_text="Another article or event on this site.",
    )
    url = models.URLField("outside link", max_length=1000, blank=True, help_text="Or a page elsewhere.")
    label = models.CharField(
        "label", max_length=300, blank=True, help_text="Optional text to show instead of the headline."
    )
    order = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(url="")) | (Q(target__isnull=True) & ~Q(url="")),
                name="related_link_story_xor_url",
            ),
            models.CheckConstraint(condition=~Q(target=models.F("story")), name="related_link_not_self"),
        ]

    def __str__(self) -> str:
        return self.label or (str(self.target) if self.target_id else self.url)

    def clean(self) -> None:
        if bool(self.target_id) == bool(self.url):
            raise ValidationError("Choose either a story on this site or an outside link, not both.")
        if self.target_id and self.target_id == self.story_id:
            raise ValidationError({"target": "A story cannot link to itself."})


class Article(Story):
    class ArticleType(models.TextChoices):
        # Marked for the catalogue only: pages translate the label where they show it.
        NEWS = "news", gettext_noop("News")
        EDITORIAL = "editorial", gettext_noop("Editorial")
        OPINION = "opinion", gettext_noop("Opinion")
        ANALYSIS = "analysis", gettext_noop("Analysis")

    headline = models.CharField("headline", max_length=300, help_text="Plain words, no full stop.")
    standfirst = models.TextField(
        "standfirst", blank=True, help_text="One or two sentences under the headline that sum the story up."
    )
    body = models.TextField(
        "body",
        blank=True,
        help_text="Paragraphs, subheadings, lists, quotes and links. Other HTML is removed when saved.",
    )
    article_type = models.CharField("kind", max_length=10, choices=ArticleType.choices, default=ArticleType.NEWS)
    section = models.ForeignKey(
        Section, verbose_name="section", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    dateline = models.CharField("dateline", max_length=100, blank=True, help_text="Where it was filed, e.g. 'PORTO'.")
    language = models.CharField("language", max_length=10, choices=settings.LANGUAGES, default="en", db_index=True)
    translation_of = models.ForeignKey(
        "self",
        verbose_name="translation of",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text="The original article, if this one is a translation of it.",
    )
    lead_image = models.ForeignKey(
        Image, verbose_name="lead image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)

    objects = StoryManager()

    class Meta:
        ordering = ["-date", "-publish_at", "-pk"]
        indexes = [models.Index(fields=["section", "article_type"], name="article_section_type")]

    def __str__(self) -> str:
        return self.headline

    def compute_date(self) -> date:
        moment = self.publish_at or timezone.now()
        return timezone.localdate(moment)

    def compute_title(self) -> str:
        return plain_text(self.headline)

    def save(self, *args, **kwargs) -> None:
        self.kind = Story.Kind.ARTICLE
        self.body = clean_body(self.body)
        if self.translation_of_id == self.pk and self.pk:
            self.translation_of = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.translation_of_id and self.pk and self.translation_of_id == self.pk:
            raise ValidationError({"translation_of": "An article cannot be a translation of itself."})
        super().clean()

    @property
    def translation_root_id(self) -> int:
        return self.translation_of_id or self.pk


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, verbose_name="author", on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(
        "role on this piece",
        max_length=100,
        blank=True,
        help_text="E.g. 'Additional reporting'. Leave empty to use the author's usual role.",
    )
    order = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author")]

    def __str__(self) -> str:
        return f"{self.author} ({self.display_role})" if self.display_role else str(self.author)

    @property
    def display_role(self) -> str:
        return self.role or self.author.role


class StoryViewCount(models.Model):
    """Reader page views of one story in one clock hour, moved here from the cache in batches.

    Page views are counted in the cache; ``newsroom.popularity.flush`` adds them
    to these rows so the "most read now" list is one indexed query.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="view_counts")
    hour = models.DateTimeField(help_text="Start of the hour, in UTC.")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "hour"], name="story_view_count_unique_hour")]
        indexes = [models.Index(fields=["hour", "story"], name="story_view_count_hour")]

    def __str__(self) -> str:
        return f"{self.story_id} @ {self.hour:%Y-%m-%d %H:00}: {self.views}"


__all__ = [
    "Article",
    "Author",
    "Byline",
    "Image",
    "LinkCheck",
    "Outlet",
    "RelatedLink",
    "Section",
    "Source",
    "Status",
    "Story",
    "StoryRedirect",
    "StoryViewCount",
    "TaggedStory",
    "clean_inline",
]


# The editorial workflow: who moved a story between states, corrections, preview links, merged contexts.


class StoryTransition(models.Model):
    """One move of a story between workflow states: the audit trail on its admin page."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("from", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("to", max_length=12, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="by",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the scheduled publisher made the move.",
    )
    at = models.DateTimeField("when", default=timezone.now)
    publish_at = models.DateTimeField("publish time", null=True, blank=True)
    note = models.TextField(
        "note", blank=True, help_text="Why, in the editor's words: a withdrawal reason or a checklist override."
    )
    checklist_overridden = models.BooleanField("checklist overridden", default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["story", "at"], name="story_transition_story_at")]

    def __str__(self) -> str:
        return f"{self.story_id}: {self.from_status or 'new'} → {self.to_status}"


class Correction(models.Model):
    """A dated, public note saying what was wrong in a story and what was put right."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    note = models.TextField("correction", help_text="What was wrong and what it now says, in a sentence or two.")
    published_at = models.DateTimeField("dated", default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="by", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.published_at:%Y-%m-%d}: {self.note[:60]}"

    def get_absolute_url(self) -> str:
        return f"{self.story.get_absolute_url()}#corrections"


def preview_key() -> str:
    from secrets import token_urlsafe

    return token_urlsafe(24)


class PreviewLink(models.Model):
    """A link that lets someone without an account read one story before it is published."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="preview_links")
    key = models.CharField(max_length=64, unique=True, default=preview_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expires")
    revoked = models.BooleanField("revoked", default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Preview of {self.story} until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from .preview import sign

        return reverse("newsroom:preview", kwargs={"token": sign(self.key)})

    @property
    def is_usable(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()


class TagRedirect(models.Model):
    """The address of a context merged into another one, answered with a 301."""

    old_slug = models.SlugField(max_length=100, unique=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.tag}"


__all__ += ["Correction", "PreviewLink", "StoryTransition", "TagRedirect"]


# Every save keeps a revision. Tags and bylines are kept through their own rows (the "follow" lists),
# so a restore brings back the contexts, sources, links and byline a story had then.
reversion.register(Story, exclude=("tags", "search_vector"), follow=("sources", "related_links", "tagged_items"))
reversion.register(Article, exclude=("authors",), follow=("story_ptr", "bylines"))
reversion.register(Source)
reversion.register(RelatedLink)
reversion.register(Byline)
reversion.register(TaggedStory)


class ArchiveMonth(models.Model):
    """How many live stories each month of the archive holds, kept by ``newsroom.archive``.

    "Live" is the publication rule without its clock: published or scheduled, whatever the
    publish time. The few stories still waiting for their time are taken off when the figures
    are read, so a scheduled story is counted from the moment it goes public with nothing to run.
    Archive pages read these few hundred rows instead of grouping and counting the story table.
    """

    month = models.DateField(primary_key=True, help_text="The first day of the month.")
    stories = models.IntegerField(default=0)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.stories}"


__all__ += ["ArchiveMonth"]


class ContextMonth(models.Model):
    """How many live stories a context holds in a month: a context page's timeline, kept by the database.

    Triggers on the context links' table (migration 0015) add and take off one story per link as links
    are made, removed or change their copy of the story's day and state, whatever wrote them: a save, a
    bulk load, a merge of two contexts, a deleted story. "Live" is the links' own ``listed`` flag with a
    publish time; stories still waiting for theirs are taken off when the figures are read
    (``newsroom.threads.context_years``), as for the archive's months. A busy context's page reads its
    few hundred rows here instead of counting a quarter of a million links on every render.
    """

    tag_id = models.IntegerField()
    month = models.DateField(help_text="The first day of the month.")
    stories = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag_id", "month"], name="context_month_unique")]

    def __str__(self) -> str:
        return f"{self.tag_id} {self.month:%Y-%m}: {self.stories}"


__all__ += ["ContextMonth"]


class SectionMonth(models.Model):
    """How many live stories a section holds in a month (not counting its subsections), kept by the database.

    Triggers on the story, article and byline tables (migration 0016) keep this and ``AuthorMonth`` whatever
    writes them; ``newsroom.listcounts`` reads them to number a section's or an author's pages, and to start
    a deep page's reading at the month it falls in, without counting or walking every story on each render.
    """

    section_id = models.IntegerField()
    month = models.DateField(help_text="The first day of the month.")
    stories = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section_id", "month"], name="section_month_unique")]

    def __str__(self) -> str:
        return f"section {self.section_id} {self.month:%Y-%m}: {self.stories}"


class AuthorMonth(models.Model):
    """How many live stories carry an author's byline in a month, kept by the database (see ``SectionMonth``)."""

    author_id = models.IntegerField()
    month = models.DateField(help_text="The first day of the month.")
    stories = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["author_id", "month"], name="author_month_unique")]

    def __str__(self) -> str:
        return f"author {self.author_id} {self.month:%Y-%m}: {self.stories}"


__all__ += ["SectionMonth", "AuthorMonth"]
