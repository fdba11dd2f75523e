from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/unlock/", views.lockout_unlock, name="lockout_unlock"),
    # Invitations and the accounts staff manage (accounts.account_views)
    path("invite/<str:token>/", account_views.invitation_accept_view, name="invitation_accept"),
    path("invitations/centers/", account_views.center_invite, name="center_invite"),
    path("invitations/centers/<int:pk>/", account_views.center_director_invite_view, name="center_director_invite"),
    path("communes/", account_views.CommuneAccountListView.as_view(), name="commune_accounts"),
    path("communes/<int:pk>/invite/", account_views.officer_invite_view, name="officer_invite"),
    path("manage/", account_views.AccountListView.as_view(), name="account_list"),
    path("manage/<int:pk>/", account_views.account_detail, name="account_detail"),
    path("manage/<int:pk>/invite/", account_views.account_invite, name="account_invite"),
    path("manage/<int:pk>/deactivate/", account_views.account_deactivate, name="account_deactivate"),
    path("manage/<int:pk>/reactivate/", account_views.account_reactivate, name="account_reactivate"),
    path("manage/<int:pk>/reset/", account_views.account_reset, name="account_reset"),
    # Two-factor sign-in (accounts.twofactor)
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/codes/", views.two_factor_codes, name="two_factor_codes"),
    path("2fa/codes/regenerate/", views.two_factor_codes_regenerate, name="two_factor_codes_regenerate"),
    path("2fa/disable/", views.two_factor_disable, name="two_factor_disable"),
]
