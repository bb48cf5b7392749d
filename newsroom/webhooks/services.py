"""Recording outgoing messages with the change they describe, and sending them later, in order, with retries."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from . import transport
from .models import Delivery, Endpoint, EventType, Message, SenderLease

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, 3rd... failed attempt; the last one repeats until the endpoint is disabled.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
LEASE_NAME = "send_webhooks"
LEASE_TIME = timedelta(minutes=5)
BATCH = 100


def disable_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "WEBHOOKS_DISABLE_AFTER_SECONDS", 24 * 3600))


def request_timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or getattr(settings, "COMMENTS_SITE_URL", "")).rstrip("/")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


# Recording ---------------------------------------------------------------------------------------------------


def story_payload(*, story, type: str, comment=None, now: datetime | None = None) -> dict:
    data = {
        "id": story.pk,
        "kind": story.kind,
        "title": story.title,
        "url": site_url() + story.get_absolute_url(),
        "updated_at": _iso(story.updated_at),
    }
    if comment is not None:
        data["comment_id"] = comment.pk
    return {"type": type, "timestamp": _iso(now or timezone.now()), "data": data}


def record_story_event(*, story, type: str, comment=None) -> Message | None:
    """Write the message and one delivery per interested endpoint, in the caller's transaction.

    Nothing is written when no active endpoint asks for ``type``. Sending is asked for once the
    transaction commits; if it rolls back, the rows go with it and nothing is sent.
    """
    endpoints = [
        endpoint for endpoint in Endpoint.objects.filter(active=True).only("pk", "events") if type in endpoint.events
    ]
    if not endpoints:
        return None
    now = timezone.now()
    payload = story_payload(story=story, type=type, comment=comment, now=now)
    message = Message.objects.create(
        type=type,
        story_id=story.pk,
        comment_id=getattr(comment, "pk", None),
        payload=json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        created_at=now,
    )
    Delivery.objects.bulk_create(
        Delivery(message=message, endpoint=endpoint, story_id=story.pk, next_attempt_at=now, created_at=now)
        for endpoint in endpoints
    )
    transaction.on_commit(enqueue_sending)
    return message


def enqueue_sending() -> None:
    """Ask the task queue to send now; if the queue cannot take it, the next ``send_webhooks`` run will."""
    from .tasks import send_due_webhooks

    try:
        send_due_webhooks.enqueue()
    except Exception:
        logger.warning("Could not queue webhook sending; send_webhooks will pick the messages up.", exc_info=True)


# The sender's lease ------------------------------------------------------------------------------------------


def acquire_lease(*, now: datetime | None = None) -> str | None:
    """Take the sender's lease if it is free or has expired; return the holder token, or None if busy."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    try:
        with transaction.atomic():
            SenderLease.objects.get_or_create(name=LEASE_NAME, defaults={"expires_at": now - timedelta(seconds=1)})
    except IntegrityError:
        pass
    # One conditional UPDATE: of two senders starting together, exactly one changes the row.
    taken = SenderLease.objects.filter(name=LEASE_NAME, expires_at__lt=now).update(
        holder=token, expires_at=now + LEASE_TIME
    )
    return token if taken else None


def renew_lease(token: str) -> bool:
    return bool(
        SenderLease.objects.filter(name=LEASE_NAME, holder=token).update(expires_at=timezone.now() + LEASE_TIME)
    )


def release_lease(token: str) -> None:
    SenderLease.objects.filter(name=LEASE_NAME, holder=token).update(expires_at=timezone.now() - timedelta(seconds=1))


# Sending -----------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    disabled: list[Endpoint] = field(default_factory=list)
    busy: bool = False


def due_deliveries(*, now: datetime):
    """Waiting deliveries whose time has come, to active endpoints, with no earlier message for the same story
    and endpoint still waiting: a story's later notice never overtakes its earlier one."""
    earlier = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        story_id=OuterRef("story_id"),
        status=Delivery.Status.PENDING,
        message_id__lt=OuterRef("message_id"),
    )
    return (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__active=True)
        .filter(Q(story_id__isnull=True) | ~Exists(earlier))
        .select_related("message", "endpoint")
        .order_by("message_id", "pk")
    )


