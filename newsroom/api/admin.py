"""Partners' API keys in the admin: issued, listed and revoked by administrators.

The full key is shown once, on the page that answers the add form, and never
stored: only its digest and visible prefix are. That page is rendered in reply
to the POST instead of after a redirect, so the key never passes through the
messages cookie or session.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from newsroom.admin.common import newsroom_time

from .models import ApiKey


class ApiKeyForm(forms.ModelForm):
    revoke = forms.BooleanField(
        label="Revoke this key",
        required=False,
        help_text="A revoked key is refused at once and cannot be restored; issue a new key instead.",
    )

    class Meta:
        model = ApiKey
        fields = ["name", "owner"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "shown_prefix", "owner", "created", "last_used", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__username"]
    readonly_fields = ["shown_prefix", "created", "last_used", "state"]
    autocomplete_fields = []
    actions = ["revoke_keys"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "owner"]
        if obj.is_revoked:
            return ["name", "owner", "shown_prefix", "created", "last_used", "state"]
        return ["name", "owner", "shown_prefix", "created", "last_used", "state", "revoke"]

    @admin.display(description="key starts")
    def shown_prefix(self, obj: ApiKey) -> str:
        return f"dl_{obj.prefix}_…"

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: ApiKey):
        return newsroom_time(obj.created_at)

    @admin.display(description="last used", ordering="last_used_at")
    def last_used(self, obj: ApiKey):
        return newsroom_time(obj.last_used_at) if obj.last_used_at else "never"

    @admin.display(description="state")
    def state(self, obj: ApiKey) -> str:
        return f"revoked {timezone.localtime(obj.revoked_at):%-d %b %Y %H:%M}" if obj.revoked_at else "active"

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if not change:
            request._dateline_new_key = obj.issue()
        elif form.cleaned_data.get("revoke") and not obj.is_revoked:
            obj.revoked_at = timezone.now()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(request, "_dateline_new_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "key": obj,
            "raw_key": raw,
            "title": "Copy the new API key now",
        }
        response = TemplateResponse(request, "admin/api/apikey/created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked; requests with them are refused.", messages.SUCCESS)
