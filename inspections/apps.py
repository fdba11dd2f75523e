from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Kiểm tra, thanh tra và tuân thủ")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .flags import flags_connect, flags_fill_after_migrate

        flags_connect()
        post_migrate.connect(flags_fill_after_migrate, sender=self, dispatch_uid="flags_fill_after_migrate")
