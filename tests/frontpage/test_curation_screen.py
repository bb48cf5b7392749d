"""The front page desk in the admin: who may use it, what it saves, what it refuses and what it records."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.frontpage.models import Placement, Revision, Zone
from newsroom.models import Article, Status

from .conftest import publish, story

pytestmark = pytest.mark.django_db

SCREEN = "/admin/frontpage/placement/"


def form_fields(html: str) -> list[tuple[str, str]]:
    """What a browser without JavaScript sends from the screen's form (rows, order numbers, the revision)."""
    form = html.split('id="fp-form"')[1].split("</form>")[0]
    fields = []
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (kind and kind.group(1) in ("submit", "search")):
            continue
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                fields.append((name.group(1), "on"))
            continue
        fields.append((name.group(1), value.group(1) if value else ""))
    for select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[1])
        fields.append((select[0], chosen.group(1) if chosen else ""))
    return fields


def row_prefix(fields, story_id: int) -> str:
    return next(name[: -len("-story")] for name, value in fields if name.endswith("-story") and value == str(story_id))


def post(client, fields, **changes):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name.replace("__", "-")] = [value]
    return client.post(SCREEN, data)


@pytest.mark.parametrize("role", ["Reporter", "Moderator"])
def test_reporters_and_moderators_get_403_on_the_screen_and_its_post(client, staff_in, role):
    client.force_login(staff_in(role))
    target = story("Harbour story")
    assert client.get(SCREEN).status_code == 403
    response = client.post(SCREEN, {"p0-story": target.pk, "p0-area": "lead", "p0-order": "1", "action": "publish"})
    assert response.status_code == 403
    assert client.get(reverse("admin:frontpage_stories"), {"q": "Harbour"}).status_code == 403
    assert not Placement.objects.exists() and not Revision.objects.exists()
    index = client.get("/admin/").content.decode()
    assert "Front page" not in index and "/admin/frontpage/" not in index


def test_editors_see_the_screen_and_front_page_on_the_admin_index(client, staff_in):
    client.force_login(staff_in("Editor"))
    response = client.get(SCREEN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Publish front page" in html and "Lead story" in html and "Top stories" in html and "Opinion" in html
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/frontpage/placement/"' in index
    assert "Arrange the front page" in index.split('id="dashboard"')[1]


def test_screen_has_no_inline_script(client, staff_in):
    client.force_login(staff_in("Editor"))
    html = client.get(SCREEN).content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_editor_adds_a_lead_by_searching_its_headline_and_publishes_without_javascript(client, staff_in):
    editor = staff_in("Editor")
    client.force_login(editor)
    target = story("Ferry timetable cuts announced", hours_ago=20)
    for n in range(8):
        story(f"Harbour story {n}", hours_ago=n + 1)
    html = client.get(SCREEN).content.decode()
    searched = post(client, form_fields(html), q="ferry timetable", action="search").content.decode()
    assert "Ferry timetable cuts announced" in searched and f'name="add" value="{target.pk}"' in searched
    added = post(client, form_fields(searched), add=str(target.pk), add_area="lead").content.decode()
    fields = form_fields(added)
    prefix = row_prefix(fields, target.pk)
    assert (f"{prefix}-area", "lead") in fields
    response = post(client, fields, action="publish")
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.story_id, placement.slot, placement.placed_by) == (target.pk, "lead", editor)
    lead = client.get("/").content.decode().split('class="lead"')[1].split("</div>")[0]
    assert "Ferry timetable cuts announced" in lead


def test_order_numbers_reorder_top_stories_without_javascript(client, staff_in):
    client.force_login(staff_in("Editor"))
    first, second = story("First harbour story", hours_ago=30), story("Second harbour story", hours_ago=31)
    publish((first, "top"), (second, "top"))
    fields = form_fields(client.get(SCREEN).content.decode())
    changes = {
        f"{row_prefix(fields, first.pk)}-order": "2",
        f"{row_prefix(fields, second.pk)}-order": "1",
    }
    data = [(name, changes.get(name, value)) for name, value in fields]
    assert post(client, data, action="publish").status_code == 302
    assert list(Placement.objects.order_by("position").values_list("story_id", flat=True)) == [second.pk, first.pk]
    html = client.get("/").content.decode()
    assert html.index("Second harbour story") < html.index("First harbour story")


