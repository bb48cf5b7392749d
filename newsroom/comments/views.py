"""The reader's side: post, flag, permalinks, signing in, and the community standards.

Everything is plain HTML forms. The comment form on a story page carries nothing of its reader's own, so
every reader can be handed the same stored copy: comments.js fetches a form token and a time stamp from
``form_token`` when the reader starts to write. A post that comes without them (scripts off, the fetch
failed, or a page on another site posting in the reader's name) is never refused outright: nothing is
saved and the reader gets "Confirm your comment", the form filled in again with what was sent and a
token of its own, so one more press posts it.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import RedirectView, TemplateView

from newsroom.models import Story
from newsroom.views import StoryDetailView, interface_language

from . import services
from .conf import setting
from .forms import CommentForm, FlagForm, start_token
from .models import Comment
from .policy import policy_for
from .querysets import Status
from .rules import CommentRefused

SESSION_KEY = "comments_posted"
REMEMBERED = 50


def client_address(request: HttpRequest) -> str | None:
    """The reader's address, trusting X-Forwarded-For only as far as the configured proxies."""
    proxies = setting("COMMENTS_TRUSTED_PROXIES")
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def posted_ids(request: HttpRequest) -> list[int]:
    """Comments this browser posted, so only it sees them while they wait."""
    if not hasattr(request, "session"):
        return []
    return [int(pk) for pk in request.session.get(SESSION_KEY, []) if str(pk).isdigit()]


def remember_posted(request: HttpRequest, comment: Comment) -> None:
    request.session[SESSION_KEY] = [*posted_ids(request), comment.pk][-REMEMBERED:]


def story_url_with(story: Story, *, page: int = 1, anchor: str = "comments") -> str:
    query = f"?cpage={page}" if page > 1 else ""
    return f"{story.get_absolute_url()}{query}#{anchor}"


def public_story_or_404(pk: int) -> Story:
    return get_object_or_404(Story.objects.published().select_related("article__section", "event"), pk=pk)


def story_page_with_form(request: HttpRequest, story: Story, form: CommentForm, status: int) -> HttpResponse:
    """Show the story again with the reader's form, their text kept and the errors beside it."""
    as_get = copy.copy(request)
    as_get.method = "GET"
    as_get.comment_form = form
    response = StoryDetailView.as_view()(
        as_get,
        year=f"{story.date:%Y}",
        month=f"{story.date:%m}",
        day=f"{story.date:%d}",
        slug=story.slug,
    )
    response.render()
    response.status_code = status
    add_never_cache_headers(response)
    return response


# Django's own check of the form token, run inside the post view so that a post without a good token can
# be answered with the confirm page instead of the bare 403.
_csrf = CsrfViewMiddleware(lambda request: None)


def token_is_good(request: HttpRequest) -> bool:
    """Whether the post passes Django's CSRF check (origin, cookie and form token)."""
    return _csrf.process_view(request, None, (), {}) is None


@never_cache  # private, no-store: each answer is one reader's own
@require_GET
def form_token(request: HttpRequest, story_id: int) -> JsonResponse:
    """A form token (its cookie set with it) and a time stamp from now, for the form under one story.

    Asked for by comments.js when a reader starts to use the form; the stamp counts the minimum fill time
    from that moment, so a script that asks and posts at once is still caught.
    """
    story = public_story_or_404(story_id)
    response = JsonResponse({"csrfmiddlewaretoken": get_token(request), "started": start_token(story.pk)})
    response["X-Robots-Tag"] = "noindex"
    return response


def confirm_page(request: HttpRequest, story: Story, policy) -> HttpResponse:
    """Nothing saved: the form again with everything that was sent, a token and a fresh time stamp."""
    sent = {name: request.POST.get(name, "") for name in ("body", "name", "email", "url", "subject")}
    sent["agree"] = bool(request.POST.get("agree"))
    form = CommentForm(initial=sent, story=story, policy=policy, user=request.user, private=True)
    # In the story page's own language, as the form the reader just sent was.
    language = interface_language(story.article.language if story.kind == Story.Kind.ARTICLE else "")
    with translation.override(language):
        response = render(request, "comments/confirm.html", {"story": story, "policy": policy, "form": form})
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


