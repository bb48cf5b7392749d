import base64
import hashlib
import hmac
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsroom import services
from newsroom.comments import services as comment_services
from newsroom.querysets import Status
from newsroom.webhooks import services as webhooks
from newsroom.webhooks import transport
from newsroom.webhooks.models import Delivery, Endpoint, EventType, Message
from tests.factories import ArticleFactory, CommentFactory, EventFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side of the Standard Webhooks check, written with the standard library only."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(part.split(",", 1)[1], expected)
        for part in headers["webhook-signature"].split()
        if part.startswith("v1,")
    )


def endpoint_for(receiver, *, events=tuple(EventType.values), owner=None) -> Endpoint:
    return Endpoint.objects.create(url=receiver.url, events=list(events), owner=owner)


def draft(**kwargs):
    return ArticleFactory(status=Status.DRAFT, publish_at=None, **kwargs)


def publish(story):
    editor = StaffFactory(username="desk-editor")
    services.publish_story(story=story, by=editor, override_reason="Test")
    return story


def bodies(receiver) -> list[dict]:
    return [json.loads(request["body"]) for request in receiver.requests]


def test_publishing_sends_a_signed_message_the_receiver_can_verify(receiver, settings):
    settings.SITE_URL = "https://news.example.org"
    endpoint = endpoint_for(receiver)
    story = publish(draft(headline="Harbour bridge opens"))

    out = io.StringIO()
    call_command("send_webhooks", stdout=out)
    assert out.getvalue().strip() == "Delivered 1, failed 0."

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert endpoint.secret.startswith("whsec_")
    assert verify(endpoint.secret, headers, request["body"])
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    payload = json.loads(request["body"])
    assert payload["type"] == "story.published"
    story.refresh_from_db()
    assert payload["data"] == {
        "id": story.pk,
        "kind": "article",
        "title": "Harbour bridge opens",
        "url": "https://news.example.org" + story.get_absolute_url(),
        "updated_at": payload["data"]["updated_at"],
    }
    assert payload["data"]["updated_at"].endswith("Z")
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_tampered_body_fails_the_signature_check(receiver):
    endpoint = endpoint_for(receiver)
    publish(draft())
    webhooks.send_due()
    request = receiver.requests[0]
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert not verify(endpoint.secret, headers, request["body"].replace(b"article", b"event"))


def test_saving_queues_sending_after_commit_without_contacting_the_receiver(
    receiver, django_capture_on_commit_callbacks
):
    endpoint_for(receiver)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish(draft())
        assert DBTaskResult.objects.count() == 0
    assert len(callbacks) >= 1
    assert DBTaskResult.objects.filter(task_path__endswith="send_due_webhooks").count() >= 1
    assert receiver.requests == []
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_a_rolled_back_change_leaves_no_message(receiver):
    endpoint_for(receiver)
    story = draft()
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(story)
        assert Message.objects.count() == 1
        raise RuntimeError("the save fails after the transition")
    assert Message.objects.count() == 0
    webhooks.send_due()
    assert receiver.requests == []


def test_a_receiver_error_is_retried_after_a_growing_wait(receiver):
    endpoint_for(receiver)
    receiver.statuses = [500, 503]
    publish(draft())
    start = timezone.now()

    webhooks.send_due(now=start)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    assert "500" in delivery.last_error

    webhooks.send_due(now=start + timedelta(seconds=10))
    assert len(receiver.requests) == 1

    webhooks.send_due(now=start + timedelta(seconds=31))
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + timedelta(seconds=31) + timedelta(minutes=2)

    webhooks.send_due(now=start + timedelta(minutes=3))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 3, 200)
    assert len({request["headers"]["webhook-id"] for request in receiver.requests}) == 1


