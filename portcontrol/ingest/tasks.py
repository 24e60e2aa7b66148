"""Background work: a large upload is processed by a task worker, not in the request."""

from __future__ import annotations

from django_tasks import task

from .models import IntakeJob
from .runner import run_job


@task()
def run_intake_job(job_id: int) -> dict:
    job = IntakeJob.objects.select_related("created_by").get(pk=job_id)
    return run_job(job, acting_user=job.created_by).summary()
