"""Side effects of saves, connected in NewsroomConfig.ready()."""

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from .context_processors import NAV_CACHE_KEY


def forget_navigation(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(NAV_CACHE_KEY))


def forget_stale_navigation(**kwargs) -> None:
    """The sections may have changed where the kept navigation could not hear of it (newsroom.cache.stale)."""
    cache.delete(NAV_CACHE_KEY)


def grant_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """Give every role its permissions again once ``migrate`` has made the permissions of every app.

    The roles' migrations grant what exists when they run, but Django makes an app's permissions only
    after migrating it, so an app added later (sign-in throttling, the front page) would stay out of the
    Administrator's "every permission". post_migrate is sent once per app, in INSTALLED_APPS order, and
    each app's permissions are made in its own turn: the roles are granted in the last app's turn, when
    all of them exist.
    """
    from django.apps import apps as installed

    with_models = [config for config in installed.get_app_configs() if config.models_module is not None]
    if not with_models or sender is not with_models[-1]:
        return
    state = apps or installed
    try:
        group_model, permission_model = state.get_model("auth", "Group"), state.get_model("auth", "Permission")
    except LookupError:
        return

    from .workflow import grant_role_permissions

    grant_role_permissions(group_model, permission_model)
    if installed.is_installed("newsroom.comments"):
        from .comments.permissions import grant_moderator_permissions

        grant_moderator_permissions(group_model, permission_model)


# Sent inside publish_due's transaction with the ids of the scheduled stories it marked Published: the
# bulk update there sends no per-row save signals.
scheduled_stories_published = Signal()
