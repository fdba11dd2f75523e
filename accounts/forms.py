from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
import ipaddress

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Đăng nhập"), css_class="w-100"))


class PortalPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Đổi mật khẩu")))

    def save(self, commit=True):
        # The account's history shows the save (never the password): say what it was.
        self.user._change_reason = "Tự đổi mật khẩu"
        return super().save(commit)


class PortalPasswordResetForm(PasswordResetForm):
    """"Quên mật khẩu?": a username or an e-mail address. The page answers the same whether
    or not an account matches, and the link goes to the address stored on the account,
    never to what was typed. (The field keeps Django's name, `email`, which save() reads.)"""

    email = forms.CharField(
        label=_("Tên đăng nhập hoặc địa chỉ e-mail"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Gửi liên kết đặt lại mật khẩu"), css_class="w-100"))

    def get_users(self, email):
        from .services import password_reset_users

        return password_reset_users(email)


class PortalSetPasswordForm(SetPasswordForm):
    """The new password, chosen by the person on the page their e-mailed link opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Đặt mật khẩu")))

    def save(self, commit=True):
        self.user._change_reason = "Đặt mật khẩu qua liên kết gửi e-mail"
        return super().save(commit)


class LockoutUnlockForm(forms.Form):
    """Which lock-out to lift: the pair django-axes locks (username, client address)."""

    username = forms.CharField(max_length=255)
    ip_address = forms.CharField(max_length=45, required=False)

    def clean_ip_address(self) -> str | None:
        # Kept as written (it is echoed from the list, which shows what axes stored), but
        # checked: PostgreSQL's inet column refuses anything else with an error.
        value = self.cleaned_data["ip_address"].strip()
        if not value:
            return None
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise forms.ValidationError(_("Địa chỉ IP không hợp lệ.")) from None
        return value
