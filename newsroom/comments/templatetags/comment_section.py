"""The comments under a story: ``{% load comment_section %}{% comment_section story %}``."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, is_aware, template_localtime
from django.utils.translation import get_language, gettext, ngettext

from newsroom import pagecache, surrogate
from newsroom.models import address_format
from newsroom.templatetags.calendar_days import date as date_filter

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


def _form_fields(context, form) -> str:
    """The comment form's fields, rendered from ``comments/form_fields.html`` with ``form`` in the context."""
    fields = context.template.engine.get_template("comments/form_fields.html")
    with context.push(form=form):
        return fields.render(context)


def _shared_form_fields(context, story, policy) -> str:
    """The blank form's fields a story page shows every reader, written once and reused.

    A story page's form is blank and carries no token or time stamp (``CommentForm.private``), so its
    fields are the same on every story in one language with one length limit: they cost a tenth of a
    story page to render through the templates each time, and building the form itself as much again.
    The form is built only to write them the first time.
    """
    key = (get_language(), policy.max_length)
    shared = _shared_fields.get(key)
    if shared is None:
        shared = _form_fields(context, CommentForm(story=story, policy=policy))
        if len(_shared_fields) >= SHARED_FIELDS_LIMIT:
            _shared_fields.clear()
        _shared_fields[key] = shared
    return shared


# The form's own tag, with the story's addresses, around its fields. On a story page the form carries no token
# or time stamp of its own, so one stored copy serves every reader: comments.js fetches both from
# data-token-url once the reader starts to write. A form shown in answer to a post is that reader's own and
# carries them (comments/form_fields.html).
COMMENT_FORM = (
    '<form class="comment-form" method="post" action="{action}#comment-form" data-token-url="{token_url}" '
    "novalidate>{fields}  {closes}\n</form>\n"
    '<script src="{script}" defer></script>\n'
)


def comment_form_html(context, story, policy, form=None) -> str:
    """The comment form for ``story``: ``form`` (a reader's own, sent back) or the blank one every reader gets."""
    prefix = get_script_prefix()
    if form is None or not (form.is_bound or form.private or form.signed_in):
        fields = _shared_form_fields(context, story, policy)
    else:
        fields = _form_fields(context, form)
    closes = ""
    if policy.closes_at:
        # The local day of the closing moment: a date's text is kept once written (calendar_days), a moment's not.
        closing = template_localtime(policy.closes_at, context.use_tz)
        day = date_filter(closing.date() if isinstance(closing, datetime) else closing, "j F Y")
        closes = f'<p class="comment-form__note">{gettext("Comments close on %(day)s.") % {"day": escape(day)}}</p>'
    story_id = int(story.pk)
    return COMMENT_FORM.format(
        action=escape(address_format("comments:post", prefix, ("story_id",)).format(story_id=story_id)),
        token_url=escape(address_format("comments:token", prefix, ("story_id",)).format(story_id=story_id)),
        fields=fields,
        closes=closes,
        script=escape(static("js/comments.js")),
    )


@register.simple_tag(takes_context=True)
def comment_form(context, story, policy, form=None) -> SafeString:
    """``{% comment_form story policy form %}``: the form alone, as the confirmation page shows it."""
    return mark_safe(comment_form_html(context, story, policy, form))


