"""The office's bulletin pages: drafts and their checks, sign-off, publishing, corrections,
press conferences; and the prevention articles."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epicommand.core import policy
from epicommand.core.access import Capability
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors

from .. import queries
from .. import render as rendering
from ..forms import ArticleForm, CorrectionForm, DayForm, PressConferenceForm
from ..models import Bulletin, PressConference
from ..services import bulletins
from ..services import knowledge as articles


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_INFORMATION)
def bulletin_list(request):
    yesterday = timezone.localdate() - timedelta(days=1)
    form = DayForm(initial={"day": yesterday})
    press_form = PressConferenceForm(prefix="p")
    if request.method == "POST" and "p-number" in request.POST:
        press_form = PressConferenceForm(request.POST, prefix="p")
        if press_form.is_valid() and _record_press(request, press_form):
            return redirect("information:bulletin_list")
    elif request.method == "POST":
        form = DayForm(request.POST)
        if form.is_valid():
            try:
                draft = bulletins.draft_bulletin(request.user, form.cleaned_data["day"])
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(request, _("Drafted from the registry."))
                return redirect("information:bulletin_detail", draft.pk)
    context = {
        "form": form,
        "press_form": press_form,
        "bulletins": queries.recent_bulletins(),
        "conferences": PressConference.objects.prefetch_related("bulletins")[:20],
        "may_draft": Capability.DRAFT_BULLETINS in request.user.capabilities,
    }
    return render(request, "information/bulletin_list.html", context)


def _record_press(request, form) -> bool:
    try:
        bulletins.record_press_conference(request.user, **form.cleaned_data)
    except ValidationError as refused:
        apply_errors(form, refused)
        return False
    messages.success(request, _("Press conference recorded."))
    return True


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_INFORMATION)
def bulletin_detail(request, bulletin_id: int):
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id)
    correction = CorrectionForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            bulletin = _act(request, bulletin, action, correction)
        except ValidationError as refused:
            if action == "correct":
                correction = CorrectionForm(request.POST)
                correction.is_valid()
                apply_errors(correction, refused)
            else:
                messages.error(request, " ".join(refused.messages))
        except PermissionDenied as refused:
            messages.error(request, str(refused))
        else:
            return redirect("information:bulletin_detail", bulletin.pk)
    left = bulletins.stages_left(bulletin)
    user = request.user
    context = {
        "bulletin": bulletin,
        "figures": bulletin.figures,
        "summary": rendering.summary_sentence(bulletin),
        "signatures": bulletin.signatures.select_related("signed_by").order_by("signed_at"),
        "stages": policy.active().information.sign_stages,
        "next_stage": left[0] if left else None,
        "may_sign": bool(left)
        and Capability.SIGN_BULLETINS in user.capabilities
        and left[0].role == user.role,
        "may_draft": Capability.DRAFT_BULLETINS in user.capabilities,
        "correction": correction,
        "versions": Bulletin.objects.filter(day=bulletin.day).order_by("-version"),
        "risk_lines": [rendering.risk_change_sentence(c) for c in bulletin.figures["risk_changes"]],
    }
    return render(request, "information/bulletin_detail.html", context)


def _act(request, bulletin, action, correction):
    if action == "redraft":
        return bulletins.draft_bulletin(request.user, bulletin.day)
    if action == "sign":
        bulletins.sign(request.user, bulletin, request.POST.get("stage", ""))
        messages.success(request, _("Signed."))
        return bulletin
    if action == "publish":
        published = bulletins.publish(request.user, bulletin)
        messages.success(request, _("Published on the public pages."))
        return published
    if action == "correct":
        return bulletins.correct_bulletin(
            request.user, bulletin.day, reason=request.POST.get("reason", "")
        )
    raise ValidationError({"action": _("unknown action")})


@capability_required(Capability.VIEW_INFORMATION)
def sign_queue(request):
    return render(
        request, "information/sign_queue.html", {"queue": queries.sign_queue(request.user)}
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_INFORMATION)
def knowledge(request):
    form = ArticleForm()
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                knowledge_article = articles.write_article(request.user, **form.cleaned_data)
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(request, _("Published: %(t)s") % {"t": knowledge_article.title})
                return redirect("information:knowledge")
    context = {
        "form": form,
        "articles": queries.articles(),
        "may_write": Capability.MANAGE_KNOWLEDGE in request.user.capabilities,
    }
    return render(request, "information/knowledge.html", context)
