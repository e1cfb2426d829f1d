"""Top-level URL configuration: web pages, the REST API and its documentation."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from nastavnik.accounts import api as accounts_api
from nastavnik.conversations import api as conversations_api
from nastavnik.core import api as core_api
from nastavnik.core import views as core_views
from nastavnik.evaluations import api as evaluations_api
from nastavnik.web import views as web_views

api_v1 = [
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("token/", obtain_auth_token, name="api-token"),
    path("operators/", accounts_api.OperatorListApi.as_view(), name="api-operator-list"),
    path(
        "operators/<int:operator_id>/",
        accounts_api.OperatorDetailApi.as_view(),
        name="api-operator-detail",
    ),
    path("teams/", accounts_api.TeamListApi.as_view(), name="api-team-list"),
    path(
        "conversations/",
        conversations_api.ConversationListApi.as_view(),
        name="api-conversation-list",
    ),
    path(
        "conversations/<int:conversation_id>/",
        conversations_api.ConversationDetailApi.as_view(),
        name="api-conversation-detail",
    ),
    path(
        "conversations/import/",
        conversations_api.ConversationImportApi.as_view(),
        name="api-conversation-import",
    ),
    path("jobs/<int:job_id>/", core_api.JobDetailApi.as_view(), name="api-job-detail"),
    path("evaluations/", evaluations_api.EvaluationListApi.as_view(), name="api-evaluation-list"),
    path(
        "evaluations/<int:evaluation_id>/",
        evaluations_api.EvaluationDetailApi.as_view(),
        name="api-evaluation-detail",
    ),
    path(
        "evaluations/<int:evaluation_id>/submit/",
        evaluations_api.EvaluationSubmitApi.as_view(),
        name="api-evaluation-submit",
    ),
    path(
        "evaluations/<int:evaluation_id>/acknowledge/",
        evaluations_api.EvaluationAcknowledgeApi.as_view(),
        name="api-evaluation-acknowledge",
    ),
    path(
        "evaluations/<int:evaluation_id>/disputes/",
        evaluations_api.EvaluationDisputeApi.as_view(),
        name="api-evaluation-dispute",
    ),
    path("disputes/", evaluations_api.DisputeListApi.as_view(), name="api-dispute-list"),
    path(
        "disputes/<int:dispute_id>/resolve/",
        evaluations_api.DisputeResolveApi.as_view(),
        name="api-dispute-resolve",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("notifications/", core_views.notification_list, name="notifications"),
    path("audit/", core_views.audit_list, name="audit"),
    path("conversations/", include("nastavnik.conversations.urls")),
    path("accounts/", include("nastavnik.accounts.urls")),
    path("scorecards/", include("nastavnik.scorecards.urls")),
    path("evaluations/", include("nastavnik.evaluations.urls")),
    path("queue/", include("nastavnik.sampling.urls")),
    path("coaching/", include("nastavnik.coaching.urls")),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