def send_due(*, now: datetime | None = None) -> SendReport:
    """Send every delivery that is due, under the sender's lease. Safe to run from cron and the queue at once."""
    report = SendReport()
    token = acquire_lease()
    if token is None:
        report.busy = True
        return report
    try:
        while True:
            moment = now or timezone.now()
            batch = list(due_deliveries(now=moment)[:BATCH])
            if not batch:
                break
            progressed = False
            for delivery in batch:
                # An endpoint disabled earlier in this batch gets nothing more.
                if not Endpoint.objects.filter(pk=delivery.endpoint_id, active=True).exists():
                    continue
                if attempt(delivery=delivery, now=now or timezone.now(), report=report):
                    progressed = True
            renew_lease(token)
            if not progressed:
                # Everything in the batch failed and now waits for its retry time.
                break
    finally:
        release_lease(token)
    return report


def signed_headers(*, message: Message, secret: str, when: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=message.webhook_id, timestamp=when, data=message.payload)
    return {
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
        "User-Agent": "Dateline-Webhooks/1",
    }


def attempt(*, delivery: Delivery, now: datetime, report: SendReport | None = None) -> bool:
    """Try one delivery once and record the outcome. Returns True when the receiver took it."""
    report = report or SendReport()
    endpoint = delivery.endpoint
    message = delivery.message
    code, error = None, ""
    try:
        code = transport.post(
            endpoint.url,
            message.payload.encode(),
            signed_headers(message=message, secret=endpoint.secret, when=now.astimezone(UTC)),
            timeout=request_timeout(),
        )
    except transport.Refused as refusal:
        error = str(refusal)
    except OSError as failure:
        error = f"Could not connect: {failure}" if str(failure) else f"Could not connect ({failure.__class__.__name__})"
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = code
    if code is not None and 200 <= code < 300:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_attempt_at", "response_code", "status", "sent_at", "last_error"])
        Endpoint.objects.filter(pk=endpoint.pk).exclude(failing_since=None).update(failing_since=None)
        report.sent += 1
        return True
    if code is not None:
        error = f"The receiver answered {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    delivery.last_error = error[:500]
    delivery.next_attempt_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    delivery.save(update_fields=["attempts", "last_attempt_at", "response_code", "last_error", "next_attempt_at"])
    report.failed += 1
    failing_since = endpoint.failing_since or now
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
    endpoint.failing_since = failing_since
    if now - failing_since >= disable_after():
        disable_endpoint(endpoint=endpoint, now=now, reason=error)
        report.disabled.append(endpoint)
    return False


def disable_endpoint(*, endpoint: Endpoint, now: datetime, reason: str) -> None:
    hours = round(disable_after().total_seconds() / 3600)
    why = f"Every delivery failed for {hours} hours; the last: {reason}"[:300]
    changed = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=why
    )
    if not changed:
        return
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, why
    owner = endpoint.owner
    if owner is not None and owner.email:
        send_mail(
            subject=f"Dateline stopped sending webhooks to {endpoint.url}",
            message=(
                f"Dateline could not deliver its notices to {endpoint.url} for {hours} hours, so it has stopped "
                f"sending to it.\n\n{why}\n\nMessages kept waiting are sent once the endpoint is enabled again "
                "(Webhooks > Webhook endpoints > Enable again) in the Dateline admin."
            ),
            from_email=None,
            recipient_list=[owner.email],
            fail_silently=True,
        )


def enable_again(*, endpoints) -> int:
    """Switch disabled endpoints back on; their waiting messages go out from the next run, in order."""
    now = timezone.now()
    ids = [getattr(endpoint, "pk", endpoint) for endpoint in endpoints]
    count = Endpoint.objects.filter(pk__in=ids).update(
        active=True, failing_since=None, disabled_at=None, disabled_reason=""
    )
    Delivery.objects.filter(endpoint_id__in=ids, status=Delivery.Status.PENDING).update(next_attempt_at=now)
    transaction.on_commit(enqueue_sending)
    return count


def send_again(*, deliveries) -> int:
    """Queue the chosen deliveries once more: a waiting one is tried at once, a delivered one gets a new entry."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for delivery in deliveries:
            if delivery.status == Delivery.Status.PENDING:
                Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now)
            else:
                Delivery.objects.create(
                    message_id=delivery.message_id,
                    endpoint_id=delivery.endpoint_id,
                    story_id=delivery.story_id,
                    next_attempt_at=now,
                    created_at=now,
                )
            count += 1
        transaction.on_commit(enqueue_sending)
    return count


__all__ = ["EventType", "record_story_event", "send_due", "send_again", "enable_again"]
