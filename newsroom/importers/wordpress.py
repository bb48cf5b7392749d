"""Importing a WordPress export (WXR): posts become articles, with their authors, sections, contexts,
approved comments and pictures, and their old addresses answering 301.

Records are read one at a time (see ``wxr.py``); each is written in its own savepoint, so a post at fault
is reported with its line and the rest still go in. Every imported post, attachment and comment is
remembered with a digest of what the export said: importing the same file again changes nothing, and a
newer export updates exactly the posts that changed.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone
from taggit.models import Tag

from newsroom.comments.models import Comment
from newsroom.images import check_upload
from newsroom.invalidation import purges_deferred
from newsroom.models import Article, Author, Byline, Image, Section, Story, TaggedStory, ascii_slugify
from newsroom.querysets import LIVE_STATUSES, Status
from newsroom.sanitize import clean_body, plain_text

from .models import LegacyAddress, WordPressItem
from .wxr import Record, WxrError, records

ARTICLE_TYPES = set(Article.ArticleType.values)
STATUSES = {"publish": Status.PUBLISHED, "future": Status.SCHEDULED, "draft": Status.DRAFT, "pending": Status.REVIEW}
SLUG_LENGTH = 80
BATCH = 500
PROGRESS_EVERY = 1000

# Shortcodes: [name attrs], [/name]; [[name]] is WordPress's way of writing a literal [name].
SHORTCODE = re.compile(r"\[(\[?)(/?)([A-Za-z][\w-]*)((?:[^\[\]\"']|\"[^\"]*\"|'[^']*')*?)(/?)\](\]?)")
EMBED = re.compile(r"\[embed[^\]]*\]\s*(https?://[^\s\[]+)\s*\[/embed\]", re.IGNORECASE)
BLOCK_START = re.compile(r"^\s*<(p|h[1-6]|ul|ol|blockquote|figure|div|table|pre|hr)[\s>/]", re.IGNORECASE)


@dataclass
class Fault:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"


@dataclass
class Report:
    posts: Counts = field(default_factory=Counts)
    images: Counts = field(default_factory=Counts)
    comments: Counts = field(default_factory=Counts)
    authors: int = 0
    sections: int = 0
    faults: list[Fault] = field(default_factory=list)
    records: int = 0


# Body text ------------------------------------------------------------------------------------------------


def strip_shortcodes(text: str) -> str:
    """Embeds become links; every other shortcode goes and the text it wrapped stays."""
    text = EMBED.sub(lambda m: f'\n\n<p><a href="{html.escape(m[1])}">{html.escape(m[1])}</a></p>\n\n', text)

    def replace(match: re.Match) -> str:
        if match[1] and match[6]:
            return match[0][1:-1]
        return ""

    return SHORTCODE.sub(replace, text)


def paragraphs(text: str) -> str:
    """WordPress stores bodies with blank lines for paragraphs and single newlines for line breaks."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        block = block.strip()
        if not block:
            continue
        if BLOCK_START.match(block):
            blocks.append(block)
        else:
            blocks.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
    return "\n".join(blocks)


def body_from(content: str) -> str:
    return clean_body(paragraphs(strip_shortcodes(content)))


# Small readers ---------------------------------------------------------------------------------------------


