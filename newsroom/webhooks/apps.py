from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "newsroom.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from . import changes

        changes.connect()
        # The task queue's own table is an implementation detail: the delivery log is what editors read.
        try:
            from django_tasks_db.models import DBTaskResult

            admin.site.unregister(DBTaskResult)
        except (ImportError, admin.exceptions.NotRegistered):
            pass
