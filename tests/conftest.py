"""Shared fixtures. Browser tests need DJANGO_ALLOW_ASYNC_UNSAFE for live_server."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _django_test_settings(request, tmp_path):
    # Engine tests run without Django (-p no:django); everything else gets these.
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    # Tests see a job's result as soon as the request commits.
    settings.NASTAVNIK_JOB_RUNNER = "sync"
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2 at full strength costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english_ui(client, settings):
    """Pages and messages in English, for tests that assert on the English source texts."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