def test_setting_and_clearing_an_expiry_and_removing_a_placement(client, staff_in):
    client.force_login(staff_in("Editor"))
    keep, drop = story("Harbour story kept"), story("Harbour story dropped")
    publish((keep, "top"), (drop, "top"))
    fields = form_fields(client.get(SCREEN).content.decode())
    later = timezone.localtime() + timedelta(days=1)
    changes = {
        f"{row_prefix(fields, keep.pk)}-expires_at": later.strftime("%Y-%m-%dT%H:%M"),
        f"{row_prefix(fields, drop.pk)}-remove": "on",
    }
    data = [(name, changes.pop(name, value)) for name, value in fields] + list(changes.items())
    assert post(client, data, action="publish").status_code == 302
    placement = Placement.objects.get()
    assert placement.story_id == keep.pk
    assert placement.expires_at == later.replace(second=0, microsecond=0)
    fields = form_fields(client.get(SCREEN).content.decode())
    data = [(name, "" if name.endswith("-expires_at") else value) for name, value in fields]
    assert post(client, data, action="publish").status_code == 302
    assert Placement.objects.get().expires_at is None
    assert "now stays until moved" in Revision.objects.first().summary


def test_preview_shows_the_unsaved_arrangement_marked_noindex_and_changes_nothing(client, staff_in, settings):
    settings.DATELINE_PAGE_CACHE = True
    client.force_login(staff_in("Editor"))
    target = story("Ferry timetable cuts announced", hours_ago=20)
    story("Harbour story", hours_ago=1)
    fields = form_fields(client.get(SCREEN).content.decode())
    added = form_fields(post(client, fields, add=str(target.pk), add_area="lead").content.decode())
    response = post(client, added, action="preview")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of the front page" in html
    assert "Ferry timetable cuts announced" in html.split('class="lead"')[1].split("</div>")[0]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex' in html
    assert not Placement.objects.exists() and not Revision.objects.exists()


def test_publishing_records_who_when_and_what_in_the_history_on_the_screen(client, staff_in):
    editor = staff_in("Editor", "edith")
    client.force_login(editor)
    first, second = story("Harbour lead story"), story("Harbour second story")
    before = timezone.now()
    publish((first, "lead"), (second, "top"), user=editor)
    publish((second, "lead"), user=editor)
    latest = Revision.objects.first()
    assert latest.user == editor and latest.created_at >= before
    assert "Moved “Harbour second story” from Top stories to Lead story." in latest.summary
    assert "Removed “Harbour lead story” from Lead story." in latest.summary
    assert latest.arrangement == [
        {"story": second.pk, "title": "Harbour second story", "area": "lead", "where": "Lead story",
         "position": 1, "expires_at": None}
    ]  # fmt: skip
    history = client.get(SCREEN).content.decode().split('id="fp-history-heading"')[1]
    assert "edith" in history and "Placed “Harbour lead story” as the lead story." in history
    assert history.count("Load this arrangement") == 2


def test_loading_an_old_arrangement_fills_the_screen_without_publishing(client, staff_in):
    client.force_login(staff_in("Editor"))
    first, second = story("Harbour lead story"), story("Harbour second story")
    old = publish((first, "lead"))
    publish((second, "lead"))
    html = client.get(SCREEN, {"restore": old.pk}).content.decode()
    fields = form_fields(html)
    assert (f"{row_prefix(fields, first.pk)}-area", "lead") in fields
    assert Placement.objects.get().story_id == second.pk
    assert client.get(SCREEN, {"restore": "999999"}).status_code == 404


def test_someone_elses_publish_in_between_is_not_silently_undone(client, staff_in):
    client.force_login(staff_in("Editor"))
    first, second = story("Harbour lead story"), story("Harbour second story")
    fields = form_fields(client.get(SCREEN).content.decode())
    publish((first, "lead"))
    added = form_fields(post(client, fields, add=str(second.pk), add_area="lead").content.decode())
    html = post(client, added, action="publish").content.decode()
    assert "after you opened this screen" in html
    assert Placement.objects.get().story_id == first.pk
    # The screen now knows about the other publish: publishing again replaces it on purpose.
    assert post(client, form_fields(html), action="publish").status_code == 302
    assert Placement.objects.get().story_id == second.pk


