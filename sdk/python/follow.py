"""Follow a generation job to its end, with progress. Hand-written; ``./generate`` copies it
into the generated ``visions_ai`` package as ``visions_ai.follow``."""

from __future__ import annotations

import time
from typing import Callable

from .api.generation import get_job
from .client import AuthenticatedClient, Client
from .models.job import Job
from .models.job_status import JobStatus
from .models.problem import Problem

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED}


class VisionsError(Exception):
    """The API refused a request; ``problem`` is its RFC 9457 answer when there is one."""

    def __init__(self, status: int, problem: Problem | None):
        self.status = status
        self.problem = problem
        detail = problem.detail if problem and isinstance(problem.detail, str) else None
        super().__init__(detail or (problem.title if problem else f"HTTP {status}"))


def follow_job(
    client: AuthenticatedClient | Client,
    job_id: str,
    on_progress: Callable[[Job], None] | None = None,
    interval: float = 1.0,
    timeout: float = 900.0,
) -> Job:
    """Polls the job until it succeeds or fails and returns it either way (a failed job says
    why in ``job.error``). ``on_progress`` gets the job each time its status, stage or progress
    changes. Raises ``VisionsError`` when the job cannot be read, ``TimeoutError`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        response = get_job.sync_detailed(job_id, client=client)
        job = response.parsed
        if not isinstance(job, Job):
            problem = job if isinstance(job, Problem) else None
            raise VisionsError(int(response.status_code), problem)
        state = (job.status, job.stage, job.progress)
        if state != seen:
            seen = state
            if on_progress:
                on_progress(job)
        if job.status in FINISHED:
            return job
        if time.monotonic() + interval > deadline:
            raise TimeoutError(f"job {job_id} did not finish in {timeout} s (last: {state})")
        time.sleep(interval)
