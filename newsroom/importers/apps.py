from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "newsroom.importers"
    label = "importers"
    verbose_name = "Imports"
    default_auto_field = "django.db.models.BigAutoField"
