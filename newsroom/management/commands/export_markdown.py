from newsroom.markdown import INDEX_NAME

from ._export import ExportCommand, Exporter


class Command(ExportCommand):
    help = (
        "Write the published archive as Markdown: DIR/news/YYYY/MM/DD/index.md for each day and "
        "DIR/news/YYYY/MM/DD/<slug>.md for each story, exactly as the site serves them. "
        "Re-running rewrites only changed files and removes files of stories no longer published."
    )

    base_url_help = "Address the site is served at; used for the canonical links in response headers only."

    def handle(self, *args, directory, base_url, progress, **options):
        exporter = Exporter(directory, base_url=base_url, progress=progress)
        exporter.run(lambda: self._export(exporter))
        self.stdout.write(f"Markdown archive: {exporter.summary()}.")

    def _export(self, exporter: Exporter) -> None:
        from newsroom.models import Story

        exporter.start_progress(Story.objects.published().count(), unit="story")
        kept_days: set[str] = set()
        try:
            for day, stories in exporter.published_days():
                folder = f"news/{day:%Y/%m/%d}"
                kept_days.add(f"{day:%Y/%m/%d}")
                names = {f"{INDEX_NAME}.md"}
                exporter.write(f"{folder}/{INDEX_NAME}.md", exporter.fetch(f"/{folder}/{INDEX_NAME}.md"))
                for _, slug in stories:
                    exporter.tick()
                    if slug == INDEX_NAME:
                        # That name is the day's index; such a story is linked by its HTML address.
                        continue
                    names.add(f"{slug}.md")
                    exporter.write(f"{folder}/{slug}.md", exporter.fetch(f"/{folder}/{slug}.md"))
                for entry in (exporter.root / folder).iterdir():
                    if entry.suffix == ".md" and entry.is_file() and entry.name not in names:
                        exporter.remove(entry)
            exporter.prune_days(kept_days, is_ours=lambda entry: entry.is_file() and entry.suffix == ".md")
        finally:
            exporter.close()
