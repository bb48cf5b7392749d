import html
import itertools
from functools import cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, TokenType, Variable, VariableNode
from django.template.defaulttags import CommentNode, URLNode
from django.template.library import SimpleNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()

LANGUAGE_NAMES = dict(settings.LANGUAGES)
NATIVE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "pt": "Português",
    "ar": "العربية",
    "zh-hans": "简体中文",
    "ja": "日本語",
    "ko": "한국어",
    "ru": "Русский",
}


@register.filter
def native_language(code: str) -> str:
    """A language named in itself, as readers of that language look for it."""
    return NATIVE_NAMES.get(code, LANGUAGE_NAMES.get(code, code))


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current address with only the page number changed, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def archive_url(day, period="day"):
    """``{{ story.date|archive_url }}``, ``{{ month|archive_url:"month" }}``: the archive page of a date."""
    from newsroom.models import archive_path

    if not day or period not in ("year", "month", "day"):
        return ""
    return archive_path(day, period)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% fixed_url "newsroom:home" %}``: ``{% url %}`` for a route with no arguments, worked out once.

    Every page's header and footer link the same dozen addresses; walking the URL resolver for each of them
    on every page cost more than some of the pages' own lists.
    """
    from django.urls import get_script_prefix

    from newsroom.models import address_format

    return address_format(name, get_script_prefix(), ()).format()


@register.simple_tag
def nav_items(sections) -> str:
    """``{% nav_items nav_sections %}``: the header's sections, each a list item with its link.

    Written out here rather than with a loop of template tags: the header is on every page.
    """
    return mark_safe(
        "".join(
            f'<li><a href="{conditional_escape(section["url"])}">{conditional_escape(section["name"])}</a></li>'
            for section in sections
        )
    )


@register.filter
def tag_url(tag) -> str:
    """``{{ tag|tag_url }}``: a context's page, for lists that link many contexts (Related links up to thirty)."""
    from newsroom.models import slug_path

    return slug_path("newsroom:tag", tag.slug)


@register.simple_tag
def context_list(story):
    """``{% context_list story %}``: the contexts a story is filed under, each linking to its page."""
    tags = story.tags.all()
    if not tags:
        return ""
    label = conditional_escape(gettext("Contexts"))
    items = "".join(f'<li><a href="{tag_url(tag)}">{conditional_escape(tag.name)}</a></li>' for tag in tags)
    return mark_safe(f'\n<nav class="contexts" aria-label="{label}">\n  <h2>{label}</h2>\n  <ul>{items}</ul>\n</nav>\n')


@cache
def _event_item_words(event_model, language: str | None) -> dict:
    """The words of an event's list item in ``language``: its categories, months and link, escaped."""
    with translation.override(language):
        return {
            "categories": {
                value: html.escape(gettext(str(label).replace("%", "%%")))
                for value, label in event_model._meta.get_field("category").flatchoices
            },
            "months": {month: str(MONTHS_3[month]).title() for month in range(1, 13)},
            "more": html.escape(gettext("Sources and related")),
        }


def _category_words(event, words: dict) -> str:
    """An event's category as ``words`` have it, escaped (worked out here for a category added since)."""
    category = words["categories"].get(event.category)
    if category is None:
        category = html.escape(gettext(str(event.get_category_display()).replace("%", "%%")))
    return category


@register.simple_tag
def event_item_lines(story) -> str:
    """An event's two lines in a list of stories (``story_item_html``): its category and day, its summary.

    Written out here rather than with template tags: most items of /news/ and of a context's page are events,
    and the tags of these two lines cost more than the rest of each item. The words are translated once per
    language and process (the catalogues do not change while it runs).
    """
    from newsroom.models import archive_path

    event, day = story.event, story.date
    words = _event_item_words(type(event), translation.get_language())
    category = _category_words(event, words)
    when = (
        f'<a href="{html.escape(archive_path(day))}"><time datetime="{day.year:04d}-{day.month:02d}-{day.day:02d}">'
        f"{day.day} {words['months'][day.month]} {day.year:04d}</time></a>"
        if day
        else '<a href=""><time datetime=""></time></a>'
    )
    more = f'<a class="item__more" href="{html.escape(story.get_absolute_url())}">{words["more"]}</a>'
    return mark_safe(
        f'<p class="item__meta"><span class="kicker">{category}</span> · {when}</p>\n'
        f'    <p class="item__summary">{event.summary} {more}</p>'
    )


