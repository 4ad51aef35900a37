"""API tokens for devices and integrations (token.manage). The plaintext is shown once:
the issuing POST keeps it in the session and redirects, and the list shows it and drops it
(a reload issues nothing and shows nothing); it is never stored otherwise. A token that
reads persons its issuer may not read waits on the approvals page (token.approve) for a
second person who may."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.models import ApiToken
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.regions import regions_in_scope
from epicommand.core.queries import token_awaiting, tokens_awaiting
from epicommand.core.services import approve_api_token, issue_api_token, revoke_api_token

from .forms import TokenIssueForm, TokenRevokeForm


def _page(request, form, *, issued=None, secret=None, status=200):
    tokens = ApiToken.objects.select_related(
        "unit", "region", "created_by", "approved_by"
    ).order_by("-id")
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


ISSUED_KEY = "token_issued_once"


@require_safe
@capability_required(Capability.MANAGE_TOKENS)
def token_list(request):
    issued = request.session.pop(ISSUED_KEY, None)
    if issued is None:
        return _page(request, TokenIssueForm())
    token = ApiToken.objects.filter(pk=issued["token_id"]).first()
    response = _page(request, TokenIssueForm(), issued=token, secret=issued["secret"])
    response["Cache-Control"] = "no-store"
    return response


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
    # Post, redirect, get: a reload of the list issues no second token. The secret waits
    # in the session (server-side, this user's) for the one page that shows it.
    request.session[ISSUED_KEY] = {"token_id": token.pk, "secret": secret}
    return redirect("web:token_list")


@require_POST
@capability_required(Capability.MANAGE_TOKENS)
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id)
    form = TokenRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revoke_api_token(request.user, token, reason=reason)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:token_list")


def _approvals_page(request, *, refusal: str = "", status: int = 200):
    return render(
        request,
        "web/token_approvals.html",
        {"tokens": tokens_awaiting(request.user), "refusal": refusal},
        status=status,
    )


@require_safe
@capability_required(Capability.APPROVE_TOKENS)
def token_approval_list(request):
    return _approvals_page(request)


@require_POST
@capability_required(Capability.APPROVE_TOKENS)
def token_approve(request, token_id: int):
    token = token_awaiting(request.user, token_id)
    if token is None:
        raise Http404  # not awaiting approval, or outside the approver's jurisdiction
    try:
        approve_api_token(request.user, token)
    except PermissionDenied as exc:
        # Named on the page: the approver learns why (their own token, a capability missing).
        return _approvals_page(request, refusal=str(exc), status=403)
    except ValidationError as exc:
        return _approvals_page(request, refusal=" ".join(exc.messages), status=400)
    messages.success(
        request, _("Token %(name)s approved; it works from now on.") % {"name": token.name}
    )
    return redirect("web:token_approval_list")
