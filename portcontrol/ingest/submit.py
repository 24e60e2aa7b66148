"""Run a job now when it is small, in a task worker when it is large."""

from __future__ import annotations

from django.conf import settings

from .models import IntakeJob
from .runner import run_job
from .tasks import run_intake_job


def submit_job(job: IntakeJob) -> None:
    if job.bytes_total <= settings.INTAKE_INLINE_BYTES:
        run_job(job, acting_user=job.created_by)
    else:
        run_intake_job.enqueue(job.pk)