@register.simple_tag
def byline_lines(lines, full=False) -> str:
    """``{% byline_lines article.bylines.all full=True %}``: "By A; B and C", each name linking to its author.

    ``lines`` are objects with ``author`` (``name``, ``get_absolute_url``) and, for a ``full`` byline (a story's
    own page), ``display_role`` and the author's ``email``. Written out here rather than as an included
    template with a loop: every article in a list has a byline, and the loop's tags cost more than the rest of
    the item.
    """
    lines = list(lines or ())
    if not lines:
        return ""
    parts = [f'<p class="byline">{conditional_escape(pgettext("byline", "By"))} ']
    last = len(lines) - 1
    for number, line in enumerate(lines):
        author = line.author
        parts.append(
            f'<span class="byline__author"><a href="{conditional_escape(author.get_absolute_url())}">'
            f"{conditional_escape(author.name)}</a>"
        )
        if full:
            role = line.display_role
            if role:
                parts.append(f', <span class="byline__role">{conditional_escape(role)}</span>')
            if author.email:
                email = conditional_escape(author.email)
                parts.append(f' <a class="byline__email" href="mailto:{email}">{email}</a>')
        parts.append("</span>")
        if number < last:
            parts.append(f" {conditional_escape(pgettext('byline', 'and'))} " if number == last - 1 else "; ")
    parts.append("</p>")
    return mark_safe("".join(parts))


# A story in a list ------------------------------------------------------------------------------------

ITEM_IMAGE_SIZES = "(max-width: 782px) calc(100vw - 34px), 748px"


@cache
def _article_type_words(article_model, language: str | None) -> dict:
    """An article's kinds as their list items print them (a kicker), translated and escaped, in ``language``."""
    with translation.override(language):
        return {
            value: html.escape(gettext(str(label).replace("%", "%%")))
            for value, label in article_model._meta.get_field("article_type").flatchoices
        }


def _kind_words(article, language: str | None) -> str:
    """An article's kind as its kicker prints it, escaped (worked out here for a kind added since)."""
    kind = _article_type_words(type(article), language).get(article.article_type)
    if kind is None:
        kind = html.escape(gettext(str(article.get_article_type_display()).replace("%", "%%")))
    return kind


def picture_html(image, *, img_class: str = "", alt: str = "", sizes: str = "", lazy: bool = False) -> str:
    """A library image in every format a browser may prefer, as ``includes/picture.html`` draws it."""
    escape = conditional_escape
    avif = image.avif_srcset()
    sources = f'<source type="image/avif" srcset="{escape(avif)}" sizes="{escape(sizes)}">' if avif else ""
    css = f' class="{escape(img_class)}"' if img_class else ""
    loading = ' loading="lazy"' if lazy else ""
    return (
        f'<picture class="picture">{sources}<source type="image/webp" srcset="{escape(image.srcset())}" '
        f'sizes="{escape(sizes)}"><img{css} src="{escape(image.best_url())}" alt="{escape(alt)}" '
        f'width="{escape(image.width)}" height="{escape(image.height)}"{loading}></picture>\n'
    )


@cache
def _months_short(language: str | None) -> dict[int, str]:
    """Months as the "M" date format writes them ("Sep"), in ``language``, escaped."""
    with translation.override(language):
        return {month: html.escape(str(MONTHS_3[month]).title()) for month in range(1, 13)}


def _item_time(moment) -> str:
    """``<time>`` with the moment in the site's time zone: as ``|date:'Y-m-d\\TH:i:sO'`` and ``|date:"j M Y"``
    write it, without the date filter's general machinery, which cost more than the rest of the item."""
    from django.utils.timezone import template_localtime

    if moment is None:
        return '<time datetime=""></time>'
    local = template_localtime(moment)
    offset = local.utcoffset()
    zone = ""
    if offset is not None:
        seconds = int(offset.total_seconds())
        sign = "-" if seconds < 0 else "+"
        seconds = abs(seconds)
        zone = f"{sign}{seconds // 3600:02d}{seconds // 60 % 60:02d}"
    machine = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    )
    shown = f"{local.day} {_months_short(translation.get_language())[local.month]} {local.year:04d}"
    return f'<time datetime="{machine}{zone}">{shown}</time>'


