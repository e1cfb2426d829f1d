"""The one error type that services raise for a person to read."""

from __future__ import annotations


class ApplicationError(Exception):
    """A user-facing error: a message, optionally naming the record and the field.

    Views and API endpoints map it to one error shape (HTTP 400 by default) so that
    every bad input gets a clear answer and nothing is half-written.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        record: str | None = None,
        field: str | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.record = record
        self.field = field
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}

    def as_dict(self) -> dict:
        """The error as the API returns it."""
        data: dict = {"error": self.message}
        if self.record is not None:
            data["record"] = self.record
        if self.field is not None:
            data["field"] = self.field
        data.update(self.extra)
        return data
