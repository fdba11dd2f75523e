from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Kiểm tra, thanh tra và tuân thủ")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from centers.signals import fragments_bump

        from .flags import flags_connect, flags_fill_after_migrate
        from .models import RiskWeight

        flags_connect()
        # The compliance page's cached body shows the weights (its scores, its legend).
        post_save.connect(fragments_bump, sender=RiskWeight, weak=False, dispatch_uid="fragments_save_riskweight")
        post_delete.connect(fragments_bump, sender=RiskWeight, weak=False, dispatch_uid="fragments_delete_riskweight")
        post_migrate.connect(flags_fill_after_migrate, sender=self, dispatch_uid="flags_fill_after_migrate")
