"""Side effects of comment saves, connected in CommentsConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from .querysets import Status


def check_queue_length(sender, instance, **kwargs) -> None:
    if instance.status != Status.PENDING:
        return
    from .services import alert_moderators_if_queue_long

    # After commit, so the count includes this comment and a rolled-back post sends nothing.
    transaction.on_commit(alert_moderators_if_queue_long)
