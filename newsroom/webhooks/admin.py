from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import services, transport
from .models import Delivery, Endpoint, EventType

# Deliveries shown on an endpoint's own page; the full log is the deliveries list, filtered.
RECENT = 10


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text="Where Dateline sends its notices (http or https). Redirects are not followed.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The changes this address is told about.",
    )

    class Meta:
        model = Endpoint
        fields = ("url", "description", "events", "owner", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            transport.check_host_literal(url)
        except transport.Refused as refusal:
            raise ValidationError(str(refusal)) from refusal
        return url


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "description", "event_list", "state", "owner")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("signing_secret", "state", "delivery_log")
    actions = ("enable_again_action",)

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events", "owner", "active"]
        if obj is not None:
            fields += ["state", "signing_secret", "delivery_log"]
        return fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, "events": list(EventType.values)}

    @admin.display(description="events")
    def event_list(self, obj: Endpoint) -> str:
        labels = dict(EventType.choices)
        return ", ".join(labels.get(name, name) for name in obj.events) or "none"

    @admin.display(description="state")
    def state(self, obj: Endpoint) -> str:
        if obj.disabled_at:
            return f"Disabled {obj.disabled_at:%-d %b %Y %H:%M}: {obj.disabled_reason}"
        if not obj.active:
            return "Switched off"
        if obj.failing_since:
            return f"Failing since {obj.failing_since:%-d %b %Y %H:%M}"
        return "Working"

    @admin.display(description="signing secret")
    def signing_secret(self, obj: Endpoint) -> str:
        # Receivers need the secret to check signatures; only those who may change the endpoint see it.
        if self.request_can_change:
            return obj.secret
        return "Shown to those who may change this endpoint."

    @admin.display(description="delivery log")
    def delivery_log(self, obj: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        latest = obj.deliveries.select_related("message").order_by("-pk")[:RECENT]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    delivery.message.get_type_display(),
                    delivery.get_status_display(),
                    delivery.response_code or "–",
                    delivery.attempts,
                    delivery.last_error or "",
                )
                for delivery in latest
            ),
        )
        return format_html(
            "<table><thead><tr><th>Event</th><th>Status</th><th>Response</th><th>Attempts</th><th>Last error</th>"
            '</tr></thead><tbody>{}</tbody></table><p><a href="{}">Every delivery to this address, '
            "with “Send again”</a></p>",
            rows,
            url,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        self.request_can_change = self.has_change_permission(request, obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.request_can_change = self.has_change_permission(request)
        obj = self.get_object(request, object_id)
        if obj is not None and obj.disabled_at and request.method == "GET":
            messages.warning(
                request,
                f"Dateline stopped sending to this address: {obj.disabled_reason}. "
                "Use “Enable again” on the list once the receiver works.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change and obj.owner is None:
            obj.owner = request.user
        if change and "active" in form.changed_data and obj.active:
            obj.failing_since = obj.disabled_at = None
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        if not change:
            messages.info(
                request,
                "Give the receiver the signing secret shown on this endpoint's page to check each message's "
                "webhook-signature header.",
            )

    def get_deleted_objects(self, objs, request):
        # An endpoint's delivery log is part of it: whoever may delete the endpoint deletes its log too,
        # though nobody deletes single deliveries.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Delivery._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    @admin.action(description="Enable again (and send what waits)", permissions=["change"])
    def enable_again_action(self, request, queryset):
        count = services.enable_again(endpoints=list(queryset))
        self.message_user(request, f"{count} endpoint(s) enabled; waiting messages go out in order.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "message_type",
        "story_id",
        "endpoint",
        "status",
        "response_code",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "endpoint", "message__type")
    list_select_related = ("message", "endpoint")
    readonly_fields = (
        "endpoint",
        "message_id_text",
        "message_type",
        "story_id",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "body",
    )
    fields = readonly_fields
    actions = ("send_again_action",)

    @admin.display(description="event", ordering="message__type")
    def message_type(self, obj: Delivery) -> str:
        return obj.message.get_type_display()

    @admin.display(description="message id")
    def message_id_text(self, obj: Delivery) -> str:
        return obj.message.webhook_id

    @admin.display(description="body")
    def body(self, obj: Delivery) -> str:
        return obj.message.payload

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.change_endpoint")

    @admin.action(description="Send again", permissions=["resend"])
    def send_again_action(self, request, queryset):
        count = services.send_again(deliveries=list(queryset))
        self.message_user(request, f"{count} deliver{'y' if count == 1 else 'ies'} queued to be sent again.")
