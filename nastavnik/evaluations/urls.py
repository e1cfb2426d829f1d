"""Evaluation pages: manual evaluation, disputes, auto-QA trust."""

from django.urls import path

from nastavnik.evaluations import views, views_trust

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("start/<int:conversation_id>/", views.evaluation_start, name="start"),
    path("<int:evaluation_id>/", views.evaluation_detail, name="detail"),
    path("<int:evaluation_id>/edit/", views.evaluation_edit, name="edit"),
    path("<int:evaluation_id>/preview/", views.evaluation_preview, name="preview"),
    path("<int:evaluation_id>/acknowledge/", views.evaluation_acknowledge, name="acknowledge"),
    path("<int:evaluation_id>/dispute/", views.dispute_open, name="dispute_open"),
    path("trust/", views_trust.trust_page, name="trust"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="dispute_detail"),
]
