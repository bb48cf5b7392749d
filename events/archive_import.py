"""Reading back the Markdown archive that ``export_markdown`` writes: its dated events, their sources,
contexts and related links.

The archive is read one day folder at a time, so memory stays flat however many years it holds. Two
passes: the first writes every event with its sources; the second, once every event of the archive
exists, its related links (which may point forward in time) and the contexts those links name.

What the files cannot say is chosen so that exporting the imported archive writes the same files:
events of a category keep their order through their publish times, and every related entry is kept as
an editor's link in its place (the automatic list would come out the same, but a ranked list cannot be
told apart from a chosen one in the files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from markdown_it import MarkdownIt

from newsroom.markdown import INDEX_NAME
from newsroom.models import Outlet, RelatedLink, Source, Story
from newsroom.querysets import Status
from newsroom.sanitize import clean_inline

from .models import Event

_LINK = r"\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)"
LINK = re.compile(_LINK)
EVENT_LINE = re.compile(r"^- (.+) \(\[details\]\(((?:\\.|[^)\\])*)\)\)$")
NUMBERED = re.compile(r"^\d+\. (.*)$")
RELATED_LINE = re.compile(rf"^{_LINK}(?: _Context: (.+)_)?$")
STORY_ADDRESS = re.compile(r"^/news/(\d{4})/(\d{2})/(\d{2})/([^/]+?)(?:\.md|/)$")
DAY_FOLDER = re.compile(r"^\d{4}/\d{2}/\d{2}$")
# The day index's closing line, links to the days either side.
NEIGHBOURS = ("Previous day: ", "Next day: ")
CATEGORIES = {label: value for value, label in Event.Category.choices}

_inline = MarkdownIt("commonmark")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def unescape_target(text: str) -> str:
    return text.replace("\\(", "(").replace("\\)", ")")


def summary_html(markdown: str) -> str:
    """A summary line as the sanitized inline HTML an event stores."""
    return clean_inline(_inline.renderInline(markdown).strip())


@dataclass
class Fault:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class DayEntry:
    line: int
    summary: str
    slug: str
    category: str
    position: int


@dataclass
class StoryFile:
    summary: str | None = None
    summary_line: int = 0
    sources: list[tuple[int, str, str]] = field(default_factory=list)
    related: list[tuple[int, str, str, list[str]]] = field(default_factory=list)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    articles_skipped: int = 0
    links_changed: int = 0
    days: int = 0
    faults: list[Fault] = field(default_factory=list)


def day_folders(root: Path) -> Iterator[tuple[date, Path]]:
    news = root / "news"
    for index in sorted(news.glob("*/*/*/index.md")):
        folder = index.parent
        relative = folder.relative_to(news).as_posix()
        if not DAY_FOLDER.match(relative):
            continue
        try:
            day = date(*(int(part) for part in relative.split("/")))
        except ValueError:
            continue
        yield day, folder


def parse_day(path: Path, root: Path, report: Report) -> list[DayEntry]:
    entries: list[DayEntry] = []
    section = None
    category = None
    positions: dict[str, int] = {}
    where = path.relative_to(root).as_posix()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].strip()
            category = None
            continue
        if section == "Articles" and line.startswith("- "):
            report.articles_skipped += 1
            continue
        if section != "Events" or not line.strip() or line.startswith(NEIGHBOURS):
            continue
        if line.startswith("### "):
            label = unescape(line[4:].strip())
            category = CATEGORIES.get(label)
            if category is None:
                report.faults.append(Fault(where, number, f"unknown category {label!r}; its events are skipped"))
            continue
        found = EVENT_LINE.match(line)
        if not found:
            report.faults.append(Fault(where, number, "not an event line: '- summary ([details](address))'"))
            continue
        if category is None:
            continue
        address = STORY_ADDRESS.match(unescape_target(found.group(2)))
        if not address:
            report.faults.append(Fault(where, number, f"the details address {found.group(2)!r} is not a story's"))
            continue
        position = positions.get(category, 0)
        positions[category] = position + 1
        entries.append(DayEntry(number, found.group(1), address.group(4), category, position))
    return entries


def parse_story(path: Path, root: Path, report: Report) -> StoryFile:
    parsed = StoryFile()
    section = None
    where = path.relative_to(root).as_posix()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("### "):
            section = line[4:].strip()
            continue
        if line.startswith("# ") and parsed.summary is None:
            parsed.summary, parsed.summary_line = line[2:].strip(), number
            continue
        item = NUMBERED.match(line)
        if not item:
            continue
        text = item.group(1)
        if section == "Source:":
            found = LINK.fullmatch(text)
            if not found:
                report.faults.append(Fault(where, number, "a source needs an outlet and an address: [Outlet](url)"))
                continue
            parsed.sources.append((number, unescape(found.group(1)), unescape_target(found.group(2))))
        elif section == "Related:":
            found = RELATED_LINE.match(text)
            if not found:
                report.faults.append(Fault(where, number, "a related entry needs a link: [title](address)"))
                continue
            contexts = [unescape(name).strip() for name in (found.group(3) or "").split(", ") if name.strip()]
            parsed.related.append((number, unescape(found.group(1)), unescape_target(found.group(2)), contexts))
    return parsed


def publish_time(day: date, position: int) -> datetime:
    """Midday on the event's day, a second earlier for each event listed above it, and never in the future."""
    moment = timezone.make_aware(datetime.combine(day, time(12, 0))) - timedelta(seconds=position)
    latest = timezone.now() - timedelta(seconds=position + 1)
    return min(moment, latest)


