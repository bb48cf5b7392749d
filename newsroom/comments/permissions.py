"""The Moderator group: what a moderator may do, in one place for the migration and the demo account."""

from __future__ import annotations

MODERATOR_GROUP = "Moderator"

MODERATOR_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "comments": {
        "comment": ("view", "change"),
        "commentflag": ("view",),
        "wordrule": ("view", "add", "change", "delete"),
        "bannedcommenter": ("view", "add", "change", "delete"),
    },
    # Moderators read the story a comment answers but never edit it.
    "newsroom": {"story": ("view",), "article": ("view",)},
    "events": {"event": ("view",)},
}


def moderator_codenames() -> set[tuple[str, str]]:
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in MODERATOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }


def grant_moderator_permissions(group_model, permission_model):
    """Create the group if needed and give it the moderator permissions; other grants are left alone."""
    group, _ = group_model.objects.get_or_create(name=MODERATOR_GROUP)
    wanted = moderator_codenames()
    permissions = [
        permission
        for permission in permission_model.objects.filter(
            content_type__app_label__in=MODERATOR_PERMISSIONS.keys()
        ).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    group.permissions.add(*permissions)
    return group
