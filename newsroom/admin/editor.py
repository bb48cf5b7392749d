"""The rich-text editor on the editing screen: the article body, the event summary and the live preview.

The editor is django-prose-editor's Tiptap/ProseMirror bundle, loaded by our own module
(``static/js/admin/editor.js``) and configured through data attributes, so the editing screen needs
no inline script and works under a Content-Security-Policy that allows only scripts from the site.
Its schema is the allow-list in ``newsroom/sanitize.py``; the model cleans whatever arrives on save.
"""

from __future__ import annotations

import json
import math

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin

from ..models import Image
from ..sanitize import plain_text

# The editor's schema, in django-prose-editor's extension names. The browser builds the editor from
# these (static/js/admin/editor.js) and tests/newsroom/test_rich_text.py checks that the library's own
# allow-list for them is the one in newsroom/sanitize.py, so the two cannot drift apart unnoticed.
EDITOR_EXTENSIONS = {
    "Paragraph": True,
    "HardBreak": True,
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False},
    "BulletList": True,
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "Blockquote": True,
}
# One paragraph of bold, italic and links, for an event's one-sentence summary.
INLINE_EXTENSIONS = {"Paragraph": True, "Bold": True, "Italic": True, "Link": {"enableTarget": False}}
MODES = {"body": EDITOR_EXTENSIONS, "inline": INLINE_EXTENSIONS}

# Words a minute for the reading time shown beside the body; the same figure is used in editor.js.
READING_SPEED = 230
# At most this many figures are described in one request from the editor.
MAX_FIGURE_IDS = 200
# Width of a figure's picture inside the editor.
FIGURE_PREVIEW_WIDTH = 320


def word_count(html: str) -> int:
    return len(plain_text(html).split())


def reading_minutes(words: int) -> int:
    return math.ceil(words / READING_SPEED) if words else 0


class RichTextWidget(forms.Textarea):
    """A textarea the editor takes over; without JavaScript it stays a plain HTML textarea.

    ``mode`` is "body" (paragraphs, subheadings, lists, quotes, links and library figures) or
    "inline" (one paragraph of bold, italic and links).
    """

    template_name = "admin/newsroom/widgets/rich_text.html"

    def __init__(self, *, mode: str = "body", attrs=None):
        super().__init__(attrs)
        self.mode = mode
        # Filled in by RichTextAdminMixin.get_form, which knows the admin site and the story.
        self.urls: dict[str, str] = {}

    @property
    def media(self):
        return forms.Media(
            css={
                "all": (
                    "django_prose_editor/material-icons.css",
                    "css/admin/prosemirror.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "css/admin/editor.css",
                )
            },
            js=(forms.Script("js/admin/editor.js", type="module"),),
        )

    def _render(self, template_name, context, renderer=None):
        # The form renderer only sees Django's own and the apps' templates; this one lives with the admin's.
        return mark_safe(render_to_string(template_name, context))

    def use_required_attribute(self, initial):
        # The textarea is hidden under the editor; a required hidden field would block saving with no message.
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        config = {
            "mode": self.mode,
            "extensions": MODES[self.mode],
            **{key: url for key, url in self.urls.items() if key != "preview"},
        }
        context["widget"]["attrs"]["data-rich-text"] = json.dumps(config, separators=(",", ":"))
        words = word_count(value or "")
        context["widget"].update(
            mode=self.mode,
            urls=self.urls,
            words=words,
            minutes=reading_minutes(words),
        )
        return context