def outlet_named(name: str) -> Outlet:
    outlet = Outlet.objects.filter(name__iexact=name).order_by("pk").first()
    return outlet or Outlet.objects.create(name=name)


def import_event(entry: DayEntry, day: date, story: StoryFile | None, report: Report, where: str) -> None:
    summary = summary_html(story.summary if story and story.summary else entry.summary)
    if not summary:
        report.faults.append(Fault(where, entry.line, "the event has no summary"))
        return
    sources = story.sources if story else []
    existing = Story.objects.filter(date=day, slug=entry.slug).first()
    if existing is not None and existing.kind != Story.Kind.EVENT:
        report.faults.append(Fault(where, entry.line, f"an article already uses the address {day}/{entry.slug}"))
        return
    event = existing.event if existing is not None else None
    wanted_sources = [(name, url) for _, name, url in sources]
    if event is not None:
        have = [(source.outlet.name, source.url) for source in event.sources.select_related("outlet")]
        same_sources = [(name.lower(), url) for name, url in have] == [(n.lower(), u) for n, u in wanted_sources]
        if event.summary == summary and event.category == entry.category and same_sources:
            report.unchanged += 1
            return
        event.summary, event.category = summary, entry.category
        event.save()
        report.updated += 1
    else:
        event = Event(
            date=day,
            slug=entry.slug,
            summary=summary,
            category=entry.category,
            status=Status.PUBLISHED,
            publish_at=publish_time(day, entry.position),
        )
        event.full_clean(exclude=["tags"])
        event.save()
        report.created += 1
    event.sources.all().delete()
    for order, (_, name, url) in enumerate(sources):
        Source.objects.create(story=event, outlet=outlet_named(name), url=url, order=order)


def resolve(address: str) -> Story | None:
    found = STORY_ADDRESS.match(address)
    if not found:
        return None
    year, month, day_number, slug = found.groups()
    try:
        day = date(int(year), int(month), int(day_number))
    except ValueError:
        return None
    return Story.objects.filter(date=day, slug=slug).first()


def import_related(event: Story, story: StoryFile, report: Report, where: str) -> None:
    wanted: list[tuple[int | None, str, str]] = []
    for number, text, address, contexts in story.related:
        if address.startswith("/"):
            target = resolve(address)
            if target is None:
                report.faults.append(Fault(where, number, f"{address} is neither in this archive nor on the site"))
                continue
            if target.pk == event.pk:
                continue
            wanted.append((target.pk, "", "" if text == target.title else text))
            for name in contexts:
                _add_context(target, name)
        else:
            wanted.append((None, address, "" if text == address else text))
        for name in contexts:
            _add_context(event, name)
    have = list(event.related_links.order_by("order", "pk").values_list("target_id", "url", "label"))
    if have == wanted:
        return
    event.related_links.all().delete()
    RelatedLink.objects.bulk_create(
        RelatedLink(story=event, target_id=target, url=url, label=label, order=order)
        for order, (target, url, label) in enumerate(wanted)
    )
    report.links_changed += 1


def _add_context(story: Story, name: str) -> None:
    if not story.tags.filter(name__iexact=name).exists():
        story.tags.add(name)


def import_archive(root: Path, *, dry_run: bool = False, progress: Callable[[Report], None] | None = None) -> Report:
    """Import every day folder under ``root/news``; faults are collected with their file and line."""
    root = Path(root)
    report = Report()
    if not (root / "news").is_dir():
        report.faults.append(Fault(str(root), 0, "no news/ folder: not an export_markdown archive"))
        return report
    with transaction.atomic():
        for day, folder in day_folders(root):
            _import_day(root, day, folder, report)
            report.days += 1
            if progress:
                progress(report)
        for day, folder in day_folders(root):
            _link_day(root, day, folder, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _story_file(folder: Path, slug: str) -> Path | None:
    path = folder / f"{slug}.md"
    return path if slug != INDEX_NAME and path.is_file() else None


def _import_day(root: Path, day: date, folder: Path, report: Report) -> None:
    where = (folder / "index.md").relative_to(root).as_posix()
    for entry in parse_day(folder / "index.md", root, report):
        path = _story_file(folder, entry.slug)
        story = parse_story(path, root, report) if path else None
        try:
            with transaction.atomic():
                import_event(entry, day, story, report, where)
        except (ValidationError, DatabaseError, ValueError) as error:
            message = "; ".join(getattr(error, "messages", None) or [str(error)])
            report.faults.append(Fault(where, entry.line, f"not imported: {message}"))


def _link_day(root: Path, day: date, folder: Path, report: Report) -> None:
    for entry in parse_day(folder / "index.md", root, Report()):
        path = _story_file(folder, entry.slug)
        event = Story.objects.filter(date=day, slug=entry.slug, kind=Story.Kind.EVENT).first()
        if path is None or event is None:
            continue
        # Faults in the file were reported by the first pass; here only the links' own.
        story = parse_story(path, root, Report())
        try:
            with transaction.atomic():
                import_related(event, story, report, path.relative_to(root).as_posix())
        except (ValidationError, DatabaseError, ValueError) as error:
            report.faults.append(Fault(path.relative_to(root).as_posix(), 1, f"related links not kept: {error}"))
