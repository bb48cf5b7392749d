"""The comments under a story: ``{% load comment_section %}{% comment_section story %}``."""

from __future__ import annotations

import html
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone, is_aware
from django.utils.translation import get_language, gettext

from newsroom import pagecache, surrogate
from newsroom.models import address_format

from ..conf import setting
from ..forms import CommentForm
from ..models import Comment, ShownComment, comment_anchor
from ..policy import policy_for
from ..querysets import Status
from ..text import render_body
from ..views import posted_ids

register = template.Library()


def escape(text) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper, for the many short texts of a thread."""
    return html.escape(str(text))


@dataclass(frozen=True)
class CommentPage:
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def approved_comments(story, number: int, per_page: int) -> tuple[list[ShownComment], int, int]:
    """One page of a story's approved comments, their total and the page number shown.

    The story page reads the thread's size with the story, from the count the database keeps
    (``ThreadCount``): a story with no approved comment runs no query here, and one with a hundred
    thousand reads one page of them and counts none. Anywhere else (a form sent back with an error),
    a thread that fits on its first page is read in one query, and a longer one's total is counted
    from the index and kept until one of the story's own comments changes.
    """
    # The thread is kept under its own key: an approved comment renders only its story's page again.
    surrogate.add(surrogate.thread_key(story.pk))
    kept = getattr(story, "approved_comment_count", None)
    if kept == 0:
        return [], 0, 1
    approved = Comment.objects.for_story_page(story)
    first = None
    if number == 1:
        first = list(map(ShownComment._make, approved[:per_page]))
        if len(first) < per_page:
            return first, len(first), 1
    total = kept if kept is not None else pagecache.remember_for(pagecache.thread_subject(story.pk), approved.count)
    # Past the last page (an old link, a typed number): show the last page instead of nothing.
    last = max(1, -(-total // per_page))
    number = min(number, last)
    if number == 1 and first is not None:
        return first, total, 1
    return list(map(ShownComment._make, approved[(number - 1) * per_page : number * per_page])), total, number


# The fields of the blank form a story page shows every reader, as HTML, by language and length limit.
_shared_fields: dict[tuple, str] = {}
SHARED_FIELDS_LIMIT = 64


@register.simple_tag(takes_context=True)
def comment_form_fields(context, form):
    """The comment form's fields, written once for every story page and reused.

    A story page's form is blank and carries no token or time stamp (``CommentForm.private``), so its
    fields are the same on every story in one language with one length limit: they cost a tenth of a
    story page to render through the templates each time. A form with the reader's own text, errors or
    token, or a signed-in reader's, is rendered afresh. The form's own tag, with the story's addresses,
    and the closing date stay outside (``comments/form.html``).
    """
    fields = context.template.engine.get_template("comments/form_fields.html")
    if form.is_bound or form.private or form.signed_in:
        return fields.render(context)
    key = (get_language(), form.policy.max_length)
    shared = _shared_fields.get(key)
    if shared is None:
        shared = fields.render(context)
        if len(_shared_fields) >= SHARED_FIELDS_LIMIT:
            _shared_fields.clear()
        _shared_fields[key] = shared
    return shared


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, story):
    request = context["request"]
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    policy = policy_for(story)
    form = getattr(request, "comment_form", None)
    if form is not None and form.story.pk != story.pk:
        form = None
    if form is None and policy.is_open and (signed_in or not policy.require_account):
        form = CommentForm(story=story, policy=policy, user=user)
    per_page = setting("COMMENTS_PER_PAGE")
    comments, total, number = approved_comments(story, page_number(request.GET.get("cpage")), per_page)
    mine = posted_ids(request)
    waiting = []
    if mine:
        # Spam is shown to its sender as waiting too, so the filing tells a spammer nothing.
        held = Comment.objects.filter(story=story, pk__in=mine, status__in=[Status.PENDING, Status.SPAM])
        waiting = list(held.order_by("created_at"))
    return {
        "story": story,
        "policy": policy,
        "form": form,
        "page": CommentPage(number=number, num_pages=max(1, -(-total // per_page))),
        "comments": comments,
        "count": total,
        "waiting": waiting,
        "signed_in": signed_in,
        "user": user,
        "request": request,
        "messages": context.get("messages"),
    }


# One comment in a list. Written out here rather than as an included template: a thread page lists fifty
# comments, and rendering an include fifty times cost more than everything else on an article page.
COMMENT_ITEM = (
    '<li><article class="comment{pending_class}" id="{anchor}">\n'
    '  <header class="comment__meta">\n'
    '    <span class="comment__author">{author}</span>\n'
    '    <a class="comment__permalink" href="{permalink}" title="{link_title}">'
    '<time datetime="{datetime}">{shown}</time></a>\n'
    "    {status}\n"
    "  </header>\n"
    '  <div class="comment__body">{body}</div>\n'
    "  {actions}\n"
    "</article>\n</li>"
)


@register.simple_tag
def comment_items(comments, pending=False):
    """``{% comment_items comments pending=False %}``: each comment as a list item (see COMMENT_ITEM)."""
    link_title = escape(gettext("Link to this comment"))
    status = f'<strong class="comment__status">{escape(gettext("Awaiting moderation"))}</strong>' if pending else ""
    flag_label = escape(gettext("Flag"))
    by_name = gettext("the comment by <bdi>%(name)s</bdi>")
    months = {}
    zone = get_current_timezone() if settings.USE_TZ else None
    # The addresses of every comment differ only by its number: the routes are looked up once.
    prefix = get_script_prefix()
    permalink_format = address_format("comments:permalink", prefix, ("pk",))
    flag_format = address_format("comments:flag", prefix, ("pk",))
    items = []
    for comment in comments:
        name = escape(comment.name)
        safe_url = comment.safe_url
        created = comment.created_at
        if zone is not None and is_aware(created):
            created = created.astimezone(zone)
        offset = created.utcoffset()
        if offset is None or created.replace(fold=not created.fold).utcoffset() != offset:
            # Naive, or in the hour a clock change repeats or skips: the date filter's own rules apply.
            machine, shown = date_format(created, "Y-m-d\\TH:i:sO"), date_format(created, "j F Y, H:i")
        else:
            # The same text as the date filter's "Y-m-d\TH:i:sO" and "j F Y, H:i", without its per-letter walk.
            seconds = offset.days * 86400 + offset.seconds
            sign = "-" if seconds < 0 else "+"
            seconds = abs(seconds)
            machine = f"{created:%Y-%m-%dT%H:%M:%S}{sign}{seconds // 3600:02d}{(seconds // 60) % 60:02d}"
            if created.month not in months:
                months[created.month] = str(MONTHS[created.month])
            shown = f"{created.day} {months[created.month]} {created.year:04d}, {created:%H:%M}"
        actions = (
            ""
            if pending
            else f'<p class="comment__actions"><a href="{escape(flag_format.format(pk=int(comment.pk)))}" '
            f'rel="nofollow">{flag_label}'
            f'<span class="visually-hidden"> {by_name % {"name": name}}</span></a></p>'
        )
        items.append(
            COMMENT_ITEM.format(
                pending_class=" comment--pending" if pending else "",
                anchor=comment_anchor(comment.pk),
                author=(
                    f'<a href="{escape(safe_url)}" rel="nofollow ugc noopener"><bdi>{name}</bdi></a>'
                    if safe_url
                    else f"<bdi>{name}</bdi>"
                ),
                permalink=escape(permalink_format.format(pk=int(comment.pk))),
                link_title=link_title,
                datetime=escape(machine),
                shown=escape(shown),
                status=status,
                body=render_body(comment.body),
                actions=actions,
            )
        )
    return mark_safe("".join(items))


@register.filter
def comment_body(text: str):
    """A comment's text as escaped paragraphs with its web addresses linked."""
    return render_body(text)


@register.simple_tag(takes_context=True)
def comment_page_url(context, number) -> str:
    query = context["request"].GET.copy()
    query["cpage"] = number
    return "?" + query.urlencode() + "#comments"
