from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
import ipaddress

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """A username or the account's e-mail address (accounts.backends), and the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "ambiguous_email": _(
            "Địa chỉ e-mail này dùng chung cho nhiều tài khoản. Hãy đăng nhập bằng tên đăng nhập "
            "(ghi trong thư mời hoặc hỏi Sở Giáo dục và Đào tạo)."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập hoặc e-mail")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Đăng nhập"), css_class="w-100"))

    def clean(self):
        from .backends import login_is_ambiguous

        if login_is_ambiguous(self.cleaned_data.get("username")):
            raise forms.ValidationError(self.error_messages["ambiguous_email"], code="ambiguous_email")
        return super().clean()


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


class TwoFactorCodeForm(forms.Form):
    """A code for two-factor sign-in: 6 digits from the app, or (where `allow_recovery`) a
    recovery code. Only its shape is checked here; accounts.twofactor checks the code."""

    code = forms.CharField(label=_("Mã xác thực"), max_length=32)

    def __init__(self, *args, allow_recovery: bool = True, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["code"].widget
        widget.attrs.update({"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})
        if autofocus:
            widget.attrs["autofocus"] = True
        if allow_recovery:
            self.fields["code"].help_text = _(
                "Mã 6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục nếu không có điện thoại."
            )
        else:
            widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})
            self.fields["code"].label = _("Mã 6 chữ số trong ứng dụng")


class InvitationAcceptForm(SetPasswordForm):
    """The password chosen by the person an invitation names (Django's validators apply)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Đặt mật khẩu và đăng nhập"), css_class="w-100"))


class OfficerInviteForm(forms.Form):
    """Who to invite as a commune's officer."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(
        label=_("Địa chỉ e-mail"), max_length=254,
        help_text=_("Lời mời có liên kết để tự đặt mật khẩu được gửi tới địa chỉ này."),
        # Django's Vietnamese message only says "Nhập địa chỉ email."
        error_messages={"invalid": _("Địa chỉ e-mail không hợp lệ (ví dụ đúng: ten@example.com).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Gửi lời mời")))

    def clean_full_name(self):
        from geo.text import nfc

        return " ".join(nfc(self.cleaned_data["full_name"]).split())
