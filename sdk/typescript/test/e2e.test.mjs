// The generated client against a running API, as a user drives it: create a project, generate
// (retried with the same Idempotency-Key), follow the job with progress, read the version and
// its HTML; and errors come back as problems.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, followJob, VisionsError } from "@visions-ai/sdk";
import { baseUrl, token } from "./support/env.mjs";

const api = createClient({ baseUrl, token });

test("create, generate, follow, read the version", async () => {
  const created = await api.POST("/v1/projects", {
    body: { name: "Harbor Yoga", brand: { colors: { primary: "#1F6F8B" }, tone: "calm" } },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  const project = created.data;
  assert.equal(project.name, "Harbor Yoga");

  const key = crypto.randomUUID();
  const request = {
    params: { path: { id: project.id }, header: { "Idempotency-Key": key } },
    body: { prompt: "Harbor Yoga, a yoga studio in Halifax with classes for beginners" },
  };
  const first = await api.POST("/v1/projects/{id}/generate", request);
  assert.equal(first.response.status, 202, JSON.stringify(first.error));
  const again = await api.POST("/v1/projects/{id}/generate", request);
  assert.equal(again.data.id, first.data.id, "a retry with the same key is the same job");

  const seen = [];
  const job = await followJob(api, first.data.id, {
    intervalMs: 100,
    onProgress: (j) => seen.push(j.progress),
  });
  assert.equal(job.status, "succeeded", job.error ?? "");
  assert.equal(job.kind, "generate");
  assert.ok(seen.length >= 1 && seen.at(-1) === 100, `progress seen: ${seen}`);
  assert.deepEqual([...seen].sort((a, b) => a - b), seen, "progress never goes back");

  const version = await api.GET("/v1/projects/{id}/versions/{number}", {
    params: { path: { id: project.id, number: job.version } },
  });
  assert.equal(version.response.status, 200);
  assert.equal(version.data.number, job.version);
  assert.ok(Array.isArray(version.data.page.sections) && version.data.page.sections.length > 0);
  const html = await fetch(new URL(version.data.html_url, baseUrl));
  assert.equal(html.status, 200);
  assert.match(await html.text(), /Harbor Yoga/);

  const listed = await api.GET("/v1/projects", { params: { query: { limit: 100 } } });
  assert.ok(listed.data.items.some((p) => p.id === project.id));
});

test("errors are problems", async () => {
  const missing = await api.GET("/v1/projects/{id}", {
    params: { path: { id: "0190c5a0-0000-7000-8000-000000000001" } },
  });
  assert.equal(missing.response.status, 404);
  assert.equal(missing.error.type, "https://visions.ai/problems/not-found");

  const anonymous = createClient({ baseUrl });
  const refused = await anonymous.GET("/v1/projects");
  assert.equal(refused.response.status, 401);
  await assert.rejects(
    followJob(anonymous, "0190c5a0-0000-7000-8000-000000000001"),
    (err) => err instanceof VisionsError && err.status === 401,
  );
});
