"""Language choice: the configured default unless the user picked one in the header."""

from __future__ import annotations


class DefaultLanguageMiddleware:
    """Ignore the browser's Accept-Language so the product opens in its default language.

    Teams in Russian contact centres often run English-language browsers; the UI must
    still open in Russian (``NASTAVNIK_LANGUAGE``). The switch in the header sets the
    language cookie, which Django's LocaleMiddleware honours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
