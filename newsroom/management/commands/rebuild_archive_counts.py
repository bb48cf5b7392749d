from django.core.management.base import BaseCommand

from newsroom.archive import rebuild_archive_counts
from newsroom.comments.counts import rebuild_thread_counts
from newsroom.listcounts import rebuild_list_counts
from newsroom.threads import rebuild_context_counts


class Command(BaseCommand):
    help = (
        "Recount the published stories of every month (the archive pages' figures) from the story table, and "
        "of every context by month (the context pages' timelines) from the context links, and of every "
        "section and author (their pages' numbering) and of every story's approved comments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=None, help="Database alias (default: the stories' database).")

    def handle(self, *args, **options):
        months = rebuild_archive_counts(using=options["database"])
        context_months = rebuild_context_counts(using=options["database"])
        lists = rebuild_list_counts(using=options["database"])
        threads = rebuild_thread_counts(using=options["database"])
        if options["verbosity"]:
            self.stdout.write(
                f"Counted the stories of {months} months, of {context_months} context months, "
                f"of {lists} section and author months, and the comments of {threads} stories."
            )