@register.simple_tag(takes_context=True)
def comment_section(context, story) -> SafeString:
    """``{% comment_section story %}``: a story's comments, the reader's own awaiting moderation, and the form.

    Written out here rather than as an included template: it closes every story page, and most of them have
    no comments yet, so its headings, links and conditions cost more through the templates than the rest of
    what it shows. The blank form is not even built: its fields are written once (``_shared_form_fields``).
    """
    request = context["request"]
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    policy = policy_for(story)
    form = getattr(request, "comment_form", None)
    if form is not None and form.story.pk != story.pk:
        form = None
    blank = form is None and policy.is_open and not signed_in and not policy.require_account
    if form is None and policy.is_open and signed_in:
        form = CommentForm(story=story, policy=policy, user=user)
    per_page = setting("COMMENTS_PER_PAGE")
    comments, total, number = approved_comments(story, page_number(request.GET.get("cpage")), per_page)
    page = CommentPage(number=number, num_pages=max(1, -(-total // per_page)))
    mine = posted_ids(request)
    waiting = []
    if mine:
        # Spam is shown to its sender as waiting too, so the filing tells a spammer nothing.
        held = Comment.objects.filter(story=story, pk__in=mine, status__in=[Status.PENDING, Status.SPAM])
        waiting = list(held.order_by("created_at"))

    def shown(value) -> str:
        return render_value_in_context(value, context)

    if total:
        heading = ngettext("%(counter)s comment", "%(counter)s comments", total) % {"counter": shown(total)}
    else:
        heading = escape(gettext("Comments"))
    parts = [
        f'<link rel="stylesheet" href="{escape(static("css/comments.css"))}">\n'
        '<section class="comments" id="comments" aria-labelledby="comments-heading">\n'
        f'  <h2 id="comments-heading" class="comments__heading">{heading}</h2>\n  '
    ]
    messages = context.get("messages")
    if messages:
        said = "".join(
            f'<p class="comments__message comments__message--{shown(message.level_tag)}">{shown(message)}</p>'
            for message in messages
        )
        parts.append(f'<div class="comments__messages" role="status">{said}</div>')
    parts.append("\n  ")
    if comments:
        parts.append(f'\n    <ol class="comments__list">\n      {comment_items(comments)}\n    </ol>\n    ')
        if page.has_other_pages:
            parts.append(_comment_pages(context, page, shown))
        parts.append("\n  ")
    elif not waiting:
        parts.append(f'\n    <p class="empty">{escape(gettext("No comments yet."))}</p>\n  ')
    parts.append("\n  ")
    if waiting:
        counted = {"counter": shown(len(waiting))}
        waiting_heading = ngettext(
            "Your comment awaiting moderation", "Your comments awaiting moderation", len(waiting)
        )
        note = ngettext(
            "Only you can see it until a moderator approves it.",
            "Only you can see them until a moderator approves them.",
            len(waiting),
        )
        parts.append(
            f'\n    <h3 class="comments__subheading">{waiting_heading % counted}</h3>\n'
            f'    <p class="comments__note">{note % counted}</p>\n'
            '    <ol class="comments__list comments__list--waiting">\n      '
            f"{comment_items(waiting, pending=True)}\n    </ol>\n  "
        )
    parts.append('\n  <div class="comments__respond" id="comment-form">\n    ')
    if form is not None or blank:
        parts.append(
            f'\n      <h3 class="comments__subheading">{escape(gettext("Add your comment"))}</h3>\n      '
            f"{comment_form_html(context, story, policy, form)}\n    "
        )
    elif policy.is_open:
        parts.append(_sign_in_to_comment(story))
    else:
        parts.append(f'\n      <p class="comments__closed">{shown(policy.closed_message)}</p>\n    ')
    standards = address_format("comments:standards", get_script_prefix(), ()).format()
    line = gettext(
        'Read the <a href="%(standards_url)s">community standards</a>: every comment is checked before it appears.'
    )
    line %= {"standards_url": escape(standards)}
    parts.append(f'\n    <p class="comments__standards">{line}</p>\n  </div>\n</section>\n')
    return mark_safe("".join(parts))


def _comment_pages(context, page: CommentPage, shown) -> str:
    """The links to a long thread's earlier and later pages of comments."""
    earlier = later = "<span></span>"
    if page.has_previous:
        earlier = (
            f'<a rel="prev" href="{escape(comment_page_url(context, page.previous_page_number))}">'
            f"← {escape(gettext('Earlier comments'))}</a>"
        )
    if page.has_next:
        later = (
            f'<a rel="next" href="{escape(comment_page_url(context, page.next_page_number))}">'
            f"{escape(gettext('Later comments'))} →</a>"
        )
    which = gettext("Comments page %(number)s of %(total)s") % {
        "number": shown(page.number),
        "total": shown(page.num_pages),
    }
    return (
        f'\n      <nav class="pagination comments__pages" aria-label="{escape(gettext("Pages of comments"))}">'
        f"\n        {earlier}\n        <span>{which}</span>\n        {later}\n      </nav>\n    "
    )


def _sign_in_to_comment(story) -> str:
    """Where comments need an account: the links to sign in or to create one, and back to the form."""
    back = escape(quote(story.get_absolute_url(), safe="/"))
    return (
        f'\n      <p class="comments__closed">{escape(gettext("Only signed-in readers can comment on this story."))} '
        f'<a href="{escape(reverse("account_login"))}?next={back}%23comment-form">'
        f"{escape(gettext('Sign in to comment'))}</a> {escape(gettext('or'))} "
        f'<a href="{escape(reverse("account_signup"))}?next={back}%23comment-form">'
        f"{escape(gettext('create an account'))}</a>.</p>\n    "
    )


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
