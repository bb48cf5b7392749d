"""Two editors writing one story at the same moment still leave the section and author counts exact.

On PostgreSQL each trigger counts with the other tables as committed, so without care a byline added
while another transaction publishes the story would be counted by neither. The byline's and article's
triggers first take a share lock on their stories, so the second writer waits and then counts.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection

from newsroom.listcounts import rebuild_list_counts
from newsroom.models import AuthorMonth, SectionMonth
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )


def counts() -> tuple[dict, dict]:
    """Every section's and author's kept stories, all months together."""
    found: tuple[dict, dict] = ({}, {})
    for totals, model, key in ((found[0], SectionMonth, "section_id"), (found[1], AuthorMonth, "author_id")):
        for pk, stories in model.objects.values_list(key, "stories"):
            if stories:
                totals[pk] = totals.get(pk, 0) + stories
    return found


def test_a_byline_and_a_section_written_while_the_story_is_published_are_both_counted():
    first_section, second_section = SectionFactory(name="World"), SectionFactory(name="Sport")
    ana, ben = AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")
    story = ArticleFactory(section=first_section, authors=[ana], status="draft", publish_at=None)
    assert counts() == ({}, {})

    publisher, desk = other_connection(), other_connection()
    errors: list[BaseException] = []
    try:
        publisher.execute(
            "UPDATE newsroom_story SET status = 'published', publish_at = now() WHERE id = %s", [story.pk]
        )

        def edit() -> None:
            try:
                desk.execute(
                    "INSERT INTO newsroom_byline (article_id, author_id, role, \"order\") VALUES (%s, %s, '', 1)",
                    [story.pk, ben.pk],
                )
                desk.execute(
                    "UPDATE newsroom_article SET section_id = %s WHERE story_ptr_id = %s", [second_section.pk, story.pk]
                )
                desk.commit()
            except BaseException as error:  # reported to the test below
                errors.append(error)

        editor = threading.Thread(target=edit)
        editor.start()
        time.sleep(0.5)
        # The desk waits for the publisher's transaction instead of counting the story as a draft.
        assert editor.is_alive()
        publisher.commit()
        editor.join(timeout=10)
        assert not editor.is_alive() and errors == []
    finally:
        publisher.close()
        desk.close()

    assert counts() == ({second_section.pk: 1}, {ana.pk: 1, ben.pk: 1})
    rebuild_list_counts()
    assert counts() == ({second_section.pk: 1}, {ana.pk: 1, ben.pk: 1})
