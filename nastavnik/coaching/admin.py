from django.contrib import admin

from nastavnik.coaching.models import MysteryScenario, MysteryVisit


@admin.register(MysteryScenario)
class MysteryScenarioAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "channel", "is_active")
    list_filter = ("channel", "is_active")


@admin.register(MysteryVisit)
class MysteryVisitAdmin(admin.ModelAdmin):
    list_display = ("id", "scenario", "operator", "planned_on", "state")
    list_filter = ("state",)
    raw_id_fields = ("scenario", "operator", "conversation", "evaluation", "created_by")
