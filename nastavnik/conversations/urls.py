from django.urls import path

from nastavnik.conversations import views

app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("<int:conversation_id>/", views.conversation_detail, name="detail"),
    path("import/", views.conversation_import, name="import"),
    path("import/<int:job_id>/", views.conversation_import_job, name="import_job"),
]