@csrf_exempt  # checked below by token_is_good, so a failure keeps what the reader typed
@require_POST
def post_comment(request: HttpRequest, story_id: int) -> HttpResponse:
    story = public_story_or_404(story_id)
    policy = policy_for(story)
    if not policy.is_open:
        messages.error(request, policy.closed_message)
        return HttpResponseRedirect(story_url_with(story))
    if policy.require_account and not request.user.is_authenticated:
        next_url = urlencode({"next": story_url_with(story, anchor="comment-form")})
        return HttpResponseRedirect(f"{reverse('account_login')}?{next_url}")
    form = CommentForm(request.POST, story=story, policy=policy, user=request.user, private=True)
    if not token_is_good(request) or not form.has_start:
        return confirm_page(request, story, policy)
    if not form.is_valid():
        return story_page_with_form(request, story, form, status=400)
    data = form.cleaned_data
    try:
        comment = services.post_comment(
            story=story,
            body=data["body"],
            name=data.get("name", ""),
            email=data.get("email", ""),
            url=data.get("url", ""),
            user=request.user,
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            honeypot=data.get("subject", ""),
            fill_seconds=form.fill_seconds,
        )
    except CommentRefused as refusal:
        form.add_error(None, refusal.message)
        return story_page_with_form(request, story, form, status=429 if refusal.code == "flood" else 400)
    remember_posted(request, comment)
    if comment.status == Status.APPROVED:
        messages.success(request, "Thank you. Your comment is published.", extra_tags="comments")
    else:
        messages.success(
            request,
            "Thank you. Your comment is awaiting moderation: only you can see it until a moderator approves it.",
            extra_tags="comments",
        )
    return HttpResponseRedirect(story_url_with(story, anchor=comment.anchor))


def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's lasting address: the story page at the right page of comments."""
    comment = get_object_or_404(Comment.objects.select_related("story"), pk=pk)
    story = comment.story
    if not story.is_published:
        raise Http404("No such comment.")
    if comment.status != Status.APPROVED:
        if comment.status in (Status.PENDING, Status.SPAM) and comment.pk in posted_ids(request):
            return HttpResponseRedirect(story_url_with(story, anchor=comment.anchor))
        raise Http404("No such comment.")
    earlier = (
        Comment.objects.approved()
        .filter(story=story)
        .filter(Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, pk__lt=comment.pk))
        .count()
    )
    page = earlier // setting("COMMENTS_PER_PAGE") + 1
    return HttpResponseRedirect(story_url_with(story, page=page, anchor=comment.anchor))


def flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.approved().select_related("story"), pk=pk)
    story = comment.story
    if not story.is_published:
        raise Http404("No such comment.")
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hidden = services.flag_comment(
                comment=comment,
                reason=form.cleaned_data["reason"],
                user=request.user,
                ip_address=client_address(request),
            )
        except services.AlreadyFlagged:
            messages.info(request, "You have already flagged this comment. Thank you.", extra_tags="comments")
        else:
            if hidden:
                note = "Thank you. The comment is hidden until a moderator has looked at it."
            else:
                note = "Thank you. A moderator will look at this comment."
            messages.success(request, note, extra_tags="comments")
        return HttpResponseRedirect(story_url_with(story))
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/flag.html", {"comment": comment, "story": story, "form": form}, status=status)


class CommunityStandardsView(TemplateView):
    template_name = "comments/community_standards.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            default_max_length=setting("COMMENTS_MAX_LENGTH"),
            max_links=setting("COMMENTS_MAX_LINKS"),
            flags_to_hide=setting("COMMENTS_FLAGS_TO_HIDE"),
            **kwargs,
        )


class SignInView(RedirectView):
    """The readers' sign-in moved to the reader accounts' pages; links and bookmarks to the old one follow."""

    pattern_name = "account_login"
    query_string = True


class SignOutView(auth_views.LogoutView):
    next_page = "newsroom:home"