def gmt(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def meta(record: Record, key: str) -> str:
    for item in record.element.findall("wp:postmeta"):
        if (item.findtext("wp:meta_key") or "") == key:
            return item.findtext("wp:meta_value") or ""
    return ""


def old_path(url: str) -> str | None:
    parts = urlsplit(url or "")
    if not parts.path or parts.path == "/" or parts.query:
        return None
    return unquote(parts.path)[:500]


def digest(record: Record, *extra: str) -> str:
    from xml.etree.ElementTree import tostring

    hashed = hashlib.sha256(tostring(record.element))
    for part in extra:
        hashed.update(part.encode())
    return hashed.hexdigest()


def slug_for(name: str, fallback: str) -> str:
    return (ascii_slugify(unquote(name or "")) or ascii_slugify(fallback) or "story")[:SLUG_LENGTH].strip("-")


# The importer -----------------------------------------------------------------------------------------------


class WordPressImporter:
    def __init__(self, *, uploads: Path | None, kinds: dict[str, str], dry_run: bool = False):
        self.uploads = Path(uploads) if uploads else None
        self.kinds = kinds
        self.dry_run = dry_run
        self.report = Report()
        self.sections: dict[str, int] = {}
        self.section_parents: list[tuple[str, str, int]] = []
        # Posts whose featured picture comes later in the file: (story id, attachment id). Two integers each.
        self.waiting_pictures: list[tuple[int, int, int]] = []
        # Attachments a dry run found good but did not store, so their posts are not reported as missing them.
        self.dry_run_images: set[int] = set()
        # Authors and contexts repeat across thousands of posts: each is looked up once a run, by slug or by
        # lower-cased name, instead of once a post. Both stay small (one entry per distinct author or tag).
        self.author_ids: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}

    def fault(self, line: int, reason: str) -> None:
        self.report.faults.append(Fault(line, reason))

    def run(self, stream: BinaryIO, progress: Callable[[Report], None] | None = None) -> Report:
        # A real import commits every BATCH records, so a long run keeps what it did if stopped and the disk
        # is not asked to sync for every post; a dry run is one transaction, rolled back at the end.
        incoming = records(stream)
        # The caches are cleared with the purge below: an import moves nearly every list, so one site-wide
        # purge at the end replaces the per-story work the signals would do for each save.
        with transaction.atomic() if self.dry_run else nullcontext(), purges_deferred():
            finished = False
            while not finished:
                with transaction.atomic():
                    batch = 0
                    try:
                        for record in islice(incoming, BATCH):
                            batch += 1
                            self.report.records += 1
                            self.handle(record)
                            if progress and self.report.records % PROGRESS_EVERY == 0:
                                progress(self.report)
                    except WxrError as error:
                        # The records before the break stay imported.
                        self.fault(error.line, f"{error.reason}; nothing after it was read")
                        finished = True
                    finished = finished or batch < BATCH
            with transaction.atomic():
                self.finish()
            if self.dry_run:
                transaction.set_rollback(True)
        return self.report

    def handle(self, record: Record) -> None:
        handler = {
            "wp:author": self.author,
            "wp:category": self.category,
            "item": self.item,
        }.get(record.tag)
        if handler is None:
            return
        try:
            with transaction.atomic():
                handler(record)
        except (ValidationError, DatabaseError, ValueError, OSError) as error:
            reason = "; ".join(getattr(error, "messages", None) or [str(error)])
            # An author or context made for this record went with its savepoint: look them up afresh.
            self.author_ids.clear()
            self.tag_ids.clear()
            self.fault(record.line, f"not imported: {reason}")
            if record.tag == "item":
                self.report.posts.skipped += 1

    # Channel records --------------------------------------------------------------------------------------

    def author(self, record: Record) -> None:
        login = record.text("wp:author_login").strip()
        name = plain_text(record.text("wp:author_display_name")) or login
        slug = slug_for(login, name)
        if not login:
            self.fault(record.line, "an author without a login is skipped")
            return
        author, created = Author.objects.get_or_create(slug=slug, defaults={"name": name[:150]})
        if created:
            self.report.authors += 1
        self.author_ids[slug] = author.pk

    def category(self, record: Record) -> None:
        nicename = unquote(record.text("wp:category_nicename")).strip()
        name = plain_text(record.text("wp:cat_name")) or nicename
        slug = slug_for(nicename, name)
        parent = unquote(record.text("wp:category_parent")).strip()
        section = Section.objects.filter(path=slug, parent=None).first() if not parent else None
        if parent and parent in self.sections:
            parent_section = Section.objects.get(pk=self.sections[parent])
            section = Section.objects.filter(path=f"{parent_section.path}/{slug}").first()
            if section is None:
                section = Section.objects.create(name=name[:100], slug=slug, parent=parent_section)
                self.report.sections += 1
        elif section is None:
            # A parent named later in the file: the section starts at the top and moves under it at the end.
            section = Section.objects.filter(slug=slug).first() or Section.objects.create(name=name[:100], slug=slug)
            self.report.sections += 1
            if parent:
                self.section_parents.append((nicename, parent, record.line))
        self.sections[nicename] = section.pk

    # Items ------------------------------------------------------------------------------------------------

    def item(self, record: Record) -> None:
        kind = record.text("wp:post_type").strip()
        if kind == "attachment":
            self.attachment(record)
        elif kind == "post":
            self.post(record)
        else:
            self.report.posts.skipped += 1

    def attachment(self, record: Record) -> None:
        wp_id = int(record.text("wp:post_id") or 0)
        url = record.text("wp:attachment_url").strip()
        fingerprint = digest(record)
        known = WordPressItem.objects.filter(kind="attachment", wp_id=wp_id).first()
        if known is not None and known.digest == fingerprint:
            self.report.images.unchanged += 1
            return
        path = self.local_file(url)
        if path is None:
            self.fault(
                record.line, f"attachment {wp_id}: no file for {url or 'an empty address'} in the uploads folder"
            )
            self.report.images.skipped += 1
            return
        caption = plain_text(record.text("excerpt:encoded"))[:300]
        alt_text = plain_text(meta(record, "_wp_attachment_image_alt"))[:300]
        if known is not None:
            Image.objects.filter(pk=known.object_id).update(caption=caption, alt_text=alt_text)
            WordPressItem.objects.filter(pk=known.pk).update(digest=fingerprint)
            self.report.images.updated += 1
            return
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            check_upload(upload)
            if self.dry_run:
                self.dry_run_images.add(wp_id)
                self.report.images.created += 1
                return
            image = Image(file=upload, caption=caption, alt_text=alt_text)
            image.save()
        WordPressItem.objects.create(
            kind="attachment", wp_id=wp_id, guid=record.text("guid")[:500], object_id=image.pk, digest=fingerprint
        )
        self.report.images.created += 1

    def local_file(self, url: str) -> Path | None:
        if self.uploads is None or not url:
            return None
        path = unquote(urlsplit(url).path)
        marker = "/uploads/"
        relative = path.split(marker, 1)[1] if marker in path else path.lstrip("/")
        candidate = (self.uploads / PurePosixPath(relative)).resolve()
        root = self.uploads.resolve()
        # An address with ../ in it must not read files outside the folder given.
        if root not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def post(self, record: Record) -> None:
        wp_id = int(record.text("wp:post_id") or 0)
        if not wp_id:
            raise ValueError("the post has no wp:post_id")
        status = STATUSES.get(record.text("wp:status").strip())
        if status is None:
            self.report.posts.skipped += 1
            return
        headline = plain_text(record.text("title"))[:300]
        if not headline:
            self.fault(record.line, f"post {wp_id} has no title; skipped")
            self.report.posts.skipped += 1
            return
        fingerprint = digest(record, repr(sorted(self.kinds.items())))
        known = WordPressItem.objects.filter(kind="post", wp_id=wp_id).first()
        article = Article.objects.filter(pk=known.object_id).first() if known else None
        if article is not None and known.digest == fingerprint:
            self.report.posts.unchanged += 1
            self.comments(record, article)
            return
        publish_at = gmt(record.text("wp:post_date_gmt"))
        if status == Status.PUBLISHED and publish_at is None:
            raise ValueError(f"post {wp_id} is published but has no wp:post_date_gmt")
        if status == Status.PUBLISHED and publish_at > timezone.now():
            status = Status.SCHEDULED
        if status == Status.SCHEDULED and publish_at is None:
            status = Status.DRAFT
        categories = [
            unquote(element.get("nicename", ""))
            for element in record.element.findall("category")
            if element.get("domain") == "category"
        ]
        tags = [
            plain_text(element.text or "")[:100]
            for element in record.element.findall("category")
            if element.get("domain") == "post_tag"
        ]
        article_type = next((self.kinds[name] for name in categories if name in self.kinds), "news")
        section_id = next((self.sections[name] for name in categories if name in self.sections), None)
        creating = article is None
        if creating:
            article = Article(status=status, publish_at=publish_at)
        elif status != article.status and article.status not in (Status.WITHDRAWN,):
            article.status = status
        article.headline = headline
        article.standfirst = plain_text(record.text("excerpt:encoded"))
        article.body = body_from(record.text("content:encoded"))
        article.article_type = article_type
        article.section_id = section_id
        if creating or article.status != Status.PUBLISHED:
            article.publish_at = publish_at
        article.slug = self.free_slug(article, slug_for(record.text("wp:post_name"), headline), publish_at)
        article.save()
        self.contexts(article, tags, creating)
        self.byline(article, record.text("dc:creator").strip(), creating)
        thumbnail = meta(record, "_thumbnail_id")
        if thumbnail.isdigit():
            self.picture(article, int(thumbnail), record.line)
        path = old_path(record.text("link"))
        if path and path != article.get_absolute_url():
            # One upsert instead of a locking read, then an insert or an update.
            LegacyAddress.objects.bulk_create(
                [LegacyAddress(path=path, story=article)],
                update_conflicts=True,
                unique_fields=["path"],
                update_fields=["story"],
            )
        if creating and known is None:
            WordPressItem.objects.create(
                kind="post", wp_id=wp_id, guid=record.text("guid")[:500], object_id=article.pk, digest=fingerprint
            )
            self.report.posts.created += 1
        elif creating:
            # Imported before, but its story has since been deleted: the post comes back as a new story.
            WordPressItem.objects.filter(pk=known.pk).update(
                guid=record.text("guid")[:500], object_id=article.pk, digest=fingerprint
            )
            self.report.posts.created += 1
        else:
            WordPressItem.objects.filter(pk=known.pk).update(digest=fingerprint)
            self.report.posts.updated += 1
        self.comments(record, article)

    def free_slug(self, article: Article, wanted: str, publish_at: datetime | None) -> str:
        """The post's own slug, or with -2, -3... when another story already has it on that day."""
        article.publish_at = article.publish_at or publish_at
        day = article.compute_date()
        taken = set(
            Story.objects.filter(date=day, slug__startswith=wanted)
            .exclude(pk=article.pk)
            .values_list("slug", flat=True)
        )
        slug, number = wanted, 1
        while slug in taken:
            number += 1
            slug = f"{wanted[: SLUG_LENGTH - len(str(number)) - 1]}-{number}"
        return slug

    def contexts(self, article: Article, names: list[str], creating: bool) -> None:
        """The post's tags become the story's contexts, exactly those, as ``article.tags.set`` would make them.

        The links are written in one statement rather than taggit's lookup, insert and signal per tag.
        """
        wanted: dict[int, None] = {}
        for name in names:
            if not name:
                continue
            key = name.lower()
            tag_id = self.tag_ids.get(key)
            if tag_id is None:
                # Contexts match by name whatever the case, as taggit does here (TAGGIT_CASE_INSENSITIVE).
                tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
                tag_id = self.tag_ids[key] = tag.pk
            wanted[tag_id] = None
        have = set() if creating else set(article.tagged_items.values_list("tag_id", flat=True))
        gone = have.difference(wanted)
        if gone:
            article.tagged_items.filter(tag_id__in=gone).delete()
        listed = article.status in LIVE_STATUSES
        new = [
            TaggedStory(
                content_object=article,
                tag_id=tag_id,
                story_date=article.date,
                story_publish_at=article.publish_at,
                listed=listed,
            )
            for tag_id in wanted
            if tag_id not in have
        ]
        if new:
            # The links carry the listing order of the story saved just above, so the plain manager writes them
            # without TaggedStory.objects reading the story back.
            TaggedStory._base_manager.bulk_create(new)

    def byline(self, article: Article, login: str, creating: bool = False) -> None:
        if not login:
            return
        slug = slug_for(login, login)
        author_id = self.author_ids.get(slug)
        if author_id is None:
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                author = Author.objects.create(name=login[:150], slug=slug)
                self.report.authors += 1
            author_id = self.author_ids[slug] = author.pk
        if creating:
            Byline.objects.create(article=article, author_id=author_id, order=0)
        elif not Byline.objects.filter(article=article, author_id=author_id).exists():
            Byline.objects.filter(article=article).delete()
            Byline.objects.create(article=article, author_id=author_id, order=0)

    def picture(self, article: Article, attachment_id: int, line: int) -> None:
        known = WordPressItem.objects.filter(kind="attachment", wp_id=attachment_id).first()
        if known is None:
            self.waiting_pictures.append((article.pk, attachment_id, line))
            return
        if article.lead_image_id != known.object_id:
            Article.objects.filter(pk=article.pk).update(lead_image_id=known.object_id)

    def comments(self, record: Record, article: Article) -> None:
        for element in record.element.findall("wp:comment"):
            if (element.findtext("wp:comment_approved") or "").strip() != "1":
                continue
            if (element.findtext("wp:comment_type") or "comment").strip() not in ("", "comment"):
                continue
            wp_id = int(element.findtext("wp:comment_id") or 0)
            body = plain_text(element.findtext("wp:comment_content") or "")
            fingerprint = hashlib.sha256(body.encode()).hexdigest()
            known = WordPressItem.objects.filter(kind="comment", wp_id=wp_id).first()
            if known is not None:
                if known.digest == fingerprint:
                    self.report.comments.unchanged += 1
                else:
                    Comment.objects.filter(pk=known.object_id).update(body=body)
                    WordPressItem.objects.filter(pk=known.pk).update(digest=fingerprint)
                    self.report.comments.updated += 1
                continue
            if not body:
                self.report.comments.skipped += 1
                continue
            url = (element.findtext("wp:comment_author_url") or "").strip()
            comment = Comment(
                story=article,
                name=(plain_text(element.findtext("wp:comment_author") or "") or "Reader")[:100],
                email=(element.findtext("wp:comment_author_email") or "").strip()[:254],
                url=url[:500] if url.startswith(("http://", "https://")) else "",
                body=body,
                status="approved",
                ip_address=(element.findtext("wp:comment_author_IP") or "").strip() or None,
            )
            try:
                comment.full_clean(exclude=["story", "user", "moderated_by", "commenter_key", "body_hash"])
            except ValidationError as error:
                self.fault(record.line, f"comment {wp_id} on post {article.pk}: {'; '.join(error.messages)}")
                self.report.comments.skipped += 1
                continue
            comment.save()
            posted = gmt(element.findtext("wp:comment_date_gmt") or "")
            if posted:
                # The posting time is set by the database on insert; the reader's own time is kept after.
                Comment.objects.filter(pk=comment.pk).update(created_at=posted)
            WordPressItem.objects.create(kind="comment", wp_id=wp_id, object_id=comment.pk, digest=fingerprint)
            self.report.comments.created += 1

    def finish(self) -> None:
        for nicename, parent, line in self.section_parents:
            if parent not in self.sections:
                self.fault(line, f"category {nicename!r} names a parent {parent!r} the file does not have")
                continue
            section = Section.objects.get(pk=self.sections[nicename])
            section.parent_id = self.sections[parent]
            section.save()
        for story_id, attachment_id, line in self.waiting_pictures:
            known = WordPressItem.objects.filter(kind="attachment", wp_id=attachment_id).first()
            if known is None and attachment_id in self.dry_run_images:
                continue
            if known is None:
                self.fault(line, f"the featured picture (attachment {attachment_id}) was not imported")
                continue
            Article.objects.filter(pk=story_id).update(lead_image_id=known.object_id)


def read_kinds(path: Path | None, pairs: list[str]) -> dict[str, str]:
    """Category slug -> article kind, from a small TOML file ([kinds] table) and/or name=kind pairs."""
    import tomllib

    kinds: dict[str, str] = {}
    if path is not None:
        with open(path, "rb") as handle:
            kinds.update(tomllib.load(handle).get("kinds", {}))
    for pair in pairs:
        name, _, kind = pair.partition("=")
        kinds[name.strip()] = kind.strip()
    wrong = {kind for kind in kinds.values() if kind not in ARTICLE_TYPES}
    if wrong:
        raise ValueError(f"unknown article kinds {sorted(wrong)}; use {sorted(ARTICLE_TYPES)}")
    return kinds
