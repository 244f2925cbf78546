// Headless Chromium for the page scripts (page-check.mjs, compare-screens.mjs): puppeteer-core
// from where `scripts/lighthouse --install` puts it (VISIONS_NODE_PREFIX, default
// ~/.cache/visions-ai/node) and the browser at CHROME_PATH (default /usr/bin/chromium). A
// missing tool exits 2 with what to run, so a set-up problem never reads as a failing page.
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export async function launchChromium(tool) {
  const prefix = process.env.VISIONS_NODE_PREFIX ?? path.join(os.homedir(), ".cache/visions-ai/node");
  let puppeteer;
  try {
    puppeteer = createRequire(path.join(prefix, "noop.js"))("puppeteer-core");
  } catch (error) {
    console.error(`${tool}: cannot load puppeteer-core from ${prefix}/node_modules (${error.message.split("\n")[0]}); run scripts/lighthouse --install`);
    process.exit(2);
  }
  const executablePath = process.env.CHROME_PATH || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    console.error(`${tool}: no Chromium at ${executablePath} (set CHROME_PATH, or run scripts/lighthouse --install)`);
    process.exit(2);
  }
  return puppeteer.launch({
    executablePath,
    // headless: true makes puppeteer pass --headless=new (and --hide-scrollbars, so a width is
    // the whole layout width); it is repeated here so the flag is explicit.
    headless: true,
    args: ["--no-sandbox", "--headless=new", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
}