def _article_lines(story, show_image: bool, image_sizes: str) -> str:
    # Every value here is a plain string from the database, so html.escape does what the template's
    # autoescaping did, without the lazy-string wrapper of Django's escape().
    escape = html.escape
    article = story.article
    url = escape(story.get_absolute_url())
    parts = ["\n    "]
    image = article.lead_image if show_image else None
    if image:
        picture = picture_html(image, img_class="item__image", sizes=image_sizes or ITEM_IMAGE_SIZES, lazy=True)
        parts.append(
            f'\n      <a class="item__image-link" href="{url}" tabindex="-1" aria-hidden="true">{picture}</a>\n    '
        )
    meta = []
    if article.article_type != "news":
        kind = _kind_words(article, translation.get_language())
        meta.append(f'<span class="kicker">{kind}</span> ')
    section = article.section
    if section:
        meta.append(f'<a href="{escape(section.get_absolute_url())}">{escape(section.name)}</a> · ')
    meta.append(_item_time(story.publish_at))
    parts.append(f'\n    <p class="item__meta">{"".join(meta)}</p>\n')
    parts.append(f'    <h3 class="item__title"><a href="{url}">{escape(article.headline)}</a></h3>\n    ')
    if article.standfirst:
        parts.append(f'<p class="item__standfirst">{escape(article.standfirst)}</p>')
    parts.append(f"\n    {byline_lines(article.bylines.all(), full=False)}\n\n  ")
    return "".join(parts)


def story_item_html(story, *, show_image: bool = True, image_sizes: str = "") -> str:
    """One story as an item of a list: an article's picture, kind, section, day, headline, standfirst and
    byline, or an event's category, day and summary.

    Written out here rather than as an included template: every list page (the front, the latest, a day, a
    context, a section, an author) prints up to a hundred of them, and the include and its tags cost several
    times what the item's own words do.
    """
    if story.kind == "article":
        inner = _article_lines(story, show_image, image_sizes)
    else:
        inner = f"\n    {event_item_lines(story)}\n  "
    return f'<article class="item item--{conditional_escape(story.kind)}">\n  {inner}\n</article>\n'


@register.simple_tag
def event_lines(stories, more: str, kicker: bool = False) -> str:
    """``{% event_lines stories more="Sources and related" %}``: each event as a line of a list of the day's
    events, its summary and a link to its page (``kicker=True`` puts its category first).

    Written out here rather than with template tags: the busiest day of a large archive lists some 150
    events, and looking up each one's summary, category and address through the template cost a quarter
    of the page's time.
    """
    return mark_safe(_event_lines_html(stories, conditional_escape(more), kicker=kicker))


def _event_lines_html(stories, more: str, *, kicker: bool) -> str:
    """``event_lines`` with ``more`` already escaped."""
    language = translation.get_language()
    lines = []
    for story in stories:
        event = story.event
        head = ""
        if kicker:
            head = f'<span class="kicker">{_category_words(event, _event_item_words(type(event), language))}</span> '
        address = html.escape(story.get_absolute_url())
        lines.append(f'<li>{head}{event.summary} <a class="item__more" href="{address}">{more}</a></li>')
    return "".join(lines)


@register.simple_tag
def day_event_groups(groups) -> str:
    """``{% day_event_groups event_groups %}``: a day's events, each category's under its heading.

    ``groups`` as the day's page lists them (each a dict with its "events", all of one category). The headings
    and the link's words come translated once per language and process, not through a translation per group.
    """
    language = translation.get_language()
    parts = []
    for group in groups:
        events = group["events"]
        words = _event_item_words(type(events[0].event), language)
        heading = _category_words(events[0].event, words)
        lines = _event_lines_html(events, words["more"], kicker=False)
        parts.append(f'<h3 class="category">{heading}</h3>\n<ul class="events">\n{lines}\n</ul>')
    return mark_safe("\n".join(parts))


@register.simple_tag
def month_lines(stories, more: str) -> str:
    """``{% month_lines stories more=more %}``: each story of a day on a month's page as one line of its list.

    An event shows its category, its summary and a link to its page; an article its kind and its headline as
    the link. Written out here rather than with template tags: a month's page lists a hundred stories, and
    the tags and translations of each line cost more than the rest of the page.
    """
    more = conditional_escape(more)
    language = translation.get_language()
    lines = []
    for story in stories:
        address = html.escape(story.get_absolute_url())
        if story.kind == "event":
            event = story.event
            category = _category_words(event, _event_item_words(type(event), language))
            lines.append(
                f'<li><span class="kicker">{category}</span> {event.summary} '
                f'<a class="item__more" href="{address}">{more}</a></li>'
            )
        else:
            article = story.article
            kind = _kind_words(article, language)
            lines.append(
                f'<li><span class="kicker">{kind}</span> <a href="{address}">{html.escape(article.headline)}</a></li>'
            )
    return mark_safe("\n".join(lines))


@register.simple_tag
def story_item(story, show_image=True, image_sizes="") -> str:
    """``{% story_item story show_image=False %}``: one story as a list item (see ``story_item_html``)."""
    return mark_safe(story_item_html(story, show_image=show_image, image_sizes=image_sizes))


