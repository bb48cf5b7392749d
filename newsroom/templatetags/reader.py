"""Reader-facing extras for story pages: machine-readable metadata, share links, most read, Markdown."""

from __future__ import annotations

import html
from functools import cache
from urllib.parse import quote, quote_plus

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

from newsroom import markdown, popularity, structured
from newsroom.models import Story
from newsroom.sanitize import plain_text

from .calendar_days import date as date_filter

register = template.Library()


def _canonical(request, story: Story) -> str:
    return request.build_absolute_uri(story.get_absolute_url())


@register.simple_tag(takes_context=True)
def story_meta(context) -> SafeString:
    """OpenGraph, Twitter card, language alternates, the Markdown twin and JSON-LD for a story page.

    Written here, not in an included template: one tag per property, on every story page.
    """
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
    pairs = structured.open_graph(
        story, request=request, title=title, description=description, image=image, section=section
    )
    lines = [f'<meta property="{name}" content="{_attribute(content)}">\n  ' for name, content in pairs]
    lines.append(f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">\n  ')
    lines += [
        f'<link rel="alternate" hreflang="{conditional_escape(alternate["hreflang"])}" '
        f'href="{conditional_escape(alternate["href"])}">\n  '
        for alternate in alternates
    ]
    markdown_url = markdown.story_url(story) if story.is_published else ""
    if markdown_url:
        lines.append(
            f'<link rel="alternate" type="text/markdown" href="{conditional_escape(markdown_url)}" '
            f'title="{escape(gettext("This story as Markdown"))}">\n  '
        )
    lines.append(f'<script type="application/ld+json">{structured.json_for_script(data)}</script>\n')
    return mark_safe("".join(lines))


def _attribute(value) -> str:
    """``value`` escaped for an HTML attribute, as ``conditional_escape`` would, without its lazy-string wrapper."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


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


@cache
def _share_words(language: str | None) -> dict[str, str]:
    """The share box's heading and print line in ``language``: translated once per language and process."""
    with translation.override(language):
        return {"heading": html.escape(gettext("Share this story")), "permalink": gettext("Read online at %(address)s")}


# The share box and the sources are written here rather than in included templates: they close every story
# page, and walking a template's nodes for each of their links cost more than writing the links out.
SHARE_LINK = (
    '<li><a class="share__link" href="{href}" rel="noopener noreferrer"><span class="visually-hidden">{prefix}</span>'
    "{name}</a></li>\n    "
)
SHARE_BOX = (
    '<section class="share" aria-labelledby="share-heading">\n'
    '  <h2 id="share-heading">{heading}</h2>\n'
    '  <ul class="share__list">\n'
    "    {links}\n"
    "  </ul>\n"
    "</section>\n"
    '<p class="print-only permalink">{permalink}</p>\n'
)


@register.simple_tag(takes_context=True)
def share_links(context) -> SafeString:
    """``{% share_links %}``: the story's share box, and its address for print (see SHARE_BOX)."""
    story: Story = context["story"]
    url = _canonical(context["request"], story)
    title = story.article.headline if story.kind == Story.Kind.ARTICLE else story.title
    words = _share_words(translation.get_language())
    links = [
        SHARE_LINK.format(
            href=html.escape(link["href"]), prefix=html.escape(link["prefix"]), name=html.escape(link["name"])
        )
        for link in share_links_for(title, url)
    ]
    permalink = words["permalink"] % {"address": html.escape(url)}
    return mark_safe(SHARE_BOX.format(heading=words["heading"], links="".join(links), permalink=permalink))


SOURCE_ITEM = "\n      <li>{cited}{published}{archived}</li>\n    "
SOURCE_LIST = (
    '\n<section class="sources" aria-labelledby="sources-heading">\n'
    '  <h2 id="sources-heading">{heading}</h2>\n'
    '  <ol class="sources__list">\n'
    "    {items}\n"
    "  </ol>\n"
    "</section>\n"
)


@register.simple_tag
def source_list(story: Story) -> SafeString:
    """``{% source_list story %}``: the sources a story cites, each with its outlet, date and archived copy."""
    sources = story.sources.all()
    if not sources:
        return ""
    items = []
    for source in sources:
        url, outlet = conditional_escape(source.url), conditional_escape(source.outlet.name)
        if source.title:
            cited = (
                f'<span class="sources__outlet">{outlet}</span>: '
                f'<a href="{url}" rel="noopener nofollow">{conditional_escape(source.title)}</a>'
            )
        else:
            cited = f'<a class="sources__outlet" href="{url}" rel="noopener nofollow">{outlet}</a>'
        published = ""
        if source.published_on:
            day = source.published_on
            published = f' <time datetime="{day.isoformat()}">({escape(date_filter(day, "j M Y"))})</time>'
        archived = ""
        if source.reader_archived_copy:
            archived = (
                f' <span class="sources__gone">({escape(gettext("link gone:"))} '
                f'<a href="{conditional_escape(source.reader_archived_copy)}" rel="noopener nofollow">'
                f"{escape(gettext('archived copy'))}</a>)</span>"
            )
        items.append(SOURCE_ITEM.format(cited=cited, published=published, archived=archived))
    return mark_safe(SOURCE_LIST.format(heading=escape(gettext("Sources")), items="".join(items)))


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
