"""Queue and sampling-rule pages."""

from django.urls import path

from nastavnik.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/run/", views.sample_now, name="run"),
]
