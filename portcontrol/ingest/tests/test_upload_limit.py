"""PORTCONTROL_MAX_UPLOAD_MB at the upload page and the API: a larger file is refused with a
message naming the limit, and no job is created."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portcontrol.ingest.models import IntakeJob

pytestmark = pytest.mark.django_db


def big_file(name: str = "big.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"container_number\n" + b"MSCU1234566\n" * 110_000)


def test_upload_page_refuses_a_file_above_the_limit(login, baku_officer, settings):
    settings.PORTCONTROL_MAX_UPLOAD_MB = 1
    response = login(baku_officer).post(reverse("intake"), {"files": [big_file()],
                                                            "format": "auto"})
    page = response.content.decode()
    assert "The file big.csv is 1.3 MB; the largest file accepted is 1 MB." in page
    assert not IntakeJob.objects.exists()


def test_api_refuses_a_file_above_the_limit(client, baku_officer, settings):
    from portcontrol.accounts.actions import do_issue_api_token

    settings.PORTCONTROL_MAX_UPLOAD_MB = 1
    token = do_issue_api_token(user=baku_officer, name="t", acting_user=baku_officer)[1]
    response = client.post("/api/intake/jobs", {"file": big_file(), "format": "csv"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and error["field"] == "file"
    assert "largest file accepted is 1 MB" in error["message"]
    assert not IntakeJob.objects.exists()
