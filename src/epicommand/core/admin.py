"""The Django admin is for bootstrapping: users, regions and units. Person-level records are
not here, so every change to them goes through services and the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import ApiToken, AuditEvent, Region, Unit, User


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'change' if change else 'create'}"
        audit.record(
            request.user,
            action,
            obj,
            region_code=_region_of(obj),
            reason=", ".join(form.changed_data),
        )


def _region_of(obj):
    return (
        getattr(obj, "scope_region_id", None)
        or getattr(obj, "region_id", None)
        or (obj.code if isinstance(obj, Region) else None)
    )


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "role",
        "unit",
        "scope_region",
        "is_active",
        "locked_until",
    )
    list_filter = ("role", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Jurisdiction"),
            {"fields": ("role", "unit", "scope_region", "failed_logins", "locked_until")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Jurisdiction"), {"fields": ("role", "unit", "scope_region")}),
    )
    autocomplete_fields = ("unit", "scope_region")


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("region", "parent")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued and revoked on the API tokens page, which shows the secret once."""

    list_display = (
        "name",
        "key_prefix",
        "role",
        "unit",
        "region",
        "created_at",
        "approved_at",
        "revoked_at",
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "region_id")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_id", "request_id")
