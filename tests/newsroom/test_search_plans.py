"""A search's candidate query is planned for its own words every time, never kept as a prepared statement.

PostgreSQL plans a prepared statement once for any values after a few runs. For a search that plan cannot
know whether the words are rare (ask the index) or common (walk the newest stories), and at full size it
walked the whole archive for a rare word: 66 to 79 ms instead of 1.4 to 11.
"""

import re

import pytest
from django.db import connection

from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold"),
        reason="prepared statements are PostgreSQL's, and on by default there",
    ),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [" ".join(row[0].split()) for row in cursor.fetchall()]


def test_a_search_repeated_many_times_still_plans_its_candidate_query_for_its_words(client, indexed):
    with indexed():
        ArticleFactory(headline="Harbour pilots strike over night shifts")
        ArticleFactory(headline="Council reopens the harbour footbridge")
        ArticleFactory(headline="Tram line closed for repairs")
    for words in ["harbour", "pilots", "footbridge", "tram", "harbour"] * 2:
        response = client.get("/search/", {"q": words})
        assert response.status_code == 200
    page = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "2 results for “harbour”" in page
    kept = prepared_statements()
    # The connection does prepare what it runs often (the probe of the newest stories among them)...
    assert any("FROM (SELECT" in statement and "@@ q" in statement for statement in kept)
    # ...but not the query that ranks the candidates, whose plan depends on how common the words are.
    assert not any('AS "rank"' in statement for statement in kept)
