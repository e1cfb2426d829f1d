"""Mystery shopper pages: scenarios, visits, results."""

from django.urls import path

from nastavnik.coaching import views

app_name = "coaching"
urlpatterns = [
    path("mystery/", views.visit_list, name="mystery_visits"),
    path("mystery/scenarios/", views.scenario_list, name="mystery_scenarios"),
    path("mystery/scenarios/new/", views.scenario_create, name="mystery_scenario_create"),
    path(
        "mystery/scenarios/<int:scenario_id>/",
        views.scenario_detail,
        name="mystery_scenario_detail",
    ),
    path(
        "mystery/scenarios/<int:scenario_id>/edit/",
        views.scenario_edit,
        name="mystery_scenario_edit",
    ),
    path(
        "mystery/scenarios/<int:scenario_id>/plan/",
        views.visit_plan,
        name="mystery_visit_plan",
    ),
    path("mystery/visits/<int:visit_id>/", views.visit_detail, name="mystery_visit_detail"),
    path(
        "mystery/visits/<int:visit_id>/attach/",
        views.visit_attach,
        name="mystery_visit_attach",
    ),
    path(
        "mystery/visits/<int:visit_id>/transcript/",
        views.visit_transcript,
        name="mystery_visit_transcript",
    ),
    path(
        "mystery/visits/<int:visit_id>/evaluate/",
        views.visit_evaluate,
        name="mystery_visit_evaluate",
    ),
    path(
        "mystery/visits/<int:visit_id>/cancel/",
        views.visit_cancel,
        name="mystery_visit_cancel",
    ),
    path("mystery/results/", views.results, name="mystery_results"),
]