def test_bad_input_gets_a_message_and_loses_nothing(client, staff_in):
    client.force_login(staff_in("Editor"))
    lead_a, lead_b = story("Harbour lead A"), story("Harbour lead B")
    response = client.post(
        SCREEN,
        {
            "p0-story": lead_a.pk, "p0-area": "lead", "p0-order": "1",
            "p1-story": lead_b.pk, "p1-area": "lead", "p1-order": "abc",
            "p2-story": "not-a-number", "p2-area": "zone-999999", "p2-order": "1",
            "p3-story": lead_a.pk, "p3-area": "top", "p3-order": "1",
            "p4-story": lead_b.pk, "p4-area": "top", "p4-order": "2",
            "p4-expires_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "based_on": "junk", "action": "publish",
        },
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some placements need attention" in html
    assert "Enter a whole number." in html
    assert "Select a valid choice." in html
    assert "Harbour lead A" in html and "Harbour lead B" in html
    assert not Placement.objects.exists()


def test_too_many_stories_in_a_place_or_one_placed_twice_is_refused(client, staff_in):
    client.force_login(staff_in("Editor"))
    a, b = story("Harbour lead A"), story("Harbour lead B")
    html = client.post(
        SCREEN,
        {"p0-story": a.pk, "p0-area": "lead", "p0-order": "1", "p1-story": b.pk, "p1-area": "lead",
         "p1-order": "2", "action": "publish"},
    ).content.decode()  # fmt: skip
    assert "Lead story holds at most 1 story; 2 are placed there." in html
    html = client.post(
        SCREEN,
        {"p0-story": a.pk, "p0-area": "lead", "p0-order": "1", "p1-story": a.pk, "p1-area": "top",
         "p1-order": "1", "action": "publish"},
    ).content.decode()  # fmt: skip
    assert "is placed twice" in html
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(
        SCREEN,
        {"p0-story": a.pk, "p0-area": "top", "p0-order": "1", "p0-expires_at": past, "action": "publish"},
    ).content.decode()
    assert "This time has already passed" in html
    assert not Placement.objects.exists()


def test_withdrawn_stories_cannot_be_added_and_search_shows_date_and_kind(client, staff_in):
    client.force_login(staff_in("Editor"))
    gone = story("Harbour story withdrawn", status=Status.WITHDRAWN)
    view = story("Harbour view", article_type=Article.ArticleType.OPINION)
    found = client.get(reverse("admin:frontpage_stories"), {"q": "harbour"}).json()["results"]
    assert [item["id"] for item in found] == [view.pk]
    assert found[0]["kind"] == "Opinion" and found[0]["date"] == view.date.isoformat()
    html = client.post(SCREEN, {"add": gone.pk, "add_area": "top"}).content.decode()
    assert "cannot be placed" in html
    assert client.get(reverse("admin:frontpage_stories"), {"q": "<script>", "placed": "x"}).status_code == 200


def test_an_anonymous_reader_sees_the_new_lead_right_after_publishing(client, staff_in, settings, committed):
    settings.DATELINE_PAGE_CACHE = True
    old_lead = story("Yesterday's harbour lead", hours_ago=1)
    new_lead = story("Ferry timetable cuts announced", hours_ago=40)
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    editor_client = client_class_for(client)
    editor_client.force_login(staff_in("Editor"))
    fields = form_fields(editor_client.get(SCREEN).content.decode())
    added = form_fields(post(editor_client, fields, add=str(new_lead.pk), add_area="lead").content.decode())
    committed(lambda: post(editor_client, added, action="publish"))
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    lead = response.content.decode().split('class="lead"')[1].split("</div>")[0]
    assert "Ferry timetable cuts announced" in lead and old_lead.title not in lead


def test_a_zone_change_retires_stored_pages_and_is_recorded(client, staff_in, settings, committed):
    settings.DATELINE_PAGE_CACHE = True
    story("Why the harbour matters", article_type=Article.ArticleType.OPINION)
    assert "Opinion" in client.get("/").content.decode()
    editor_client = client_class_for(client)
    editor = staff_in("Editor", "edith")
    editor_client.force_login(editor)
    zone = Zone.objects.get(slug="opinion")
    assert client.get("/")["X-Page-Cache"] == "hit"
    response = committed(
        lambda: editor_client.post(
            reverse("admin:frontpage_zone_change", args=[zone.pk]),
            {"heading": "Comment and opinion", "slug": "opinion", "position": "10", "capacity": "4", "fill": "opinion"},
        )
    )
    assert response.status_code == 302
    page = client.get("/")
    assert page["X-Page-Cache"] == "miss"
    assert "Comment and opinion" in page.content.decode()
    revision = Revision.objects.first()
    assert revision.user == editor and revision.summary == "Changed the zone “Comment and opinion” (heading)."


def test_reporters_cannot_change_zones(client, staff_in):
    client.force_login(staff_in("Reporter"))
    zone = Zone.objects.get(slug="opinion")
    assert client.get(reverse("admin:frontpage_zone_changelist")).status_code == 403
    response = client.post(
        reverse("admin:frontpage_zone_change", args=[zone.pk]),
        {"heading": "Hacked", "slug": "opinion", "position": "1", "capacity": "4", "fill": ""},
    )
    assert response.status_code == 403
    assert Zone.objects.get(pk=zone.pk).heading == "Opinion"


def client_class_for(client):
    return type(client)()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "²", "1e3", " "])
