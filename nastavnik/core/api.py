"""The one API error shape: ``{"error": ..., "record": ..., "field": ...}``."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from nastavnik.core import selectors
from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import Job


def exception_handler(exc, context):
    """Turn ApplicationError into a JSON error; leave the rest to DRF."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer):
    """The one error shape, for the schema (``record`` and ``field`` only when known)."""

    error = serializers.CharField()
    record = serializers.CharField(required=False)
    field = serializers.CharField(required=False)


def validated_data(serializer: serializers.Serializer) -> dict:
    """The serializer's validated data, or an ApplicationError naming the first bad field."""
    if serializer.is_valid():
        return serializer.validated_data
    name, messages = next(iter(serializer.errors.items()))
    field = None if name == api_settings.NON_FIELD_ERRORS_KEY else name
    raise ApplicationError(str(messages[0]), field=field)


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "done",
            "total",
            "percent",
            "report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobDetailApi(generics.RetrieveAPIView):
    """A background job's state, progress and report."""

    serializer_class = JobSerializer

    def get_object(self):
        return selectors.job_get(viewer=self.request.user, job_id=self.kwargs["job_id"])


def valid_filter(filterset):
    """The filter set if its parameters are valid, else an ApplicationError naming the first."""
    if filterset.is_valid():
        return filterset
    name, messages = next(iter(filterset.errors.items()))
    raise ApplicationError(str(messages[0]), field=name)
