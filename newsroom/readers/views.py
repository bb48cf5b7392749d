"""The reader's own page: their comments and how each one fared, their name, email choices, closing the account."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from newsroom.comments.models import Comment
from newsroom.comments.querysets import Status

from . import services
from .forms import DeleteAccountForm, DisplayNameForm, PreferencesForm

COMMENTS_PER_PAGE = 20
# How each status reads to the person who wrote the comment. Spam is not named: to its writer it simply
# was not published, as a rejected comment was not.
READER_STATUS = {
    Status.PENDING: ("Awaiting moderation", "Only you can see it until a moderator has read it.", "pending"),
    Status.APPROVED: ("Published", "Everyone can read it under the story.", "published"),
    Status.REJECTED: ("Not published", "A moderator decided not to publish it.", "declined"),
    Status.SPAM: ("Not published", "A moderator decided not to publish it.", "declined"),
}

reader_only = login_required(login_url="account_login")


def comment_rows(request: HttpRequest):
    comments = (
        Comment.objects.filter(user=request.user)
        .select_related("story")
        .only(
            "pk",
            "body",
            "status",
            "created_at",
            "story__title",
            "story__date",
            "story__slug",
            "story__status",
            "story__publish_at",
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    for comment in page:
        comment.reader_status, comment.reader_status_note, comment.reader_status_class = READER_STATUS[comment.status]
    return page


def account_page(request: HttpRequest, *, name_form=None, preferences_form=None, status: int = 200) -> HttpResponse:
    profile = services.profile_for(request.user)
    context = {
        "title": "Your account",
        "profile": profile,
        "comments_page": comment_rows(request),
        "name_form": name_form or DisplayNameForm(initial={"display_name": profile.display_name}),
        "preferences_form": preferences_form or PreferencesForm(initial={"notify_decisions": profile.notify_decisions}),
    }
    return render(request, "readers/account.html", context, status=status)


@never_cache
@reader_only
def account(request: HttpRequest) -> HttpResponse:
    return account_page(request)


@never_cache
@reader_only
@require_POST
def change_name(request: HttpRequest) -> HttpResponse:
    form = DisplayNameForm(request.POST)
    if not form.is_valid():
        return account_page(request, name_form=form, status=400)
    services.rename_reader(user=request.user, display_name=form.cleaned_data["display_name"])
    messages.success(request, "Your display name is changed, on your earlier comments too.")
    return HttpResponseRedirect(reverse("readers:account"))


@never_cache
@reader_only
@require_POST
def change_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return account_page(request, preferences_form=form, status=400)
    services.set_preferences(user=request.user, notify_decisions=form.cleaned_data["notify_decisions"])
    messages.success(request, "Your email choices are saved.")
    return HttpResponseRedirect(reverse("readers:account"))


@never_cache
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "readers/deleted.html", {"title": "Account deleted"})


def password_matches(user, password: str) -> bool:
    # Through the same authentication as a sign-in, so wrong passwords count towards the sign-in lock.
    return get_adapter().reauthenticate(user, password)


@never_cache
@reader_only
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_staff = user.is_staff or user.is_superuser
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, user=user, check_password=password_matches
    )
    if request.method == "POST" and not is_staff and form.is_valid():
        services.delete_reader(user=user)
        logout(request)
        return HttpResponseRedirect(reverse("readers:deleted"))
    context = {
        "title": "Delete your account",
        "form": form,
        "is_staff": is_staff,
        "removes_comments": settings.DATELINE_DELETED_READER_COMMENTS == "remove",
        "comment_count": Comment.objects.filter(user=user).count(),
    }
    status = (403 if is_staff else 400) if request.method == "POST" else 200
    return render(request, "readers/delete.html", context, status=status)


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's confirmation page, answering 404 for a link that names no confirmation.

    The page still explains what to do; the status tells crawlers and checks that the address names nothing.
    """

    def get(self, *args, **kwargs) -> HttpResponse:
        response = super().get(*args, **kwargs)
        if self.object is None and response.status_code == 200:
            response.status_code = 404
        return response


class PasswordResetFromKeyView(allauth_views.PasswordResetFromKeyView):
    """allauth's new-password page, answering 404 for a reset link that is wrong, used or expired."""

    def dispatch(self, request, uidb36, key, **kwargs):
        response = super().dispatch(request, uidb36, key, **kwargs)
        if getattr(self, "reset_user", None) is None and response.status_code == 200:
            response.status_code = 404
        return response
