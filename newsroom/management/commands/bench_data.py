"""Fill the database with a decades-deep archive for the benchmark.

Rows are written with COPY on PostgreSQL (executemany elsewhere, so the tests
can run it on SQLite at tiny sizes), never with one save per row. The shapes
follow a real newsroom: a few contexts ("China", "Elections") are on a large
share of stories while most are on a handful; several events a day, busier in
recent years; comments bunch on a few stories. Titles, summaries and bodies
use a seeded made-up vocabulary with a Zipf law (see _text.py), so search meets
common, middling and rare words as it would in a real archive.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from events.models import Event
from newsroom.archive import rebuild_archive_counts
from newsroom.comments.counts import rebuild_thread_counts
from newsroom.comments.models import Comment, normalise_for_matching
from newsroom.listcounts import rebuild_list_counts
from newsroom.models import Article, Author, Byline, Outlet, Section, Source, Story, TaggedStory
from newsroom.threads import rebuild_context_counts

from ._text import vocabulary

PRESETS = {
    "small": {"articles": 2_000, "events": 10_000, "tags": 500, "comments": 20_000},
    "full": {"articles": 200_000, "events": 1_000_000, "tags": 50_000, "comments": 2_000_000},
}
# Stories buffered before one round of COPY: large enough to amortise the round trips,
# small enough that progress shows and memory stays flat.
CHUNK = 20_000

# The most used contexts, most used first: the long tail is generated after them.
HEAD_CONTEXTS = [
    "China", "United States", "Elections", "European Union", "Climate change", "Russia", "India",
    "Ukraine", "Economy", "Inflation", "Football", "Middle East", "Brazil", "Japan", "United Nations",
    "Health", "Courts", "Parliament", "Energy", "Migration", "Technology", "Africa", "Germany", "France",
    "Trade", "Protests", "Earthquakes", "Floods", "Space", "Cricket", "Oil", "Banking", "Education",
    "Housing", "Transport", "Wildfires", "Olympics", "Terrorism", "Nuclear power", "Artificial intelligence",
]  # fmt: skip
SYLLABLES = [
    "ka", "lo", "mer", "vin", "tas", "ro", "bel", "dor", "an", "ze", "qui", "sol", "mar", "ten", "gra",
    "fel", "nor", "pa", "lis", "om", "ve", "ru", "sen", "tor", "hal", "bi", "cas", "dun", "el", "fio",
    "gan", "hu", "ir", "jo", "kel", "lum", "mo", "nes", "or", "pim",
]  # fmt: skip
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Zoltan",
]  # noqa: E501
LAST_NAMES = [
    "Abbott",
    "Bianchi",
    "Costa",
    "Dahl",
    "Eze",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lind",
    "Moreau",
    "Novak",
    "Okafor",
    "Park",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]  # noqa: E501
SECTIONS = [
    ("News", "news", [("World", "world"), ("National", "national"), ("Business", "business"), ("Science", "science")]),
    ("Sport", "sport", [("Football", "football"), ("Cricket", "cricket")]),
    ("Opinion", "opinion", [("Editorials", "editorials"), ("Columns", "columns")]),
    ("Culture", "culture", []),
    ("Analysis", "analysis", []),
]
CATEGORY_WEIGHTS = [30, 18, 14, 10, 10, 6, 5, 3, 8, 12]
COMMENT_STATUSES = (["approved"] * 88) + (["pending"] * 6) + (["spam"] * 4) + (["rejected"] * 2)


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def split_over_days(total: int, days: int, rng: random.Random) -> list[int]:
    """Share ``total`` over ``days`` unevenly, with recent years busier than the first."""
    if days <= 0 or total <= 0:
        return [0] * max(days, 0)
    weights = [(0.4 + index / days) * rng.gammavariate(3.0, 1 / 3) for index in range(days)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    remainders = sorted(range(days), key=lambda i: weights[i] * scale - counts[i], reverse=True)
    for index in remainders[: total - sum(counts)]:
        counts[index] += 1
    return counts


def split_evenly(total: int, days: int, rng: random.Random) -> list[int]:
    """Each story on a day drawn uniformly at random: about the same number every day."""
    counts = [0] * max(days, 0)
    for index in rng.choices(range(days), k=total) if days > 0 else ():
        counts[index] += 1
    return counts


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class Writer:
    """Buffers rows per table and writes them in bulk: COPY on PostgreSQL, executemany elsewhere.

    On PostgreSQL a background thread with its own connection writes one batch while the
    next is being generated, so the database and Python each keep a core busy.
    """

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.rows: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
        self.session_sql: list[str] = []
        self.worker = ThreadPoolExecutor(max_workers=1) if self.postgres else None
        self.pending: Future | None = None

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        self.rows.setdefault((table, columns), []).append(row)

    def flush(self, then=None) -> None:
        rows, self.rows = self.rows, {}
        if self.worker is None:
            self._flush(rows, then)
            return
        self.wait()
        self.pending = self.worker.submit(self._flush_in_worker, rows, then)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        self.wait()
        if self.worker is not None:
            self.worker.submit(lambda: connection.close()).result()
            self.worker.shutdown()

    def _flush_in_worker(self, rows, then) -> None:
        if getattr(connection, "bench_session_sql", None) != self.session_sql:
            with connection.cursor() as cursor:
                for statement in self.session_sql:
                    cursor.execute(statement)
            connection.bench_session_sql = list(self.session_sql)
        self._flush(rows, then)

    def _flush(self, rows, then) -> None:
        with transaction.atomic():
            for (table, columns), batch in rows.items():
                if batch:
                    self._write(table, columns, batch)
            if then is not None:
                then()

    def _write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.postgres:
            data = "".join("\t".join(map(copy_text, row)) + "\n" for row in rows)
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(data)
            return
        adapted = [tuple(self._adapt(value) for value in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", adapted)

    @staticmethod
    def _adapt(value):
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        return value


STORY_COLUMNS = (
    "id", "kind", "date", "slug", "title", "status", "publish_at", "created_at", "updated_at", "comments",
    "comments_close_after_days", "comments_require_account", "version",
)  # fmt: skip
ARTICLE_COLUMNS = (
    "story_ptr_id",
    "headline",
    "standfirst",
    "body",
    "article_type",
    "dateline",
    "language",
    "section_id",
)
EVENT_COLUMNS = ("story_ptr_id", "summary", "category")
TAGGED_COLUMNS = ("id", "content_object_id", "tag_id", "story_date", "story_publish_at", "listed")
SOURCE_COLUMNS = ("id", "story_id", "outlet_id", "title", "url", "published_on", "order")
BYLINE_COLUMNS = ("id", "article_id", "author_id", "role", "order")
COMMENT_COLUMNS = (
    "id", "story_id", "name", "email", "url", "body", "status", "held_reason", "ip_address", "user_agent",
    "created_at", "flag_count", "commenter_key", "body_hash",
)  # fmt: skip
# Text the search vector is built from, staged beside each story row on PostgreSQL.
STAGE_TABLE = "bench_story_stage"
STAGE_COLUMNS = (*STORY_COLUMNS, "text_a", "text_b", "text_c")


class Command(BaseCommand):
    help = "Generate a large, realistic archive for benchmarks: articles, events, contexts and comments."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=None)
        parser.add_argument("--events", type=int, default=None)
        parser.add_argument("--tags", type=int, default=None)
        parser.add_argument("--comments", type=int, default=None)
        parser.add_argument("--small", action="store_true", help="A quick size: " + str(PRESETS["small"]))
        parser.add_argument("--full", action="store_true", help="The full size: " + str(PRESETS["full"]))
        parser.add_argument("--years", type=int, default=30, help="How many years back the archive reaches.")
        parser.add_argument(
            "--days", type=int, default=None, help="How many days back the archive reaches (instead of --years)."
        )
        parser.add_argument(
            "--flat",
            action="store_true",
            help="Spread stories evenly at random over the days, rather than busier in recent years.",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        preset = PRESETS["full" if options["full"] else "small"]
        sizes = {name: options[name] if options[name] is not None else preset[name] for name in preset}
        if any(value < 0 for value in sizes.values()):
            raise CommandError("Sizes must not be negative.")
        self.verbosity = options["verbosity"]
        self.rng = random.Random(options["seed"])
        # The vocabulary depends on the seed alone, so the benchmark can pick search words that are in the data.
        self.words = vocabulary(options["seed"])
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.started = time.monotonic()
        self.writer = Writer()
        self.say(
            f"Generating {sizes['articles']:,} articles, {sizes['events']:,} events, {sizes['tags']:,} contexts, "
            f"{sizes['comments']:,} comments over {options['years']} years on {connection.vendor}."
        )
        self.ids = {model: self.next_id(model) for model in (Story, TaggedStory, Source, Byline, Comment)}
        self.appending = Story.objects.exists()
        self.make_reference_data(sizes)
        self.make_tags(sizes["tags"])
        if not self.writer.postgres:
            self.make_stories(sizes, options)
            self.make_comments(sizes["comments"])
            return self.say("done")
        self.prepare_stage()
        dropped = self.drop_secondary_indexes()
        try:
            self.make_stories(sizes, options)
            self.make_comments(sizes["comments"])
        finally:
            self.restore_indexes(dropped)
        # Written with triggers off, like the stories: each thread's size is counted here in one pass.
        rebuild_thread_counts()
        self.check_foreign_keys()
        self.finish()

    # Helpers -----------------------------------------------------------------

    def say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {message}")
            self.stdout.flush()

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
            return (cursor.fetchone()[0] or 0) + 1

    def take_id(self, model) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def sentence(self, low: int = 8, high: int = 18) -> str:
        return self.words.sentence(self.rng, low, high)

    def local(self, day: date, seconds: int) -> datetime:
        return datetime.combine(day, clock(), tzinfo=self.zone) + timedelta(seconds=seconds)

    # Reference data: small tables, written through the ORM ------------------

    def make_reference_data(self, sizes: dict) -> None:
        sections = []
        for order, (name, slug, children) in enumerate(SECTIONS):
            parent = Section.objects.filter(parent=None, slug=slug).first()
            if parent is None:
                parent = Section.objects.create(name=name, slug=slug, order=order)
            sections.append(parent)
            for child_order, (child_name, child_slug) in enumerate(children):
                child = Section.objects.filter(parent=parent, slug=child_slug).first()
                if child is None:
                    child = Section.objects.create(name=child_name, slug=child_slug, parent=parent, order=child_order)
                sections.append(child)
        self.sections = [s.pk for s in sections]
        self.opinion_sections = [s.pk for s in sections if s.path.startswith("opinion")]
        self.editorial_section = next(s.pk for s in sections if s.path == "opinion/editorials")
        self.section_weights = zipf_cumulative(len(self.sections), 0.8)

        author_count = min(600, max(12, sizes["articles"] // 300))
        taken = set(Author.objects.values_list("slug", flat=True))
        authors = []
        for first, last in itertools.product(FIRST_NAMES, LAST_NAMES):
            slug = f"{first}-{last}".lower()
            if slug not in taken:
                authors.append(Author(name=f"{first} {last}", slug=slug, role="Correspondent"))
            if len(authors) >= author_count:
                break
        Author.objects.bulk_create(authors)
        self.authors = list(Author.objects.order_by("pk").values_list("pk", flat=True))
        self.author_weights = zipf_cumulative(len(self.authors), 0.7)

        names = {f"{self.syllable_name(i)} {kind}" for i in range(200) for kind in ("Herald",)}
        existing = set(Outlet.objects.values_list("name", flat=True))
        Outlet.objects.bulk_create(
            [
                Outlet(name=name, homepage=f"https://{name.split()[0].lower()}.example/")
                for name in sorted(names - existing)
            ]
        )
        self.outlets = list(Outlet.objects.order_by("pk").values_list("pk", "homepage"))
        self.outlet_weights = zipf_cumulative(len(self.outlets), 1.0)
        self.say(f"{len(self.sections)} sections, {len(self.authors)} authors, {len(self.outlets)} outlets")

    @staticmethod
    def syllable_name(index: int) -> str:
        parts = []
        count = len(SYLLABLES)
        for _ in range(3):
            parts.append(SYLLABLES[index % count])
            index //= count
        while index:
            parts.append(SYLLABLES[index % count])
            index //= count
        return "".join(parts).capitalize()

    def make_tags(self, count: int) -> None:
        from taggit.models import Tag

        taken_names = {name.lower() for name in Tag.objects.values_list("name", flat=True)}
        taken_slugs = set(Tag.objects.values_list("slug", flat=True))
        next_tag = (Tag.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        names = itertools.chain(HEAD_CONTEXTS, (self.syllable_name(i) for i in itertools.count(7)))
        self.tags: list[int] = []
        columns = ("id", "name", "slug")
        while len(self.tags) < count:
            name = next(names)
            slug = name.lower().replace(" ", "-")
            if name.lower() in taken_names or slug in taken_slugs:
                continue
            taken_names.add(name.lower())
            taken_slugs.add(slug)
            self.writer.add(Tag._meta.db_table, columns, (next_tag, name, slug))
            self.tags.append(next_tag)
            next_tag += 1
        self.writer.flush()
        self.writer.wait()
        if self.writer.postgres:
            self.reset_sequence(Tag)
        self.tag_weights = zipf_cumulative(len(self.tags), 1.0)
        self.say(f"{len(self.tags):,} contexts")

    def bulk_tables(self) -> list[str]:
        return [m._meta.db_table for m in (Story, Article, Event, TaggedStory, Source, Byline, Comment)]

    def drop_secondary_indexes(self) -> list[tuple[str, str]]:
        """Drop the indexes that no constraint needs: rebuilding them once is far cheaper than
        updating them row by row. Primary keys and unique constraints stay, so they are checked as rows go in."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [self.bulk_tables()],
            )
            dropped = cursor.fetchall()
            for name, _ in dropped:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        # Foreign keys are checked once, set-wise, after the load (check_foreign_keys) instead of per row.
        self.writer.session_sql = ["SET session_replication_role = replica", "SET synchronous_commit = off"]
        self.say(f"dropped {len(dropped)} secondary indexes for the load")
        return dropped

    def restore_indexes(self, dropped: list[tuple[str, str]]) -> None:
        self.writer.close()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in dropped:
                cursor.execute(definition)
        self.say(f"rebuilt {len(dropped)} indexes")

    def check_foreign_keys(self) -> None:
        """Every foreign key of the loaded tables, verified in one anti-join each."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname "
                "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
                "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
                [self.bulk_tables()],
            )
            for name, table, column, target, target_column in cursor.fetchall():
                cursor.execute(
                    f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
                    f'(SELECT 1 FROM {target} p WHERE p."{target_column}" = t."{column}")'
                )
                orphans = cursor.fetchone()[0]
                if orphans:
                    raise CommandError(f"{orphans} rows of {table} break foreign key {name}.")
        self.say("foreign keys verified")

    def prepare_stage(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {STAGE_TABLE} (LIKE {Story._meta.db_table} INCLUDING DEFAULTS, "
                "text_a text, text_b text, text_c text)"
            )

    # Stories -----------------------------------------------------------------

    def make_stories(self, sizes: dict, options: dict) -> None:
        today = timezone.localdate(self.now)
        years = options["years"]
        if options.get("days"):
            first = today - timedelta(days=options["days"] - 1)
        else:
            first = today.replace(year=today.year - years) if years else today
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        split = split_evenly if options.get("flat") else split_over_days
        event_counts = split(sizes["events"], len(days), self.rng)
        article_counts = split(sizes["articles"], len(days), self.rng)
        total = sizes["events"] + sizes["articles"]
        # Stories readers may comment on, with a heavy-tailed appetite for comments.
        self.commentable: list[tuple[int, datetime]] = []
        self.comment_appetite: list[float] = []
        done = pending = 0
        for day, events, articles in zip(days, event_counts, article_counts, strict=True):
            slugs: set[str] = set()
            for _ in range(events):
                self.add_event(day, slugs)
            for _ in range(articles):
                self.add_article(day, slugs)
            pending += events + articles
            if pending >= CHUNK:
                self.flush_stories()
                done += pending
                pending = 0
                self.say(f"stories {done:,}/{total:,} ({done * 100 // max(total, 1)}%) up to {day}")
        # A few articles wait for tomorrow morning, so the scheduled state is in the data too.
        for _ in range(min(20, sizes["articles"] // 1000)):
            self.add_article(today + timedelta(days=1), set(), scheduled=True)
        self.flush_stories()
        self.writer.wait()
        rebuild_archive_counts()
        # On PostgreSQL the load runs with triggers off (session_replication_role), so the contexts' month
        # counts and the sections' and authors' counts are made here in one pass.
        rebuild_context_counts()
        rebuild_list_counts()
        self.say(f"stories {total:,}/{total:,} (100%)")

    def flush_stories(self) -> None:
        self.writer.flush(then=self.insert_staged_stories if self.writer.postgres else None)

    def insert_staged_stories(self) -> None:
        columns = ", ".join(STORY_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Story._meta.db_table} ({columns}, search_vector) SELECT {columns}, "
                "setweight(to_tsvector('english', text_a), 'A') || setweight(to_tsvector('english', text_b), 'B')"
                f" || setweight(to_tsvector('english', text_c), 'C') FROM {STAGE_TABLE}"
            )
            cursor.execute(f"TRUNCATE {STAGE_TABLE}")

    def story_times(self, day: date, *, status: str) -> tuple[datetime | None, datetime, datetime]:
        publish_at = self.local(day, self.rng.randint(6 * 3600, 22 * 3600))
        if day == timezone.localdate(self.now) and publish_at > self.now:
            publish_at = max(self.local(day, 0), self.now - timedelta(minutes=self.rng.randint(1, 90)))
        created = publish_at - timedelta(minutes=self.rng.randint(5, 600))
        updated = publish_at + timedelta(minutes=self.rng.randint(0, 240)) if self.rng.random() < 0.2 else publish_at
        if status in ("draft", "review"):
            return None, created, created
        return publish_at, created, min(updated, max(self.now, publish_at))

    def story_status(self, *, draft_share: float) -> str:
        roll = self.rng.random()
        if roll < draft_share:
            return "draft"
        if roll < draft_share * 2:
            return "review"
        if roll < draft_share * 2.3:
            return "withdrawn"
        return "published"

    def unique_slug(self, words: list[str], slugs: set[str]) -> str:
        base = "-".join(word.lower() for word in words[:9])[:180]
        if self.appending:
            # Stories already in the database may hold any slug on any day; the id keeps new ones apart.
            base = f"{base}-{self.ids[Story]}"
        slug, n = base, 2
        while slug in slugs:
            slug = f"{base}-{n}"
            n += 1
        slugs.add(slug)
        return slug

    def pick_tags(self, low: int, high: int) -> list[int]:
        return list(
            dict.fromkeys(self.rng.choices(self.tags, cum_weights=self.tag_weights, k=self.rng.randint(low, high)))
        )

    def add_story(self, *, story_id, kind, day, slug, title, status, times, texts, comments="auto") -> None:
        publish_at, created, updated = times
        row = (story_id, kind, day, slug, title, status, publish_at, created, updated, comments, 14, False, 1)
        if self.writer.postgres:
            self.writer.add(STAGE_TABLE, STAGE_COLUMNS, (*row, *texts))
        else:
            self.writer.add(Story._meta.db_table, STORY_COLUMNS, row)
        listed = status in ("published", "scheduled")
        for tag in self.pick_tags(*((1, 4) if kind == "event" else (2, 6))):
            self.writer.add(
                TaggedStory._meta.db_table,
                TAGGED_COLUMNS,
                (self.take_id(TaggedStory), story_id, tag, day, publish_at, listed),
            )

    def add_sources(self, story_id: int, day: date, slug: str, count: int) -> None:
        outlets = self.rng.choices(self.outlets, cum_weights=self.outlet_weights, k=count)
        for order, (outlet, homepage) in enumerate(outlets):
            source_id = self.take_id(Source)
            url = f"{homepage}{day:%Y/%m/%d}/{slug[:80]}-{source_id}"
            title = self.sentence(4, 9)[:-1]
            self.writer.add(
                Source._meta.db_table, SOURCE_COLUMNS, (source_id, story_id, outlet, title, url, day, order)
            )

    def add_event(self, day: date, slugs: set[str]) -> None:
        story_id = self.take_id(Story)
        # Subject and verb first, as a one-sentence summary reads, then running text with grammar words.
        words = self.words.headline(self.rng, 3, 7) + self.words.draw(self.rng, self.rng.randint(6, 15))
        summary = " ".join(words).capitalize() + "."
        status = self.story_status(draft_share=0.01)
        slug = self.unique_slug(words, slugs)
        times = self.story_times(day, status=status)
        self.add_story(
            story_id=story_id,
            kind="event",
            day=day,
            slug=slug,
            title=summary,
            status=status,
            times=times,
            texts=("", summary, ""),
        )
        category = self.rng.choices(Event.Category.values, weights=CATEGORY_WEIGHTS)[0]
        self.writer.add(Event._meta.db_table, EVENT_COLUMNS, (story_id, summary, category))
        self.add_sources(story_id, day, slug, self.rng.randint(1, 3))
        if status == "published" and self.rng.random() < 0.03:
            self.commentable.append((story_id, times[0]))
            self.comment_appetite.append(self.rng.paretovariate(1.5) * 0.2)

    def add_article(self, day: date, slugs: set[str], *, scheduled: bool = False) -> None:
        story_id = self.take_id(Story)
        words = self.words.headline(self.rng, 5, 11)
        headline = " ".join(words).capitalize()
        standfirst = self.sentence(14, 28)
        paragraphs = [
            " ".join(self.sentence() for _ in range(self.rng.randint(2, 4))) for _ in range(self.rng.randint(3, 6))
        ]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        status = "scheduled" if scheduled else self.story_status(draft_share=0.01)
        times = self.story_times(day, status=status)
        roll = self.rng.random()
        if roll < 0.08:
            article_type, section = "opinion", self.rng.choice(self.opinion_sections)
        elif roll < 0.12:
            article_type, section = "editorial", self.editorial_section
        else:
            article_type = "analysis" if roll < 0.2 else "news"
            section = self.rng.choices(self.sections, cum_weights=self.section_weights)[0]
        slug = self.unique_slug(words, slugs)
        comments = "closed" if self.rng.random() < 0.1 else "auto"
        self.add_story(
            story_id=story_id,
            kind="article",
            day=day,
            slug=slug,
            title=headline,
            status=status,
            times=times,
            texts=(headline, standfirst, " ".join(paragraphs)),
            comments=comments,
        )
        language = "en" if self.rng.random() < 0.97 else self.rng.choice(["fr", "es", "de", "pt"])
        dateline = self.words.place(self.rng).upper() if self.rng.random() < 0.5 else ""
        self.writer.add(
            Article._meta.db_table,
            ARTICLE_COLUMNS,
            (story_id, headline, standfirst, body, article_type, dateline, language, section),
        )
        authors = dict.fromkeys(
            self.rng.choices(self.authors, cum_weights=self.author_weights, k=1 if self.rng.random() < 0.85 else 2)
        )
        for order, author in enumerate(authors):
            self.writer.add(Byline._meta.db_table, BYLINE_COLUMNS, (self.take_id(Byline), story_id, author, "", order))
        self.add_sources(story_id, day, slug, self.rng.randint(0, 2))
        if status == "published" and comments != "closed":
            self.commentable.append((story_id, times[0]))
            self.comment_appetite.append(self.rng.paretovariate(1.1))

    # Comments ----------------------------------------------------------------

    def make_comments(self, count: int) -> None:
        if not count:
            return
        if not self.commentable:
            raise CommandError("No published story takes comments; generate some articles first.")
        cumulative = list(itertools.accumulate(self.comment_appetite))
        readers = [f"{first} {last[0]}." for first, last in itertools.product(FIRST_NAMES, LAST_NAMES)]
        bodies = [" ".join(self.sentence(5, 20) for _ in range(self.rng.randint(1, 4))) for _ in range(5000)]
        hashes = [hashlib.sha256(normalise_for_matching(body).encode()).hexdigest() for body in bodies]
        table = Comment._meta.db_table
        for start in range(0, count, CHUNK * 5):
            size = min(CHUNK * 5, count - start)
            for story_id, published in self.rng.choices(self.commentable, cum_weights=cumulative, k=size):
                comment_id = self.take_id(Comment)
                reader = self.rng.randrange(len(readers) * 40)
                name = readers[reader % len(readers)]
                email = f"reader{reader}@readers.example"
                body_index = self.rng.randrange(len(bodies))
                status = self.rng.choice(COMMENT_STATUSES)
                posted = min(published + timedelta(minutes=self.rng.expovariate(1 / 600)), self.now)
                held = "Contains a link\nFirst comment from this address" if status == "pending" else ""
                address = f"10.{reader % 250}.{reader // 250 % 250}.{1 + reader % 200}"
                self.writer.add(
                    table,
                    COMMENT_COLUMNS,
                    (
                        comment_id,
                        story_id,
                        name,
                        email,
                        "",
                        bodies[body_index],
                        status,
                        held,
                        address,
                        "Mozilla/5.0 (X11; Linux x86_64)",
                        posted,
                        0,
                        f"email:{email}",
                        hashes[body_index],
                    ),
                )
            self.writer.flush()
            self.writer.wait()
            self.say(f"comments {start + size:,}/{count:,} ({(start + size) * 100 // count}%)")

    # Finishing ---------------------------------------------------------------

    def reset_sequence(self, *models) -> None:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)

    def finish(self) -> None:
        from taggit.models import Tag

        models = [Story, TaggedStory, Source, Byline, Comment, Tag]
        if self.writer.postgres:
            self.reset_sequence(*models)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
            self.say("analysing tables")
            with connection.cursor() as cursor:
                for model in [*models, Article, Event]:
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        self.say("done")
