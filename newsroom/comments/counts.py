"""How many approved comments a story's thread holds, read from the count the database keeps.

``ThreadCount`` holds one row per story with comments, kept by triggers on the comments' table
(migration 0008) whatever approves, rejects, moves or deletes a comment: the moderation queue, a
reader deleting their own comment, an import, a bulk action. A story page reads its thread's size with
the story itself, so a thread of any length costs its page no count.
"""

from __future__ import annotations

from django.db import connections, router, transaction

from .models import Comment, ThreadCount
from .querysets import Status


def rebuild_thread_counts(*, using: str | None = None) -> int:
    """Count every story's approved comments again; answers how many stories have any.

    The triggers keep the figures exact; this is for loads that bypass them (the benchmark generator
    writes with triggers off) and for a check by hand (``manage.py rebuild_archive_counts``).
    """
    connection = connections[using or router.db_for_write(Comment)]
    quote = connection.ops.quote_name
    kept, comments = quote(ThreadCount._meta.db_table), quote(Comment._meta.db_table)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {kept}")
        cursor.execute(
            f"INSERT INTO {kept} (story_id, approved) SELECT story_id, COUNT(*) FROM {comments} "
            "WHERE status = %s GROUP BY story_id",
            [str(Status.APPROVED)],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {kept} WHERE approved > 0")
        return cursor.fetchone()[0]
