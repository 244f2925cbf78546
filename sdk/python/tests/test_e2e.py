"""The generated client against a running API, as a user drives it: create a project, generate
(retried with the same Idempotency-Key), follow the job with progress, read the version and its
HTML; and errors come back as problems."""

import unittest
import uuid

import httpx

from api import BASE_URL, TOKEN
from visions_ai import AuthenticatedClient
from visions_ai.api.generation import generate_page, get_version
from visions_ai.api.projects import create_project, get_project, list_projects
from visions_ai.follow import VisionsError, follow_job
from visions_ai.models import BrandColors, BrandKit, GenerateRequest, NewProject, Problem
from visions_ai.models.job_kind import JobKind
from visions_ai.models.job_status import JobStatus


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.api = AuthenticatedClient(base_url=BASE_URL, token=TOKEN).__enter__()
        self.addCleanup(self.api.__exit__, None, None, None)

    def test_create_generate_follow_read(self):
        brand = BrandKit(colors=BrandColors(primary="#2E7D32"), tone="friendly")
        created = create_project.sync_detailed(
            client=self.api, body=NewProject(name="Green Valley Plumbing", brand=brand)
        )
        self.assertEqual(created.status_code, 201)
        project = created.parsed
        self.assertEqual(project.brand.colors.primary, "#2E7D32")

        key = str(uuid.uuid4())
        request = GenerateRequest(prompt="Green Valley Plumbing, emergency plumbers in Leeds")
        first = generate_page.sync(project.id, client=self.api, idempotency_key=key, body=request)
        again = generate_page.sync(project.id, client=self.api, idempotency_key=key, body=request)
        self.assertEqual(first.id, again.id, "a retry with the same key is the same job")

        seen = []
        job = follow_job(self.api, first.id, on_progress=lambda j: seen.append(j.progress), interval=0.1)
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertEqual(job.kind, JobKind.GENERATE)
        self.assertEqual(seen[-1], 100, seen)
        self.assertEqual(sorted(seen), seen, "progress never goes back")

        version = get_version.sync(project.id, job.version, client=self.api)
        self.assertEqual(version.number, job.version)
        self.assertTrue(version.page.additional_properties["sections"])
        html = httpx.get(httpx.URL(BASE_URL).join(version.html_url), timeout=10)
        self.assertEqual(html.status_code, 200)
        self.assertIn("Green Valley Plumbing", html.text)

        listed = list_projects.sync(client=self.api, limit=100)
        self.assertIn(project.id, [p.id for p in listed.items])

    def test_errors_are_problems(self):
        missing = get_project.sync(uuid.UUID("0190c5a0-0000-7000-8000-000000000001"), client=self.api)
        self.assertIsInstance(missing, Problem)
        self.assertEqual(missing.type_, "https://visions.ai/problems/not-found")

        with AuthenticatedClient(base_url=BASE_URL, token="not-a-token") as anonymous:
            refused = list_projects.sync_detailed(client=anonymous)
            self.assertEqual(refused.status_code, 401)
            with self.assertRaises(VisionsError) as caught:
                follow_job(anonymous, "0190c5a0-0000-7000-8000-000000000001")
        self.assertEqual(caught.exception.status, 401)
        self.assertEqual(caught.exception.problem.type_, "https://visions.ai/problems/unauthorized")


if __name__ == "__main__":
    unittest.main()