class RichTextAdminMixin:
    """Puts the rich-text editor on ``rich_text_fields`` and adds the live preview and figure lookups.

    Goes before the story admin in the bases: ``class ArticleAdmin(RichTextAdminMixin, StoryContentAdmin)``.
    """

    # Field name to editor mode ("body" or "inline").
    rich_text_fields: dict[str, str] = {}
    # The field whose editor carries the preview button and the figure picker.
    preview_field: str | None = None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.rich_text_fields:
            kwargs["widget"] = RichTextWidget(mode=self.rich_text_fields[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name in self.rich_text_fields:
            field = form.base_fields.get(name)
            if field is not None and isinstance(field.widget, RichTextWidget):
                field.widget.urls = self._editor_urls(request, obj, with_preview=name == self.preview_field)
        return form

    def _editor_urls(self, request, obj, *, with_preview: bool) -> dict[str, str]:
        site = self.admin_site.name
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        urls: dict[str, str] = {}
        if with_preview:
            urls["preview"] = reverse(f"{site}:{info}_live_preview", args=[obj.pk] if obj is not None else [])
            image_admin = self.admin_site._registry.get(Image)
            if image_admin is not None and image_admin.has_view_permission(request):
                urls["figures"] = reverse(f"{site}:{info}_figure_images")
                urls["imageList"] = reverse(f"{site}:newsroom_image_changelist")
                if image_admin.has_add_permission(request):
                    urls["imageAdd"] = reverse(f"{site}:newsroom_image_add")
        return urls

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("live-preview/", wrap(self.live_preview_view), name=f"{info}_live_preview"),
            path("<path:object_id>/live-preview/", wrap(self.live_preview_view), name=f"{info}_live_preview"),
            path("figure-images/", wrap(self.figure_images_view), name=f"{info}_figure_images"),
            *super().get_urls(),
        ]

    # Figures -----------------------------------------------------------------------------------------------

    def figure_images_view(self, request):
        """What the editor shows for the library figures ``?ids=1,2,3``: thumbnail, caption, credit."""
        image_admin = self.admin_site._registry.get(Image)
        if image_admin is None or not image_admin.has_view_permission(request):
            raise PermissionDenied
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isascii() and part.isdigit()]
        ids = [pk for pk in ids if pk < 2**63][:MAX_FIGURE_IDS]
        images = Image.objects.in_bulk(ids) if ids else {}
        return JsonResponse(
            {
                "images": [
                    {
                        "id": image.pk,
                        "src": image.best_url(FIGURE_PREVIEW_WIDTH) if image.file else "",
                        "width": FIGURE_PREVIEW_WIDTH,
                        "height": round(FIGURE_PREVIEW_WIDTH * image.height / image.width) if image.width else 0,
                        "caption": image.caption,
                        "credit": image.credit,
                        "alt": image.alt_text,
                        "label": str(image),
                    }
                    for image in (images.get(pk) for pk in ids)
                    if image is not None
                ]
            }
        )

    # Live preview ------------------------------------------------------------------------------------------

    @xframe_options_sameorigin
    def live_preview_view(self, request, object_id=None):
        """The public story page rendered from the form as typed, without saving anything.

        The form is saved inside a transaction that is always rolled back, so the page is the real
        story template with the real related lists, bylines and figures, and nothing is kept.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = None
        if object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404("No such story.")
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        change = obj is not None
        form_class = self.get_form(request, obj, change=change)
        try:
            with transaction.atomic():
                form = form_class(request.POST, request.FILES, instance=obj)
                if not form.is_valid():
                    raise _Rendered(self._preview_errors(request, form))
                story = form.save(commit=False)
                if not change and story.created_by_id is None:
                    story.created_by = request.user
                story.save()
                form.save_m2m()
                self._save_preview_inlines(request, form, story, change)
                raise _Rendered(self._render_story(request, story))
        except _Rendered as rendered:
            response = rendered.response
        except DatabaseError:
            # A clash the form could not foresee (two saves racing for one address): say so, keep the form.
            response = self._preview_errors(
                request, None, ["The database refused this version of the story; save it to see why."]
            )
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def _save_preview_inlines(self, request, form, story, change) -> None:
        """Bylines, sources and related links as typed; rows with mistakes are left out of the preview."""
        formsets, _ = self._create_formsets(request, story, change=change)
        for formset in formsets:
            if formset.is_valid():
                formset.save()

    def _render_story(self, request, story) -> HttpResponse:
        from ..views import StoryDetailView

        view = StoryDetailView()
        view.setup(
            request,
            year=f"{story.date.year:04d}",
            month=f"{story.date.month:02d}",
            day=f"{story.date.day:02d}",
            slug=story.slug,
        )
        view.object = view.get_queryset().get(pk=story.pk)
        response = view.render_to_response(view.get_context_data(object=view.object))
        # Rendered now, while the unsaved story is still in the database.
        response.render()
        return HttpResponse(response.content, content_type=response.get("Content-Type"))

    def _preview_errors(self, request, form, messages: list[str] | None = None) -> HttpResponse:
        if form is None:
            errors = [("", messages or [])]
        else:
            errors = [
                (form.fields[name].label if name in form.fields else "", field_messages)
                for name, field_messages in form.errors.items()
            ]
        text = render_to_string("admin/newsroom/live_preview_errors.html", {"errors": errors}, request=request)
        return HttpResponse(text, status=200)


class _Rendered(Exception):  # noqa: N818  (not an error: it carries the page out of the rolled-back block)
    def __init__(self, response: HttpResponse):
        super().__init__()
        self.response = response
