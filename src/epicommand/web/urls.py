"""The web shell's pages, in the `web` namespace: health check, home, login, the audit log,
API tokens and protocol editions. Each app wires its own pages (people/urls.py, ...)."""

from django.urls import path

from . import accounts, audit_log, editions, files, tokens, twofactor, views

app_name = "web"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("login/code/", twofactor.verify, name="twofactor_verify"),
    path("login/enrol/", twofactor.enrol, name="twofactor_enrol"),
    path("login/recovery-codes/", twofactor.recovery_codes, name="twofactor_recovery_codes"),
    path("security/two-factor/reset/", twofactor.reset, name="twofactor_reset"),
    # Oversight and administration
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("tokens/", tokens.token_list, name="token_list"),
    path("tokens/issue/", tokens.token_issue, name="token_issue"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("tokens/approvals/", tokens.token_approval_list, name="token_approval_list"),
    path("tokens/<int:token_id>/approve/", tokens.token_approve, name="token_approve"),
    path("policy/editions/", editions.edition_list, name="edition_list"),
    # Background exports and imports (core.filejobs), each its owner's only
    path("files/", files.file_list, name="file_list"),
    path("files/<int:job_id>/", files.file_detail, name="file_detail"),
    path("files/<int:job_id>/download", files.file_download, name="file_download"),
]
