// The README's example runs as written, against the API under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile, rm } from "node:fs/promises";
import { promisify } from "node:util";
import "./support/env.mjs";

test("the README example prints the page URL", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const example = readme.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(example, "README.md has a js example");
  assert.ok(example.trim().split("\n").length <= 12, "the example stays short");
  // Inside the package, so that `@visions-ai/sdk` resolves to this package (self-reference).
  const file = new URL("./readme-example.generated.mjs", import.meta.url);
  await writeFile(file, example);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname]);
    const lines = stdout.trim().split("\n");
    assert.match(lines.at(-1), /\/index\.html$/, stdout);
    assert.ok(lines.some((l) => /\b100$/.test(l)), `no progress to 100 in: ${stdout}`);
  } finally {
    await rm(file, { force: true });
  }
});
