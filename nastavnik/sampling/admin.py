from django.contrib import admin

from nastavnik.sampling.models import QueueItem, SamplingRule


@admin.register(SamplingRule)
class SamplingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "channel", "per_operator", "period", "risk_share", "is_active")
    list_filter = ("period", "channel", "is_active")
    filter_horizontal = ("graders",)


@admin.register(QueueItem)
class QueueItemAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "grader", "rule", "reason", "period", "due_at")
    list_filter = ("reason", "period")
    raw_id_fields = ("conversation", "grader", "created_by")
