"""Maps :class:`ApplicationError` raised by a page to a readable error page."""

from __future__ import annotations

from django.shortcuts import render

from nastavnik.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Render an ApplicationError as the shared error page with its status code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            return render(
                request,
                "web/error.html",
                {"error": exception},
                status=exception.status_code,
            )
        return None