def test_malformed_ids_anywhere_answer_without_an_error(client, staff_in, value):
    client.force_login(staff_in("Editor"))
    story("Harbour story")
    assert client.get(SCREEN, {"restore": value}).status_code == 200
    assert client.get(reverse("admin:frontpage_stories"), {"q": "harbour", "placed": value}).status_code == 200
    added = client.post(SCREEN, {"add": value, "add_area": "top", "based_on": value})
    assert added.status_code == 200 and "cannot be placed" in added.content.decode()
    response = client.post(SCREEN, {"p0-story": value, "p0-area": "top", "p0-order": "1", "action": "publish"})
    assert response.status_code == 200
    assert "Some placements need attention" in response.content.decode()
    assert not Placement.objects.exists()


def test_a_story_deleted_while_publishing_is_reported_and_nothing_changes(staff_in):
    from newsroom.frontpage import services
    from newsroom.frontpage.arrangement import Place

    kept = story("Harbour story")
    publish((kept, "lead"))
    with pytest.raises(services.Vanished):
        services.publish_arrangement(
            places=[Place(kept.pk, "top", 1), Place(987654, "lead", 1)],
            user=None,
            based_on=services.latest_revision_id(),
        )
    assert Placement.objects.get().slot == "lead"


def test_an_editor_adds_a_zone_which_becomes_a_column_on_the_screen(client, staff_in):
    editor = staff_in("Editor", "edith")
    client.force_login(editor)
    response = client.post(
        reverse("admin:frontpage_zone_add"),
        {"heading": "Election 2026", "slug": "", "position": "1", "capacity": "5", "fill": ""},
    )
    assert response.status_code == 302
    zone = Zone.objects.get(heading="Election 2026")
    assert zone.slug == "election-2026"
    assert Revision.objects.first().summary == "Added the zone “Election 2026”."
    html = client.get(SCREEN).content.decode()
    assert f'data-area="zone-{zone.pk}"' in html and "0 of 5" in html
    opinion = Zone.objects.get(slug="opinion")
    assert html.index(f'id="fp-col-zone-{zone.pk}"') < html.index(f'id="fp-col-zone-{opinion.pk}"')


def test_a_zone_capacity_outside_one_to_twenty_is_refused(client, staff_in):
    client.force_login(staff_in("Editor"))
    response = client.post(
        reverse("admin:frontpage_zone_add"), {"heading": "Huge", "slug": "", "position": "1", "capacity": "99"}
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 20." in response.content.decode()
    assert not Zone.objects.filter(heading="Huge").exists()
