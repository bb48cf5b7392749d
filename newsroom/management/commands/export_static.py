import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.html import escape
from taggit.models import Tag

from newsroom.models import Author, Section, Story, TaggedStory

from ._export import ExportCommand, Exporter

NEXT_PAGE = re.compile(r'rel="next" href="\?page=(\d+)"')
PAGE_LINK = re.compile(r'href="\?page=(\d+)"')
# A static copy cannot accept a post (comments, flags), and such forms carry tokens that
# change on every render, which would make every page look changed. They are left out.
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
# The masthead's search box: a static copy has no search of its own.
SEARCH_FORM = re.compile(r'<form class="masthead__search"[^>]*>.*?</form>\s*', re.DOTALL)
SEARCH_ACTION = re.compile(r'(<form class="masthead__search"[^>]*\baction=")[^"]*(")')


def _url_dir(url_setting: str) -> str:
    return urlsplit(url_setting).path.strip("/")


class Command(ExportCommand):
    help = (
        "Write the public site as static files for a plain web server: DIR/index.html, "
        "DIR/news/YYYY/MM/DD/index.html, DIR/news/YYYY/MM/DD/<slug>/index.html, tag, section and author "
        "pages, with static files and the pictures the pages use. Links are root-relative, so serve DIR at /. "
        "Re-running rewrites only changed files and removes pages of stories no longer published."
    )

    base_url_help = "Address the copy will be served at, for canonical links, share links and structured data."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--search-url",
            default="",
            help=(
                "The live site's search page (https://news.example.org/search/): the copy's search box asks it. "
                "Without it the copy has no search box, since a static copy cannot search."
            ),
        )

    def handle(self, *args, directory, base_url, progress, search_url="", **options):
        if search_url and (urlsplit(search_url).scheme not in {"http", "https"} or not urlsplit(search_url).hostname):
            raise CommandError(f"--search-url must look like https://news.example.org/search/, not {search_url!r}.")
        self.search_url = search_url
        exporter = Exporter(directory, base_url=base_url, progress=progress)
        self.exporter = exporter
        self.media_dir = _url_dir(settings.MEDIA_URL)
        self.static_dir = _url_dir(settings.STATIC_URL)
        self.media_pattern = re.compile(rf"/{re.escape(self.media_dir)}/([A-Za-z0-9_./%-]+)")
        self.media: set[str] = set()
        exporter.run(self._export)
        self.stdout.write(f"Static site: {exporter.summary()}.")

    # --- Pages ---------------------------------------------------------------------------------

    def _page(self, url: str, folder: str) -> str:
        """Write one page and, for paginated lists, every following page as folder/page/N/."""
        base = f"/{folder}" if folder else "/"
        number = 1
        while True:
            asked = url if number == 1 else f"{url}?page={number}"
            raw = self.exporter.fetch(asked).decode()
            following = NEXT_PAGE.search(raw)
            html = POST_FORM.sub("", raw)
            html = self._search_box(html)
            html = PAGE_LINK.sub(lambda m: f'href="{self._page_url(base, int(m.group(1)))}"', html)
            self.media.update(self.media_pattern.findall(html))
            target = folder if number == 1 else f"{folder}page/{number}/"
            self.exporter.write(f"{target}index.html", html.encode())
            if not following or int(following.group(1)) <= number:
                break
            number = int(following.group(1))
        self._prune_pages(folder, last=number)
        return html

    def _search_box(self, html: str) -> str:
        if not self.search_url:
            return SEARCH_FORM.sub("", html)
        return SEARCH_ACTION.sub(lambda m: m[1] + escape(self.search_url) + m[2], html)

    @staticmethod
    def _page_url(base: str, number: int) -> str:
        return base if number == 1 else f"{base}page/{number}/"

    def _prune_pages(self, folder: str, *, last: int) -> None:
        pages = self.exporter.root / folder / "page"
        if not pages.is_dir():
            return
        for entry in pages.iterdir():
            if not entry.name.isdigit() or int(entry.name) > last or int(entry.name) < 2:
                self.exporter.remove(entry)
        self.exporter.remove_empty_dirs(pages)
        if pages.is_dir() and not any(pages.iterdir()):
            pages.rmdir()

    def _export(self) -> None:
        exporter = self.exporter
        live = Story.objects.published()
        tags = Tag.objects.filter(
            pk__in=TaggedStory.objects.filter(content_object__in=live.values("pk")).values("tag_id")
        ).order_by("slug")
        total = live.count() + live.values("date").distinct().count()
        total += tags.count() + Section.objects.count() + Author.objects.count()
        exporter.start_progress(total, unit="page")
        try:
            self._page("/", "")
            self._page("/news/", "news/")
            self._archive()
            tag_slugs = tags.values_list("slug", flat=True).iterator()
            self._taxonomy("tags", ((f"/tags/{slug}/", slug) for slug in tag_slugs))
            self._taxonomy(
                "sections", ((f"/sections/{path}/", path) for path in Section.objects.values_list("path", flat=True))
            )
            self._taxonomy(
                "authors", ((f"/authors/{slug}/", slug) for slug in Author.objects.values_list("slug", flat=True))
            )
            self._not_found_page()
            self._static_files()
            self._media_files()
        finally:
            exporter.close()

    def _archive(self) -> None:
        exporter = self.exporter
        kept_days: set[str] = set()
        months: set[str] = set()
        for day, stories in exporter.published_days():
            folder = f"news/{day:%Y/%m/%d}/"
            kept_days.add(f"{day:%Y/%m/%d}")
            months.add(f"{day:%Y/%m}")
            self._page(f"/{folder}", folder)
            exporter.tick()
            slugs = set()
            for _, slug in stories:
                slugs.add(slug)
                self._page(f"/{folder}{slug}/", f"{folder}{slug}/")
                # The Print link's page, for readers whose browser runs no script.
                self._page(f"/{folder}{slug}/print/", f"{folder}{slug}/print/")
                exporter.tick()
            for entry in (exporter.root / folder).iterdir():
                if entry.is_dir() and entry.name not in slugs:
                    exporter.remove(entry)
        exporter.prune_days(kept_days, is_ours=lambda entry: entry.is_dir() or entry.name == "index.html")
        years = {month[:4] for month in months}
        for year in sorted(years):
            self._page(f"/news/{year}/", f"news/{year}/")
        for month in sorted(months):
            self._page(f"/news/{month}/", f"news/{month}/")
        news = exporter.root / "news"
        for year_dir in (p for p in news.iterdir() if p.is_dir() and p.name.isdigit()):
            for month_dir in (p for p in year_dir.iterdir() if p.is_dir() and p.name.isdigit()):
                if f"{year_dir.name}/{month_dir.name}" not in months:
                    self._remove_page(month_dir)
            if year_dir.name not in years:
                self._remove_page(year_dir)
        exporter.remove_empty_dirs(news)

    def _remove_page(self, folder: Path) -> None:
        for name in ("index.html", "page"):
            if (folder / name).exists():
                self.exporter.remove(folder / name)

    def _taxonomy(self, top: str, pages) -> None:
        """Tag, section or author pages; pages of ones that are gone are removed."""
        kept: set[str] = set()
        for url, key in pages:
            self._page(url, f"{top}/{key}/")
            kept.add(key)
            self.exporter.tick()
        root = self.exporter.root / top
        if not root.is_dir():
            return
        for index in sorted(root.rglob("index.html")):
            relative = index.parent.relative_to(root).as_posix()
            owner = relative.split("/page/")[0] if "/page/" in relative else relative
            if owner not in kept:
                self.exporter.remove(index)
        self.exporter.remove_empty_dirs(root)

    def _not_found_page(self) -> None:
        request = RequestFactory().get("/404.html", HTTP_HOST=self.exporter.host)
        self.exporter.write("404.html", self._search_box(render_to_string("404.html", request=request)).encode())

    # --- Files ---------------------------------------------------------------------------------

    def _static_files(self) -> None:
        """Copy the static files pages link to. Django admin's own files are left out: there is no admin here."""
        copied: set[str] = set()
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # Hashed names come from the manifest written by collectstatic.
            source_root = Path(settings.STATIC_ROOT)
            if not (source_root / staticfiles_storage.manifest_name).is_file():
                raise CommandError("Run 'manage.py collectstatic' first: the static files have hashed names.")
            sources = ((p.relative_to(source_root).as_posix(), p) for p in source_root.rglob("*") if p.is_file())
        else:
            sources = (
                (path, Path(storage.path(path)))
                for finder in finders.get_finders()
                for path, storage in finder.list(["CVS", ".*", "*~"])
            )
        for relative, source in sources:
            if relative.startswith("admin/") or relative in copied:
                continue
            copied.add(relative)
            self.exporter.copy(source, f"{self.static_dir}/{relative}")
        self._prune_files(self.static_dir, copied)

    def _media_files(self) -> None:
        media_root = Path(settings.MEDIA_ROOT).resolve()
        copied: set[str] = set()
        for reference in sorted(self.media):
            relative = PurePosixPath(unquote(reference))
            if ".." in relative.parts or relative.is_absolute():
                continue
            source = media_root / relative
            if source.is_file():
                copied.add(relative.as_posix())
                self.exporter.copy(source, f"{self.media_dir}/{relative.as_posix()}")
        self._prune_files(self.media_dir, copied)

    def _prune_files(self, top: str, keep: set[str]) -> None:
        root = self.exporter.root / top
        if not root.is_dir():
            return
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.relative_to(root).as_posix() not in keep:
                self.exporter.remove(path)
        self.exporter.remove_empty_dirs(root)
