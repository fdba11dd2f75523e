from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Thông báo và nhắc việc")

    def ready(self):
        from django.core.checks import register

        from .checks import mail_settings_check

        register(mail_settings_check)
