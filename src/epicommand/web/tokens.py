"""API tokens for devices and integrations (token.manage). The plaintext is shown once,
in the response to the issuing POST, and never stored or shown again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.models import ApiToken
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.regions import regions_in_scope
from epicommand.core.services import issue_api_token, revoke_api_token

from .forms import TokenIssueForm, TokenRevokeForm


def _page(request, form, *, issued=None, secret=None, status=200):
    tokens = ApiToken.objects.select_related("unit", "region", "created_by").order_by("-id")
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "issued": issued,
            "secret": secret,
            "regions": regions_in_scope(request.user),
        },
        status=status,
    )


@require_safe
@capability_required(Capability.MANAGE_TOKENS)
def token_list(request):
    return _page(request, TokenIssueForm())


@require_POST
@capability_required(Capability.MANAGE_TOKENS)
def token_issue(request):
    form = TokenIssueForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, secret = issue_api_token(request.user, **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, form, status=400)
    # Rendered, not redirected: a redirect would have to carry the secret somewhere.
    response = _page(request, TokenIssueForm(), issued=token, secret=secret)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@capability_required(Capability.MANAGE_TOKENS)
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id)
    form = TokenRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revoke_api_token(request.user, token, reason=reason)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:token_list")
