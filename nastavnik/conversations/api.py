"""REST endpoints for conversations and their import."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from nastavnik.accounts import access
from nastavnik.conversations import selectors, services
from nastavnik.conversations.filters import CSAT_CHOICES, ConversationFilter
from nastavnik.conversations.models import Conversation
from nastavnik.core.api import ErrorSerializer, JobSerializer, valid_filter, validated_data
from nastavnik.engine import types


class ConversationListSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.full_name", read_only=True)
    team_name = serializers.CharField(
        source="team.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "source",
            "external_id",
            "channel",
            "direction",
            "operator",
            "operator_name",
            "team",
            "team_name",
            "client_ref",
            "client_name",
            "language",
            "started_at",
            "ended_at",
            "topic",
            "tags",
            *types.OUTCOME_FIELDS,
            "duration_seconds",
            "first_response_seconds",
            "longest_operator_delay_seconds",
            "longest_silence_seconds",
            "overlap_seconds",
            "turn_count",
        ]
        read_only_fields = fields


class TurnSerializer(serializers.Serializer):
    speaker = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField(required=False)
    start = serializers.FloatField(required=False)
    end = serializers.FloatField(required=False)


class ConversationDetailSerializer(ConversationListSerializer):
    turns = TurnSerializer(many=True, read_only=True)

    class Meta(ConversationListSerializer.Meta):
        fields = [*ConversationListSerializer.Meta.fields, "turns", "meta"]
        read_only_fields = fields


# The filter takes CSAT as text choices; documented as what a client sends: integers.
CSAT_PARAMETER = OpenApiParameter(
    "csat",
    int,
    many=True,
    enum=[int(value) for value, _label in CSAT_CHOICES],
    description="CSAT",
)


@extend_schema_view(get=extend_schema(parameters=[CSAT_PARAMETER]))
class ConversationListApi(generics.ListAPIView):
    """Conversations visible to the caller, filtered like the web list."""

    serializer_class = ConversationListSerializer
    filterset_class = ConversationFilter

    def get_queryset(self):
        return selectors.conversation_list(viewer=self.request.user).qs

    def filter_queryset(self, queryset):
        filterset = selectors.conversation_list(
            viewer=self.request.user, params=self.request.query_params
        )
        return valid_filter(filterset).qs


class ConversationDetailApi(generics.RetrieveAPIView):
    """One conversation with its turns (404 when not visible to the caller)."""

    serializer_class = ConversationDetailSerializer

    def get_object(self):
        return selectors.conversation_get(
            viewer=self.request.user, conversation_id=self.kwargs["conversation_id"]
        )


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("JSONL or CSV file, optionally .gz"))
    source = serializers.CharField(max_length=64, default="api")


class ConversationImportApi(APIView):
    """Upload a file; returns the background job that imports it (poll /api/v1/jobs/<id>/)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=ImportRequestSerializer,
        responses={
            202: JobSerializer,
            400: ErrorSerializer,
            403: OpenApiResponse(description="The caller's roles may not import."),
        },
    )
    def post(self, request):
        if not access.can_import(request.user):
            raise PermissionDenied
        payload = validated_data(ImportRequestSerializer(data=request.data))
        job = services.conversation_import_upload(
            uploaded_file=payload["file"], source=payload["source"], actor=request.user
        )
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
