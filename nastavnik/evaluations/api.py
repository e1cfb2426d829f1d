"""REST endpoints for manual evaluations and disputes (the same services as the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from nastavnik.conversations import selectors as conversation_selectors
from nastavnik.core.api import ErrorSerializer, valid_filter, validated_data
from nastavnik.evaluations import disputes, forms, manual, selectors
from nastavnik.evaluations.filters import EvaluationFilter
from nastavnik.evaluations.models import Answer, Dispute, Evaluation


class EvidenceSerializer(serializers.Serializer):
    turn = serializers.IntegerField(min_value=0)
    start = serializers.IntegerField(min_value=0, required=False)
    end = serializers.IntegerField(min_value=0, required=False)
    quote = serializers.CharField(read_only=True)


class AnswerSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True)

    class Meta:
        model = Answer
        fields = [
            "criterion",
            "stage",
            "value",
            "verdict",
            "comment",
            "evidence",
            "origin",
            "auto_verdict",
            "confidence",
        ]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    scorecard = serializers.CharField(source="scorecard_version.scorecard.key", read_only=True)
    scorecard_version = serializers.IntegerField(source="scorecard_version.number", read_only=True)
    operator = serializers.IntegerField(source="conversation.operator_id", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "conversation",
            "operator",
            "scorecard",
            "scorecard_version",
            "kind",
            "purpose",
            "state",
            "grader",
            "score_percent",
            "earned",
            "maximum",
            "critical_failed",
            "stage_scores",
            "comment",
            "revision",
            "created_at",
            "updated_at",
            "submitted_at",
            "acknowledged_at",
        ]
        read_only_fields = fields


class EvaluationDetailSerializer(EvaluationSerializer):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "answers"]
        read_only_fields = fields


class EvaluationCreateSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    # Calibration evaluations are made in calibration sessions; the service refuses them here.
    purpose = serializers.ChoiceField(choices=Evaluation.Purpose.choices, default="official")
    from_auto = serializers.BooleanField(
        default=False, help_text="Start from the auto-QA answers (accept or override each)."
    )


class AnswerInputSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    value = serializers.FloatField(
        allow_null=True, help_text="1/0 binary, 1/0.5/0 ternary, 0..N points; null = N/A"
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = EvidenceSerializer(many=True, required=False)


class EvaluationSaveSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        help_text="The revision you read; a save over someone else's newer one gets 409."
    )
    answers = AnswerInputSerializer(many=True, required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class DisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = [
            "id",
            "evaluation",
            "criterion",
            "reason",
            "state",
            "raised_by",
            "raised_at",
            "reviewer",
            "decided_at",
            "decision_comment",
            "changes",
            "score_before",
            "score_after",
        ]
        read_only_fields = fields


class DisputeOpenSerializer(serializers.Serializer):
    criterion = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Empty: the whole evaluation."
    )
    reason = serializers.CharField()


class DisputeResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    answers = AnswerInputSerializer(many=True, required=False, default=list)


ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class EvaluationListApi(generics.ListAPIView):
    """Manual evaluations visible to the caller; POST starts (or reopens) a draft."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter

    def get_queryset(self):
        return selectors.evaluation_list(viewer=self.request.user).qs

    def filter_queryset(self, queryset):
        filterset = selectors.evaluation_list(
            viewer=self.request.user, params=self.request.query_params
        )
        return valid_filter(filterset).qs

    @extend_schema(
        request=EvaluationCreateSerializer, responses={201: EvaluationDetailSerializer, **ERRORS}
    )
    def post(self, request):
        payload = validated_data(EvaluationCreateSerializer(data=request.data))
        conversation = conversation_selectors.conversation_get(
            viewer=request.user, conversation_id=payload["conversation"]
        )
        evaluation = manual.evaluation_start(
            actor=request.user,
            conversation=conversation,
            purpose=payload["purpose"],
            from_auto=payload["from_auto"],
        )
        return Response(_detail(request, evaluation.pk), status=status.HTTP_201_CREATED)


class EvaluationDetailApi(APIView):
    """One evaluation with its answers; PATCH saves answers (optimistic locking)."""

    @extend_schema(responses={200: EvaluationDetailSerializer, 404: ErrorSerializer})
    def get(self, request, evaluation_id: int):
        return Response(_detail(request, evaluation_id))

    @extend_schema(
        request=EvaluationSaveSerializer, responses={200: EvaluationDetailSerializer, **ERRORS}
    )
    def patch(self, request, evaluation_id: int):
        evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
        payload = validated_data(EvaluationSaveSerializer(data=request.data))
        manual.evaluation_save(actor=request.user, evaluation=evaluation, **_save_args(payload))
        return Response(_detail(request, evaluation_id))


class EvaluationSubmitApi(APIView):
    """Save the given answers and submit; every criterion needs an answer."""

    @extend_schema(
        request=EvaluationSaveSerializer, responses={200: EvaluationDetailSerializer, **ERRORS}
    )
    def post(self, request, evaluation_id: int):
        evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
        payload = validated_data(EvaluationSaveSerializer(data=request.data))
        manual.evaluation_submit(actor=request.user, evaluation=evaluation, **_save_args(payload))
        return Response(_detail(request, evaluation_id))


class EvaluationAcknowledgeApi(APIView):
    """The evaluated operator acknowledges the evaluation."""

    @extend_schema(request=None, responses={200: EvaluationSerializer, **ERRORS})
    def post(self, request, evaluation_id: int):
        evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
        evaluation = manual.evaluation_acknowledge(actor=request.user, evaluation=evaluation)
        return Response(EvaluationSerializer(evaluation).data)


class EvaluationDisputeApi(APIView):
    """The evaluated operator disputes a criterion (or the whole evaluation)."""

    @extend_schema(request=DisputeOpenSerializer, responses={201: DisputeSerializer, **ERRORS})
    def post(self, request, evaluation_id: int):
        evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
        payload = validated_data(DisputeOpenSerializer(data=request.data))
        dispute = disputes.dispute_open(actor=request.user, evaluation=evaluation, **payload)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class DisputeListApi(generics.ListAPIView):
    """Disputes visible to the caller (``?state=open|accepted|rejected``)."""

    serializer_class = DisputeSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        return selectors.dispute_list(viewer=self.request.user, state=state)


class DisputeResolveApi(APIView):
    """A reviewer accepts (with the corrected answers) or rejects (with a comment)."""

    @extend_schema(request=DisputeResolveSerializer, responses={200: DisputeSerializer, **ERRORS})
    def post(self, request, dispute_id: int):
        dispute = selectors.dispute_get(viewer=request.user, dispute_id=dispute_id)
        payload = validated_data(DisputeResolveSerializer(data=request.data))
        dispute = disputes.dispute_resolve(
            actor=request.user,
            dispute=dispute,
            accept=payload["decision"] == "accept",
            comment=payload["comment"],
            answers=forms.answers_from_api(payload["answers"]),
        )
        return Response(DisputeSerializer(dispute).data)


def _save_args(payload: dict) -> dict:
    return {
        "revision": payload["revision"],
        "answers": forms.answers_from_api(payload["answers"]),
        "comment": payload["comment"],
    }


def _detail(request, evaluation_id: int) -> dict:
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    return EvaluationDetailSerializer(evaluation).data
