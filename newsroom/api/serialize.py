"""Stories as the API shows them, built for a whole page in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from newsroom.models import Article, Byline, Correction, Section, Source, Story, slug_path

RENDITION_TYPE = "image/webp"


def with_parts(stories):
    """Everything a story in the API carries, fetched for the page at once: six queries whatever its size."""
    return stories.select_related("article__section", "article__lead_image", "event").prefetch_related(
        Prefetch(
            "article__bylines",
            queryset=Byline.objects.select_related("author").order_by("order", "pk"),
            to_attr="byline_list",
        ),
        Prefetch(
            "sources", queryset=Source.objects.select_related("outlet").order_by("order", "pk"), to_attr="source_list"
        ),
        Prefetch("tags", to_attr="context_list"),
        Prefetch("corrections", queryset=Correction.objects.order_by("published_at", "pk"), to_attr="correction_list"),
    )


class Shaper:
    """Turns rows into the API's dicts, with absolute addresses for this request."""

    def __init__(self, request):
        self.absolute = request.build_absolute_uri
        self.sections: dict[int, dict] = {}

    def context(self, tag) -> dict:
        return {"name": tag.name, "slug": tag.slug, "url": self.absolute(slug_path("newsroom:tag", tag.slug))}

    def section(self, section: Section | None) -> dict | None:
        if section is None:
            return None
        if section.pk not in self.sections:
            self.sections[section.pk] = {
                "id": section.pk,
                "name": section.name,
                "path": section.path,
                "parent_id": section.parent_id,
                "url": self.absolute(section.get_absolute_url()),
            }
        return self.sections[section.pk]

    def author(self, author, *, full: bool = False) -> dict:
        shaped = {
            "id": author.pk,
            "name": author.name,
            "slug": author.slug,
            "role": author.role,
            "url": self.absolute(slug_path("newsroom:author", author.slug)),
        }
        if full:
            shaped.update(email=author.email, bio=author.bio)
        return shaped

    def outlet(self, outlet) -> dict:
        return {"id": outlet.pk, "name": outlet.name, "homepage": outlet.homepage}

    def image(self, image) -> dict | None:
        if image is None:
            return None
        storage = image.file.storage
        return {
            "width": image.width,
            "height": image.height,
            "caption": image.caption,
            "credit": image.credit,
            "alt_text": image.alt_text,
            "renditions": [
                {
                    "url": self.absolute(storage.url(r["file"])),
                    "width": r["width"],
                    "height": r["height"],
                    "format": RENDITION_TYPE,
                }
                for r in image.rendition_list()
            ],
        }

    def tombstone(self, story: Story) -> dict:
        return {
            "id": story.pk,
            "url": self.absolute(story.get_absolute_url()),
            "withdrawn": True,
            "updated_at": story.updated_at,
        }

    def story(self, story: Story, translations: dict[int, list[Article]]) -> dict:
        shaped = {
            "id": story.pk,
            "kind": story.kind,
            "url": self.absolute(story.get_absolute_url()),
            "title": story.title,
            "slug": story.slug,
            "date": story.date,
            "published_at": story.publish_at,
            "updated_at": story.updated_at,
            "withdrawn": False,
            "contexts": [self.context(tag) for tag in sorted(story.context_list, key=lambda t: t.name.lower())],
            "sources": [
                {
                    "outlet": self.outlet(source.outlet),
                    "title": source.title,
                    "url": source.url,
                    "published_on": source.published_on,
                }
                for source in story.source_list
            ],
            "corrections": [{"note": c.note, "published_at": c.published_at} for c in story.correction_list],
            "article": None,
            "event": None,
        }
        if story.kind == Story.Kind.ARTICLE:
            article = story.article
            root = article.translation_of_id or article.pk
            shaped["article"] = {
                "headline": article.headline,
                "standfirst": article.standfirst,
                "body": article.body,
                "type": article.article_type,
                "section": self.section(article.section),
                "dateline": article.dateline,
                "language": article.language,
                "byline": [
                    {"author": self.author(line.author), "role": line.display_role} for line in article.byline_list
                ],
                "lead_image": self.image(article.lead_image),
                "translation_of": article.translation_of_id,
                "translations": [
                    {
                        "id": other.pk,
                        "language": other.language,
                        "title": other.title,
                        "url": self.absolute(other.get_absolute_url()),
                    }
                    for other in translations.get(root, [])
                    if other.pk != article.pk
                ],
            }
        else:
            event = story.event
            shaped["event"] = {
                "summary": event.summary,
                "category": event.category,
                "category_label": event.get_category_display(),
            }
        return shaped


def translations_for(stories: list[Story]) -> dict[int, list[Article]]:
    """The published members of each page article's translation family, in one query."""
    roots = {story.article.translation_of_id or story.pk for story in stories if story.kind == Story.Kind.ARTICLE}
    if not roots:
        return {}
    family: dict[int, list[Article]] = {}
    members = (
        Article.objects.published()
        .filter(Q(pk__in=roots) | Q(translation_of_id__in=roots))
        .only("kind", "date", "slug", "title", "language", "translation_of_id")
        .order_by("language", "pk")
    )
    for member in members:
        family.setdefault(member.translation_of_id or member.pk, []).append(member)
    return family
