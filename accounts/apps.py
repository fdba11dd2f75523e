from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def record_last_login(sender, user, **kwargs):
    """Django's update_last_login, without saving the account: a save would write a row of
    the account's history (simple_history) at every login, burying the changes that matter."""
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # django.contrib.auth (earlier in INSTALLED_APPS) connected its handler already.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="accounts_record_last_login")
        from edu_portal.middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="edu_portal_session_clock_start")
        from django.core.checks import register

        from .checks import two_factor_roles_check
        from .twofactor import remember_at_login

        # Whether the account has two-factor, read once per login (accounts.twofactor).
        user_logged_in.connect(remember_at_login, dispatch_uid="accounts_two_factor_at_login")
        register(two_factor_roles_check)
