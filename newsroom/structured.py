"""What a story page tells machines: schema.org JSON-LD, OpenGraph and language alternates.

Search engines and link previews read these instead of the visible page, so
they are built from the same objects the page shows and never from text the
template has already rendered.

Events are described as ``NewsArticle`` rather than schema.org ``Event``: an
entry here reports something that already happened, while ``Event`` describes
an occasion people attend (consumers expect a place, tickets and a start time,
and flag an Event without a location as broken). A one-sentence report with
its sources is a short news article; ``contentReferenceTime`` carries the day
the happening belongs to.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Image, Story, address_format
from .sanitize import plain_text

SCHEMA_TYPES = {
    Article.ArticleType.NEWS: "NewsArticle",
    Article.ArticleType.EDITORIAL: "OpinionNewsArticle",
    Article.ArticleType.OPINION: "OpinionNewsArticle",
    Article.ArticleType.ANALYSIS: "AnalysisNewsArticle",
}

# Share-card renderers crop anything narrower than about 1200 pixels.
SHARE_IMAGE_WIDTH = 1200

# Inside <script> the HTML parser looks for "</script" and "<!--" no matter what
# the JSON means, so those characters are written as JSON escapes instead.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_for_script(data: Any) -> SafeString:
    """JSON that can sit inside a ``<script>`` element whatever strings it holds."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))


def share_image(image: Image | None) -> dict | None:
    """The rendition to show in link previews: absolute-path URL with its pixel size."""
    if image is None or not image.file:
        return None
    renditions = image.rendition_list()
    if not renditions:
        return {"url": image.file.url, "width": image.width, "height": image.height}
    chosen = next((r for r in renditions if r["width"] >= SHARE_IMAGE_WIDTH), renditions[-1])
    return {"url": image.file.storage.url(chosen["file"]), "width": chosen["width"], "height": chosen["height"]}


def _publisher(request) -> dict:
    home = address_format("newsroom:home", get_script_prefix(), ()).format()
    return {"@type": "Organization", "name": settings.DATELINE_SITE_NAME, "url": request.build_absolute_uri(home)}


def _citations(story: Story) -> list[dict]:
    citations = []
    for source in story.sources.all():
        item = {
            "@type": "CreativeWork",
            "name": source.title or source.url,
            "url": source.url,
            "publisher": {"@type": "Organization", "name": source.outlet.name},
        }
        if source.published_on:
            item["datePublished"] = source.published_on.isoformat()
        citations.append(item)
    return citations


def _common(story: Story, request, description: str) -> dict:
    url = request.build_absolute_uri(story.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": _publisher(request),
    }
    if story.publish_at:
        data["datePublished"] = story.publish_at.isoformat()
        data["dateModified"] = max(story.updated_at, story.publish_at).isoformat()
    keywords = [tag.name for tag in story.tags.all()]
    if keywords:
        data["keywords"] = keywords
    citations = _citations(story)
    if citations:
        data["citation"] = citations
    return data


def article_data(story: Story, *, request, translations: list[Article] = ()) -> dict:
    """``story`` is the Story row the page loaded, with its contexts, sources and bylines prefetched."""
    article = story.article
    data = _common(story, request, description=plain_text(article.standfirst))
    # The page prints the headline as typed; a crawler should read the same words.
    data["headline"] = article.headline
    data["@type"] = SCHEMA_TYPES.get(article.article_type, "NewsArticle")
    data["inLanguage"] = article.language
    if article.section:
        data["articleSection"] = article.section.name
    if article.dateline:
        data["dateline"] = article.dateline
    authors = [
        {
            "@type": "Person",
            "name": line.author.name,
            "url": request.build_absolute_uri(line.author.get_absolute_url()),
        }
        for line in article.bylines.all()
    ]
    if authors:
        data["author"] = authors
    image = share_image(article.lead_image)
    if image:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(image["url"]),
            "width": image["width"],
            "height": image["height"],
        }
        if article.lead_image.caption:
            data["image"]["caption"] = article.lead_image.caption
    for other in translations:
        ref = {
            "@type": data["@type"],
            "url": request.build_absolute_uri(other.get_absolute_url()),
            "inLanguage": other.language,
        }
        if other.pk == article.translation_of_id:
            data["translationOfWork"] = ref
        elif not article.translation_of_id:
            data.setdefault("workTranslation", []).append(ref)
    return data


def event_data(story: Story, *, request) -> dict:
    event = story.event
    data = _common(story, request, description=story.title)
    data["articleSection"] = event.get_category_display()
    data["contentReferenceTime"] = event.date.isoformat()
    data["inLanguage"] = settings.LANGUAGE_CODE
    return data


def open_graph(
    story: Story, *, request, title: str, description: str, image: dict | None, section: str
) -> list[tuple[str, str]]:
    """(property, content) pairs for OpenGraph and the article: namespace, in document order."""
    pairs = [
        ("og:type", "article"),
        ("og:site_name", settings.DATELINE_SITE_NAME),
        ("og:title", title),
        ("og:description", description),
        ("og:url", request.build_absolute_uri(story.get_absolute_url())),
    ]
    if image:
        pairs += [
            ("og:image", request.build_absolute_uri(image["url"])),
            ("og:image:width", str(image["width"])),
            ("og:image:height", str(image["height"])),
        ]
        if image.get("alt"):
            pairs.append(("og:image:alt", image["alt"]))
    if story.publish_at:
        pairs.append(("article:published_time", story.publish_at.isoformat()))
        pairs.append(("article:modified_time", max(story.updated_at, story.publish_at).isoformat()))
    if section:
        pairs.append(("article:section", section))
    if story.kind == Story.Kind.ARTICLE:
        for line in story.article.bylines.all():
            pairs.append(("article:author", request.build_absolute_uri(line.author.get_absolute_url())))
    for tag in story.tags.all():
        pairs.append(("article:tag", tag.name))
    return pairs


def language_alternates(article: Article, translations: list[Article], *, request) -> list[dict]:
    """``hreflang`` links between an article and its published translations, self included.

    ``x-default`` points at the original, or at this page when the original is
    not public: that is the version to show a reader whose language none match.
    """
    if not translations:
        return []
    versions = sorted([article, *translations], key=lambda a: a.language)
    links = [{"hreflang": a.language, "href": request.build_absolute_uri(a.get_absolute_url())} for a in versions]
    root_id = article.translation_of_id or article.pk
    original = next((a for a in versions if a.pk == root_id), article)
    links.append({"hreflang": "x-default", "href": request.build_absolute_uri(original.get_absolute_url())})
    return links
