from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts.models import Operator, OperatorExternalId, Team, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline]
    list_display = ("username", "full_name", "email", "is_active", "role_list")
    search_fields = ("username", "full_name", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("full_name",)}))

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(sorted(a.get_role_display() for a in obj.role_assignments.all()))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")


class OperatorExternalIdInline(admin.TabularInline):
    model = OperatorExternalId
    extra = 1


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    inlines = [OperatorExternalIdInline]
    list_display = ("full_name", "team", "grade", "mentor", "hired_at", "is_active")
    list_filter = ("team", "grade", "is_active")
    search_fields = ("full_name", "external_ids__external_id")
    autocomplete_fields = ("mentor", "user")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead")
    search_fields = ("name",)
