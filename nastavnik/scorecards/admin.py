from django.contrib import admin

from nastavnik.scorecards.models import Scorecard, ScorecardVersion


class ScorecardVersionInline(admin.TabularInline):
    model = ScorecardVersion
    extra = 0
    fields = ("number", "state", "channels", "created_at", "activated_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("key", "title")
    inlines = [ScorecardVersionInline]
