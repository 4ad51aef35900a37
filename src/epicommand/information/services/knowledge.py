"""Prevention articles: written and published by the city office, in Chinese or English."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require

from ..models import Article
from .bulletins import city_code


def write_article(
    actor,
    *,
    language: str,
    title: str,
    body: str,
    publish: bool = True,
    now: datetime | None = None,
) -> Article:
    now = now or timezone.now()
    require(actor, Capability.MANAGE_KNOWLEDGE, region=city_code(), person=True)
    title, body = (title or "").strip(), (body or "").strip()
    limit = policy.active().information.article_max_chars
    errors = {}
    if language not in Article.Language.values:
        errors["language"] = _("choose Chinese or English")
    if not title or len(title) > 200:
        errors["title"] = _("give a title of at most 200 characters")
    if not body:
        errors["body"] = _("write the article's text")
    elif len(body) > limit:
        errors["body"] = _("at most %(n)d characters") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        article = Article.objects.create(
            language=language,
            title=title,
            body=body,
            written_by=actor,
            written_at=now,
            published_at=now if publish else None,
        )
        audit.record(actor, "article.write", article, region_code=city_code(), reason=title[:100])
    return article