def test_a_storys_later_message_waits_for_its_earlier_one(receiver):
    endpoint_for(receiver)
    story = publish(draft())
    other = publish(draft(headline="Unrelated ferry story"))
    services.add_correction(story=story, note="The bridge is 300 metres long, not 30.", by=None)
    receiver.statuses = [500]
    start = timezone.now()

    webhooks.send_due(now=start)
    sent = bodies(receiver)
    # The first story's publication failed, so its correction waits; the other story is not held up.
    assert [(body["type"], body["data"]["id"]) for body in sent] == [
        ("story.published", story.pk),
        ("story.published", other.pk),
    ]

    webhooks.send_due(now=start + timedelta(minutes=1))
    assert [(body["type"], body["data"]["id"]) for body in bodies(receiver)[2:]] == [
        ("story.published", story.pk),
        ("story.corrected", story.pk),
    ]
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_told(receiver, client):
    owner = StaffFactory(username="webmaster", email="webmaster@news.example")
    endpoint = endpoint_for(receiver, owner=owner)
    receiver.default_status = 502
    publish(draft())
    now = timezone.now()
    webhooks.send_due(now=now)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since == now
    # The first failure was a day and an hour ago.
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=now - timedelta(hours=25))
    Delivery.objects.update(next_attempt_at=now)

    webhooks.send_due(now=now)
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "502" in endpoint.disabled_reason
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["webmaster@news.example"]
    assert endpoint.url in mail.outbox[0].subject

    # Nothing more goes to a disabled endpoint, however long one waits.
    webhooks.send_due(now=now + timedelta(hours=5))
    assert len(receiver.requests) == 2

    client.force_login(owner)
    listing = client.get(reverse("admin:webhooks_endpoint_changelist")).content.decode()
    assert "Disabled" in listing and "502" in listing

    receiver.default_status = 200
    client.post(
        reverse("admin:webhooks_endpoint_changelist"),
        {"action": "enable_again_action", "_selected_action": [endpoint.pk]},
    )
    webhooks.send_due()
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is None
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_success_ends_a_failing_streak(receiver):
    endpoint = endpoint_for(receiver)
    receiver.statuses = [500]
    publish(draft())
    now = timezone.now()
    webhooks.send_due(now=now)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == now
    webhooks.send_due(now=now + timedelta(minutes=1))
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_send_again_from_the_delivery_log(receiver, client):
    editor = UserFactory(username="webhook-editor", is_staff=True)
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Editor"))
    endpoint = endpoint_for(receiver)
    publish(draft())
    webhooks.send_due()
    delivery = Delivery.objects.get()
    client.force_login(editor)

    log = client.get(reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={endpoint.pk}")
    assert log.status_code == 200
    assert "Delivered" in log.content.decode() and "Send again" in log.content.decode()

    response = client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "send_again_action", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    webhooks.send_due()
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]
    assert list(Delivery.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_events_of_each_kind_are_told_to_endpoints_that_asked(receiver):
    endpoint_for(receiver)
    only_comments = Endpoint.objects.create(url=receiver.url + "/comments", events=[EventType.COMMENT_APPROVED])
    editor = StaffFactory(username="desk")
    story = publish(draft())
    story.refresh_from_db()
    story.headline = "Harbour bridge opens a week late"
    story.save()
    services.add_correction(story=story, note="It opened on Friday.", by=None)
    comment = CommentFactory(story=story, status="pending")
    comment_services.approve(comments=[comment], moderator=editor)
    comment_services.approve(comments=[comment], moderator=editor)
    services.withdraw_story(story=story, by=editor, reason="Legal advice")
    event = EventFactory()  # created straight into Published
    services.record_initial_status(story=event, by=editor)

    webhooks.send_due()
    told = [(request["path"], json.loads(request["body"])) for request in receiver.requests]
    main = [(body["data"]["id"], body["type"]) for path, body in told if path == "/hooks/dateline"]
    assert [kind for pk, kind in main if pk == story.pk] == [
        "story.published",
        "story.updated",
        "story.corrected",
        "comment.approved",
        "story.withdrawn",
    ]
    assert [kind for pk, kind in main if pk == event.pk] == ["story.published"]
    told = [(path, body["type"]) for path, body in told]
    assert [kind for path, kind in told if path.endswith("/comments")] == ["comment.approved"]
    approved = [json.loads(r["body"]) for r in receiver.requests if b"comment.approved" in r["body"]][0]
    assert approved["data"]["comment_id"] == comment.pk
    assert only_comments.deliveries.count() == 1


def test_scheduled_stories_are_told_when_they_go_live(receiver):
    endpoint_for(receiver, events=[EventType.PUBLISHED])
    story = ArticleFactory(status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5))
    services.publish_due(now=timezone.now() + timedelta(minutes=6))
    webhooks.send_due()
    assert [(b["type"], b["data"]["id"]) for b in bodies(receiver)] == [("story.published", story.pk)]


def test_drafts_saved_tell_nobody(receiver):
    endpoint_for(receiver)
    story = draft()
    story.headline = "Still a draft"
    story.save()
    assert Message.objects.count() == 0


def test_private_and_loopback_addresses_are_refused_by_default(receiver, settings):
    endpoint_for(receiver)
    publish(draft())
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    webhooks.send_due()
    delivery = Delivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == "pending" and "loopback" in delivery.last_error


def test_a_name_that_resolves_to_this_machine_is_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(transport.Refused, match="resolves to a private or loopback address"):
        transport.resolve("localhost", 80)
    assert transport.is_public("93.184.215.14")
    assert not transport.is_public("::ffff:10.0.0.1")
    assert not transport.is_public("169.254.169.254")


def test_redirects_are_not_followed(receiver):
    endpoint_for(receiver)
    receiver.statuses = [302]
    publish(draft())
    webhooks.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.response_code == 302
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_failed_attempt_not_an_error(receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    Endpoint.objects.create(url="http://127.0.0.1:9/nothing-listens", events=list(EventType.values))
    publish(draft())
    webhooks.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error.startswith("Could not connect")


def test_two_senders_never_work_at_once(receiver):
    endpoint_for(receiver)
    publish(draft())
    token = webhooks.acquire_lease()
    assert token
    assert webhooks.send_due().busy
    assert receiver.requests == []
    webhooks.release_lease(token)
    assert webhooks.send_due().sent == 1


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://hooks.example.org/in", "Only http and https"),
        ("http://127.0.0.1:8000/in", "Private and loopback"),
        ("http://10.1.2.3/in", "Private and loopback"),
        ("http://localhost/in", "this machine"),
    ],
)
def test_the_admin_refuses_addresses_that_cannot_receive(client, url, message):
    client.force_login(StaffFactory(username="root"))
    response = client.post(
        reverse("admin:webhooks_endpoint_add"), {"url": url, "description": "", "events": ["story.published"]}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Endpoint.objects.count() == 0


def test_an_editor_registers_an_endpoint_and_sees_its_secret(client):
    from django.contrib.auth.models import Group

    editor = UserFactory(username="registering-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "url": "https://hooks.example.org/in",
            "description": "Syndication partner",
            "events": ["story.published"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.owner == editor and endpoint.active
    assert endpoint.events == ["story.published"]
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page


def test_readers_of_the_log_without_change_rights_do_not_see_the_secret(client, django_user_model):
    from django.contrib.auth.models import Permission

    endpoint = Endpoint.objects.create(url="https://hooks.example.org/in", events=["story.published"])
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_endpoint"))
    client.force_login(viewer)
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page
