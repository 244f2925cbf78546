// Headless Chromium loads a page from another origin that lists projects through the SDK: the
// origin the API allows (VISIONS_BROWSER_ORIGIN_PORT, which scripts/check-sdks puts in
// VISIONS_CORS_ORIGINS) gets the list; any other origin is refused by the browser.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { extname } from "node:path";
import { createClient } from "@visions-ai/sdk";
import { baseUrl, token } from "./support/env.mjs";

const chrome = process.env.CHROME_PATH || "/usr/bin/chromium";
const allowedPort = Number(process.env.VISIONS_BROWSER_ORIGIN_PORT);
const root = new URL("..", import.meta.url);
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript" };

/** Serves the package folder (the page, dist/ and node_modules/) on 127.0.0.1:port. */
async function serve(port) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path.includes("..")) return res.writeHead(400).end();
    try {
      const body = await readFile(new URL(`.${path}`, root));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  after(() => server.close());
  return server.address().port;
}

/** The page's outcome after Chromium ran it: [outcome, text]. */
async function outcome(port) {
  const page = new URL(`http://127.0.0.1:${port}/test/browser/list-projects.html`);
  page.searchParams.set("api", baseUrl);
  page.searchParams.set("token", token);
  const { stdout } = await promisify(execFile)(chrome, [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--virtual-time-budget=15000", "--dump-dom", page.href,
  ], { timeout: 60_000 });
  const match = stdout.match(/data-outcome="([a-z]+)"[^>]*>([^<]*)</);
  assert.ok(match, stdout);
  return [match[1], match[2]];
}

test("a page on an allowed origin lists projects; another origin is refused", async () => {
  assert.ok(allowedPort > 0, "set VISIONS_BROWSER_ORIGIN_PORT");
  const api = createClient({ baseUrl, token });
  const name = `Browser listing ${Date.now()}`;
  const created = await api.POST("/v1/projects", { body: { name } });
  assert.equal(created.response.status, 201);

  const [allowed, listed] = await outcome(await serve(allowedPort));
  assert.equal(allowed, "listed", listed);
  assert.ok(listed.includes(name), listed);

  const [other, why] = await outcome(await serve(0));
  assert.equal(other, "refused", why);
});
