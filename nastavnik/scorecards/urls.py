from django.urls import path

from nastavnik.scorecards import views

app_name = "scorecards"
urlpatterns = [
    path("", views.scorecard_list, name="list"),
    # Before "<slug:key>/": the services refuse "new" and "import" as scorecard keys.
    path("new/", views.scorecard_create, name="create"),
    path("import/", views.scorecard_import, name="import"),
    path("<slug:key>/", views.scorecard_detail, name="detail"),
    path("<slug:key>/v<int:number>/", views.scorecard_detail, name="version"),
    path("<slug:key>/v<int:number>/export/", views.scorecard_export, name="export"),
    path("<slug:key>/v<int:number>/edit/", views.scorecard_edit, name="edit"),
    path("<slug:key>/v<int:number>/activate/", views.scorecard_activate, name="activate"),
    path("<slug:key>/v<int:number>/archive/", views.scorecard_archive, name="archive"),
]
