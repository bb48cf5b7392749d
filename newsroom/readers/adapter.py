"""How allauth makes and signs in reader accounts on Dateline."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class ReaderAccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The sign-up form only ever sets an email and a password, but an account made from the public site
        # must never carry a staff right whatever is posted or set upstream: say so where it is created.
        user.is_staff = False
        user.is_superuser = False
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        context.setdefault("site_name", settings.DATELINE_SITE_NAME)
        return super().send_mail(template_prefix, email, context)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # Signing in or out ends on a story or the front page, which show no such notes: a note left unread
        # would sit in a cookie and keep every page from the page cache until some page showed it.
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )
