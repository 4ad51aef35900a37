"""Telling a unit at once: a row its users see counted in the navigation until opened."""

from django.utils import timezone

from .models import Notification


def notify(unit, message: str, url: str) -> Notification:
    return Notification.objects.create(unit=unit, message=message[:300], url=url)


def unread_for(user):
    if not user.unit_id:
        return Notification.objects.none()
    return Notification.objects.filter(unit_id=user.unit_id, read_at__isnull=True)


def mark_read(user, notification: Notification) -> None:
    if notification.unit_id == user.unit_id and notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
