"""The newsroom's admin site: Django's own, with the editor's dashboard as its index.

Installed as the default site by ``newsroom.apps.DatelineAdminConfig``, so every
``@admin.register`` in the project (and in taggit and the comments app) lands here.
It lives outside the ``newsroom.admin`` package: Django builds the site when the first admin module
registers a model, which may be while that package is still loading.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.urls import NoReverseMatch, reverse

from .workflow import dashboard

# The desk's own shortcuts on the dashboard, grouped by job: (heading, [(app label, model name, label)]).
DESK_LINKS = (
    (
        "Write",
        (
            ("newsroom", "article", "Articles"),
            ("events", "event", "Events"),
        ),
    ),
    (
        "Library",
        (
            ("newsroom", "image", "Images"),
            ("newsroom", "author", "Authors"),
            ("newsroom", "section", "Sections"),
            ("newsroom", "outlet", "Outlets"),
            ("taggit", "tag", "Contexts"),
        ),
    ),
    ("Readers", (("comments", "comment", "Comment queue"),)),
)

# Names in Django's app list that mean nothing to an editor.
APP_LABELS = {"taggit": "Contexts", "auth": "Accounts and roles", "reversion": "Revisions"}
MODEL_LABELS = {("taggit", "tag"): "Contexts"}


class LabelledAutocompleteView(AutocompleteJsonView):
    """Django's search-as-you-type answers, each named by its admin's ``autocomplete_label`` where it has one."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class DatelineAdminSite(admin.AdminSite):
    site_header = "Dateline newsroom"
    site_title = "Dateline"
    index_title = "Newsroom desk"
    index_template = "admin/dateline/dashboard.html"
    # The changelists carry many useful columns; the sidebar would push the status column off a laptop screen.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        context = {
            "dashboard": dashboard(request.user),
            "desk_links": self.desk_links(request),
            **(extra_context or {}),
        }
        if request.user.has_perm("comments.change_comment"):
            context["dashboard"].update(comment_counts())
        if request.user.has_perm("newsroom.view_source"):
            context["dashboard"].update(broken_link_counts())
        return super().index(request, extra_context=context)

    def autocomplete_view(self, request):
        return LabelledAutocompleteView.as_view(admin_site=self)(request)

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = APP_LABELS.get(app["app_label"], app["name"])
            for model in app["models"]:
                key = (app["app_label"], model["object_name"].lower())
                model["name"] = MODEL_LABELS.get(key, model["name"])
        return apps

    def desk_links(self, request) -> list[dict]:
        """The dashboard's shortcuts this user may open, each with its add link where they may add."""
        registered = {(m._meta.app_label, m._meta.model_name): ma for m, ma in self._registry.items()}
        groups = []
        for heading, entries in DESK_LINKS:
            links = []
            for app_label, model_name, label in entries:
                model_admin = registered.get((app_label, model_name))
                if model_admin is None or not model_admin.has_view_or_change_permission(request):
                    continue
                try:
                    url = reverse(f"{self.name}:{app_label}_{model_name}_changelist")
                    add_url = (
                        reverse(f"{self.name}:{app_label}_{model_name}_add")
                        if model_admin.has_add_permission(request)
                        else None
                    )
                except NoReverseMatch:
                    continue
                links.append({"label": label, "url": url, "add_url": add_url})
            if links:
                groups.append({"heading": heading, "links": links})
        return groups


def comment_counts() -> dict:
    """What the moderators' part of the dashboard shows; empty when the comments app is not installed."""
    try:
        from newsroom.comments.services import flagged_comment_count, pending_comment_count
    except ImportError:
        return {}
    return {"comments_waiting": pending_comment_count(), "comments_flagged": flagged_comment_count()}


def broken_link_counts() -> dict:
    """Citations in published stories whose link check found them gone or not answering."""
    from .admin.links import BROKEN, broken_published_sources

    return {
        "broken_links": broken_published_sources().count(),
        "broken_links_url": reverse("admin:newsroom_source_changelist") + f"?link={BROKEN}&cited_in=published",
    }
