"""REST endpoints for the caller, operators and teams."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nastavnik.accounts import selectors
from nastavnik.accounts.models import Grade, Operator, Team


class OperatorSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(
        source="team.name", read_only=True, default=None, allow_null=True
    )
    # source="mentor" (rendered with str()), not "mentor.__str__": without a mentor the
    # latter rendered None's bound method, "<method-wrapper '__str__' …>".
    mentor_name = serializers.CharField(source="mentor", read_only=True, allow_null=True)
    # Declared so the schema admits the blank grade of an operator nobody has graded yet.
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)
    conversation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Operator
        fields = [
            "id",
            "full_name",
            "team",
            "team_name",
            "grade",
            "hired_at",
            "mentor",
            "mentor_name",
            "is_active",
            "conversation_count",
        ]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "lead"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class MeApi(APIView):
    """Who the caller is and which roles they hold."""

    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "roles": sorted(user.roles),
        }
        return Response(MeSerializer(data).data)


class OperatorListApi(generics.ListAPIView):
    """Operators visible to the caller."""

    serializer_class = OperatorSerializer

    def get_queryset(self):
        return selectors.operator_list(viewer=self.request.user)


class OperatorDetailApi(generics.RetrieveAPIView):
    """One operator (404 when not visible to the caller)."""

    serializer_class = OperatorSerializer

    def get_object(self):
        return selectors.operator_get(
            viewer=self.request.user, operator_id=self.kwargs["operator_id"]
        )


class TeamListApi(generics.ListAPIView):
    """Teams visible to the caller."""

    serializer_class = TeamSerializer

    def get_queryset(self):
        return selectors.team_list(viewer=self.request.user)
