from django.urls import path

from nastavnik.scorecards import views

app_name = "scorecards"
urlpatterns = [
    path("", views.scorecard_list, name="list"),
    path("<slug:key>/", views.scorecard_detail, name="detail"),
    path("<slug:key>/v<int:number>/", views.scorecard_detail, name="version"),
    path("<slug:key>/v<int:number>/export/", views.scorecard_export, name="export"),
]
