"""The old addresses imports keep, and the page that runs an import of a small file from the admin.

Large archives belong to the management commands, which stream them and report progress; the page
takes files up to ``IMPORT_MAX_BYTES`` and runs the same importers in the request.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .models import LegacyAddress
from .wordpress import WordPressImporter, read_kinds

# Fewer entries than this in a Markdown archive's zip, or the page refuses it (a zip bomb has millions).
MAX_ZIP_ENTRIES = 20000


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        label="What it is",
        choices=(("wordpress", "WordPress export (.xml)"), ("markdown", "Dateline Markdown archive (.zip)")),
        widget=forms.RadioSelect,
        initial="wordpress",
    )
    file = forms.FileField(label="File")
    kinds = forms.CharField(
        label="Kinds by category",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="WordPress only: one 'category-slug = kind' a line (news, opinion, editorial, analysis). "
        "Posts in no listed category are news.",
    )
    dry_run = forms.BooleanField(
        label="Only report what would change", required=False, initial=True, help_text="Nothing is written."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the admin takes up to {filesizeformat(max_bytes())}. "
                "Import larger archives with the import_wordpress or import_markdown command."
            )
        return upload

    def clean_kinds(self):
        pairs = [line for line in self.cleaned_data["kinds"].splitlines() if line.strip()]
        try:
            return read_kinds(None, pairs)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def unpack(upload, target: Path) -> None:
    """Extract a Markdown archive's .md files, refusing names that climb out of ``target``."""
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as error:
        raise forms.ValidationError("That file is not a zip archive.") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_ENTRIES or sum(m.file_size for m in members) > 10 * max_bytes():
            raise forms.ValidationError("The archive unpacks to more than the admin takes; use the command.")
        for member in members:
            name = PurePosixPath(member.filename)
            if member.is_dir() or name.suffix != ".md":
                continue
            if name.is_absolute() or ".." in name.parts:
                raise forms.ValidationError(f"The archive holds a path outside itself: {member.filename}")
            # An archive zipped from above its news/ folder still imports.
            parts = name.parts[name.parts.index("news") :] if "news" in name.parts else name.parts
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(member))


@admin.register(LegacyAddress)
class LegacyAddressAdmin(admin.ModelAdmin):
    list_display = ("path", "story_link")
    search_fields = ("path",)
    list_select_related = ("story",)
    readonly_fields = ("path", "story")
    change_list_template = "admin/importers/legacyaddress/change_list.html"

    @admin.display(description="answers 301 to")
    def story_link(self, obj: LegacyAddress) -> str:
        return format_html('<a href="{}">{}</a>', obj.story.get_absolute_url(), obj.story.title)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="importers_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perm("importers.import_archive"):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = self.run_import(data)
            except forms.ValidationError as error:
                form.add_error("file", error)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an archive",
            "form": form,
            "report": report,
            "limit": filesizeformat(max_bytes()),
            "opts": self.model._meta,
            "addresses_url": reverse("admin:importers_legacyaddress_changelist"),
        }
        return TemplateResponse(request, "admin/importers/import.html", context)

    def run_import(self, data) -> dict:
        upload = data["file"]
        if data["source"] == "wordpress":
            importer = WordPressImporter(uploads=None, kinds=data["kinds"], dry_run=data["dry_run"])
            result = importer.run(io.BytesIO(upload.read()))
            return {
                "dry_run": data["dry_run"],
                "lines": [
                    f"Posts: {result.posts}",
                    f"Comments: {result.comments}",
                    f"{result.authors} new authors, {result.sections} new sections",
                    "Pictures are imported by the import_wordpress command, which reads the uploads folder.",
                ],
                "faults": [str(fault) for fault in result.faults],
            }
        from events.archive_import import import_archive

        with tempfile.TemporaryDirectory(prefix="dateline-import-") as folder:
            unpack(upload, Path(folder))
            result = import_archive(Path(folder), dry_run=data["dry_run"])
        return {
            "dry_run": data["dry_run"],
            "lines": [
                f"{result.days} days: {result.created} new events, {result.updated} updated, "
                f"{result.unchanged} unchanged",
                f"Related links set on {result.links_changed} events; {result.articles_skipped} articles left out",
            ],
            "faults": [str(fault) for fault in result.faults],
        }
