from django.contrib.auth import views as auth_views
from django.urls import path

from nastavnik.accounts import views

app_name = "accounts"
urlpatterns = [
    path("operators/", views.operator_list, name="operator_list"),
    path("operators/<int:operator_id>/", views.operator_detail, name="operator_detail"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url="/accounts/password/done/",
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password_change_done",
    ),
]
