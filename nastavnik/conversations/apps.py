from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "nastavnik.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # Registers the import job handler with the job runner.
        from nastavnik.conversations import tasks  # noqa: F401
