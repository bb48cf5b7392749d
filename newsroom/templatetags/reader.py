"""Reader-facing extras for story pages: machine-readable metadata, share links, most read, Markdown."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from django import template
from django.urls import reverse
from django.utils.translation import gettext

from newsroom import markdown, popularity, structured
from newsroom.models import Story
from newsroom.sanitize import plain_text

register = template.Library()


def _canonical(request, story: Story) -> str:
    return request.build_absolute_uri(story.get_absolute_url())


@register.inclusion_tag("includes/story_meta.html", takes_context=True)
def story_meta(context):
    """OpenGraph, Twitter card, language alternates, the Markdown twin and JSON-LD for a story page."""
    request = context["request"]
    story: Story = context["story"]
    translations = context.get("translations") or []
    if story.kind == Story.Kind.ARTICLE:
        article = story.article
        title = article.headline
        description = plain_text(article.standfirst) or story.title
        image = structured.share_image(article.lead_image)
        if image:
            image["alt"] = article.lead_image.alt_text
        section = article.section.name if article.section else ""
        data = structured.article_data(story, request=request, translations=translations)
        alternates = structured.language_alternates(article, translations, request=request)
    else:
        event = story.event
        title = description = story.title
        image = None
        section = event.get_category_display()
        data = structured.event_data(story, request=request)
        alternates = []
    return {
        "open_graph": structured.open_graph(
            story, request=request, title=title, description=description, image=image, section=section
        ),
        "twitter_card": "summary_large_image" if image else "summary",
        "alternates": alternates,
        "markdown_url": markdown.story_url(story) if story.is_published else "",
        "jsonld": structured.json_for_script(data),
    }


# Each network's share address, with the story's title and address put in already quoted (as urlencode would
# quote them): quoting them once for all seven links, not once per parameter, halves what a share box costs.
SHARE_TARGETS = [
    ("Bluesky", "https://bsky.app/intent/compose?text={title}+{url}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("Reddit", "https://www.reddit.com/submit?url={url}&title={title}"),
    ("WhatsApp", "https://wa.me/?text={title}+{url}"),
    ("X", "https://x.com/intent/post?text={title}&url={url}"),
]


def share_links_for(title: str, url: str) -> list[dict]:
    """Plain share addresses: no script, no counter, nothing loaded from the networks."""
    mail_title, mail_url = quote(title, safe=""), quote(url, safe="")
    mail = f"mailto:?subject={mail_title}&body={mail_title}%0A%0A{mail_url}"
    # The prefix is read by screen readers only: "Share on Bluesky", where the button shows "Bluesky".
    links = [{"name": gettext("Email"), "prefix": gettext("Share by") + " ", "href": mail}]
    prefix = gettext("Share on") + " "
    quoted = {"title": quote_plus(title, safe=""), "url": quote_plus(url, safe="")}
    for name, address in SHARE_TARGETS:
        links.append({"name": name, "prefix": prefix, "href": address.format_map(quoted)})
    return links


@register.inclusion_tag("includes/share.html", takes_context=True)
def share_links(context):
    story: Story = context["story"]
    url = _canonical(context["request"], story)
    title = story.article.headline if story.kind == Story.Kind.ARTICLE else story.title
    return {"links": share_links_for(title, url), "canonical_url": url}


@register.inclusion_tag("includes/most_read.html")
def most_read(story: Story | None = None, heading_class: str = ""):
    """``{% most_read %}``, or ``{% most_read story %}`` on a story page so it does not list itself.

    In beacon mode the box is there even while the list is empty (hidden), and names the address of the
    current list: a page kept by an HTTP cache may be hours old, and its script puts the current list in.
    """
    exclude_url = story.get_absolute_url() if story is not None else ""
    refresh = reverse("newsroom:most_read") if popularity.counting() == popularity.BEACON else ""
    return {
        "items": popularity.most_read(exclude_url=exclude_url),
        "heading_class": heading_class,
        "refresh": refresh,
        "top": popularity.TOP,
    }


@register.inclusion_tag("includes/reads_script.html")
def reads_script(story: Story | None = None):
    """In beacon mode, the script that reports a published story's read and refreshes the "most read" box."""
    beacon = popularity.counting() == popularity.BEACON
    read_url = ""
    if beacon and story is not None and story.is_published:
        read_url = reverse("newsroom:read", kwargs={"story_id": story.pk})
    return {"beacon": beacon, "read_url": read_url}


@register.simple_tag
def story_markdown(story, related):
    """The Markdown twin of a story; ``related`` comes from the one Related ranking.

    Used only in ``.md`` templates, which turn autoescaping off: the text is
    escaped for Markdown by ``newsroom.markdown`` and served as text/markdown.
    """
    return markdown.story_document(story, related)
