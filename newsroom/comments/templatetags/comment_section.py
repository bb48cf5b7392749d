"""The comments under a story: ``{% load comment_section %}{% comment_section story %}``."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from newsroom import pagecache, surrogate

from ..conf import setting
from ..forms import CommentForm
from ..models import Comment
from ..policy import policy_for
from ..querysets import Status
from ..text import render_body
from ..views import posted_ids

register = template.Library()


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


def approved_comments(story, number: int, per_page: int) -> tuple[list[Comment], int, int]:
    """One page of a story's approved comments, their total and the page number shown.

    One query for a thread that fits on its first page. A longer thread's total
    is counted from the index and kept until one of the story's own comments
    changes, so a story with a hundred thousand comments does not read all of
    them to print how many there are, nor count again for every story published.
    """
    # The thread is kept under its own key: an approved comment renders only its story's page again.
    surrogate.add(surrogate.thread_key(story.pk))
    approved = Comment.objects.for_story_page(story)
    first = None
    if number == 1:
        first = list(approved[:per_page])
        if len(first) < per_page:
            return first, len(first), 1
    total = pagecache.remember_for(pagecache.thread_subject(story.pk), approved.count)
    # Past the last page (an old link, a typed number): show the last page instead of nothing.
    last = max(1, -(-total // per_page))
    number = min(number, last)
    if number == 1 and first is not None:
        return first, total, 1
    return list(approved[(number - 1) * per_page : number * per_page]), total, number


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


@register.filter
def comment_body(text: str):
    """A comment's text as escaped paragraphs with its web addresses linked."""
    return render_body(text)


@register.simple_tag(takes_context=True)
def comment_page_url(context, number) -> str:
    query = context["request"].GET.copy()
    query["cpage"] = number
    return "?" + query.urlencode() + "#comments"
