from django.contrib import admin

from nastavnik.evaluations.models import Answer, Evaluation


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("criterion", "stage", "verdict", "value", "confidence", "origin", "comment")
    readonly_fields = fields
    can_delete = False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "conversation",
        "scorecard_version",
        "kind",
        "purpose",
        "state",
        "score_percent",
    )
    list_filter = ("kind", "purpose", "state")
    raw_id_fields = ("conversation", "scorecard_version", "grader")
    inlines = [AnswerInline]
