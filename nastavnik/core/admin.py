from django.contrib import admin

from nastavnik.core.models import AuditEvent, Job


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "entity_type", "entity_id")
    list_filter = ("action", "entity_type")
    readonly_fields = ("at", "actor", "action", "entity_type", "entity_id", "changes")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "state", "done", "total", "created_by", "created_at")
    list_filter = ("kind", "state")