@register.simple_tag
def story_items(stories, show_image=True, image_sizes="") -> str:
    """``{% story_items stories %}``: every story of a list as its item, in order."""
    return mark_safe(
        "".join(story_item_html(story, show_image=show_image, image_sizes=image_sizes) for story in stories)
    )


# Names a fixed passage may show: values taken from the site's settings, the same on every page.
FIXED_NAMES = frozenset({"site_name"})
# What each fixed passage rendered to, by passage and by what it depends on. Bounded: a few dozen passages
# in the templates, times the languages and script prefixes the site serves.
_fixed_passages: dict[tuple, str] = {}
_passage_numbers = itertools.count()


class FixedNode(template.Node):
    """``{% fixed %}…{% endfixed %}``: a passage that depends only on the language and the site's settings.

    The words of the header and footer, the stylesheets' and feeds' addresses: every page renders the same
    few dozen translations, static files and fixed addresses, and each costs a translation lookup, a
    filter and an escape on every page. A fixed passage is rendered once per language, script prefix, site
    name and process, then reused. What it may hold is checked when the template is read (``_check_fixed``):
    text, ``{% translate %}`` and ``{% blocktranslate %}`` of fixed words, ``{% static %}`` and ``{% fixed_url %}``
    of fixed names, ``{% url "name" as x %}`` for its own use, and the names in ``FIXED_NAMES``; anything else
    is a template error, so nothing a page shows of its own can be kept. A change of settings (tests)
    forgets every passage.
    """

    def __init__(self, nodelist, names):
        self.nodelist = nodelist
        self.names = tuple(sorted(names))
        self.number = next(_passage_numbers)

    def render(self, context):
        key = (
            self.number,
            translation.get_language(),
            context.autoescape,
            get_script_prefix(),
            *(str(context.get(name, "")) for name in self.names),
        )
        text = _fixed_passages.get(key)
        if text is None:
            # Names a passage sets for itself ({% url … as name %}) stay inside it, on every render alike.
            with context.push():
                text = _fixed_passages[key] = self.nodelist.render(context)
        return text


@register.tag("fixed")
def do_fixed(parser, token):
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    names: set[str] = set()
    _check_fixed(nodelist, names, set())
    return FixedNode(nodelist, names)


def _literal(expression) -> bool:
    """Whether a tag's argument is a quoted word or a number, with no filter."""
    if expression is None:
        return True
    if isinstance(expression, FilterExpression):
        return not expression.filters and _literal(expression.var)
    if isinstance(expression, Variable):
        return expression.literal is not None
    return isinstance(expression, (str, int, float))


def _check_fixed(nodelist, names: set[str], own: set[str]) -> None:
    """Refuse anything in a fixed passage that may differ between pages; collect the FIXED_NAMES it shows.

    ``own`` gathers the names the passage sets itself, from a fixed address (``{% url "name" as x %}``).
    """
    for node in nodelist:
        if not _fixed_node(node, names, own):
            token = getattr(node, "token", None)
            shown = token.contents if token is not None else type(node).__name__
            raise TemplateSyntaxError(
                f"{{% fixed %}} holds only text, fixed translations, static files and fixed addresses, "
                f"and the names {', '.join(sorted(FIXED_NAMES))}; not {{% {shown} %}}."
            )


def _fixed_node(node, names: set[str], own: set[str]) -> bool:
    """Whether ``node`` renders the same on every page in a language (see ``_check_fixed``)."""
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, VariableNode):
        expression, var = node.filter_expression, node.filter_expression.var
        if expression.filters or not isinstance(var, Variable) or var.var not in FIXED_NAMES | own:
            return False
        names.update({var.var} & FIXED_NAMES)
        return True
    if isinstance(node, URLNode):
        if not node.asvar or node.args or node.kwargs or not _literal(node.view_name):
            return False
        own.add(node.asvar)
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _literal(node.filter_expression) and _literal(node.message_context)
    if isinstance(node, BlockTranslateNode):
        shown = {token.contents for token in node.singular if token.token_type == TokenType.VAR}
        fixed = not (node.plural or node.countervar or node.extra_context or node.asvar)
        if not fixed or not _literal(node.message_context) or not shown <= FIXED_NAMES | own:
            return False
        names.update(shown & FIXED_NAMES)
        return True
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    if isinstance(node, SimpleNode) and node.func is fixed_url:
        if node.kwargs or not all(map(_literal, node.args)):
            return False
        own.update({node.target_var} - {None})
        return True
    return False


@receiver(setting_changed)
def _forget_fixed_passages(**kwargs) -> None:
    _fixed_passages.clear()
