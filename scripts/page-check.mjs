#!/usr/bin/env node
// Checks a web page in headless Chromium the way a visitor would see it, at one or more
// viewport widths, and prints one JSON report on stdout.
//
//   node scripts/page-check.mjs URL [--widths 375,1440] [--screenshots DIR] [--name NAME]
//                                   [--require-section-ids] [--timeout MS]
//
// For each width (a fresh browser context each time; height 812 for widths under 768, a phone,
// else 900, a desktop first screen):
//   - load URL and wait for the network to be idle;
//   - collect console errors, uncaught page errors, failed requests (`requestfailed`) and
//     responses with status >= 400 - nothing is filtered out;
//   - every <img> needs a non-empty alt, every [role=img] a non-empty aria-label (or an
//     aria-labelledby naming elements with text);
//   - the primary call to action (the first `a.btn` in the first `main > section`, else the
//     first `.btn` in `main`) must lie fully inside the first screen, without scrolling, and
//     not be hidden (display, visibility, opacity, here or on an ancestor);
//   - with --require-section-ids, every `section` in `main` needs a non-empty, unique
//     `data-section-id` (the ids are reported either way, but only fail the run with the flag);
//   - then scroll through the page (so lazy images load, and any that fail are reported) and,
//     with --screenshots DIR, save a full-page PNG as DIR/NAME-WIDTH.png (NAME defaults to "page").
// Exit status: 0 when every check passed at every width, 1 otherwise (a page that fails to load
// included), 2 on usage errors or when puppeteer-core or Chromium is missing.
// Environment: VISIONS_NODE_PREFIX (where puppeteer-core is installed, default
// ~/.cache/visions-ai/node; `scripts/lighthouse --install` installs it), CHROME_PATH (default
// /usr/bin/chromium).
import { launchChromium } from "./chromium.mjs";
import fs from "node:fs";
import path from "node:path";

const USAGE =
  "usage: node scripts/page-check.mjs URL [--widths 375,1440] [--screenshots DIR] [--name NAME] [--require-section-ids] [--timeout MS]";

function usage(message) {
  if (message) console.error(`page-check: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { widths: [375, 1440], screenshots: null, name: "page", requireSectionIds: false, timeout: 30000 };
  let url = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--widths") {
      const raw = value();
      const widths = raw.split(",").map((w) => w.trim());
      if (!widths.length || widths.some((w) => !/^[1-9][0-9]*$/.test(w))) usage(`bad --widths: ${raw}`);
      options.widths = [...new Set(widths.map(Number))];
    } else if (arg === "--screenshots") {
      options.screenshots = value();
    } else if (arg === "--name") {
      options.name = value();
      if (!options.name || options.name.includes("/")) usage(`bad --name: ${options.name}`);
    } else if (arg === "--require-section-ids") {
      options.requireSectionIds = true;
    } else if (arg === "--timeout") {
      const raw = value();
      if (!/^[1-9][0-9]*$/.test(raw)) usage(`bad --timeout: ${raw}`);
      options.timeout = Number(raw);
    } else if (arg.startsWith("-")) {
      usage(`unknown option ${arg}`);
    } else if (url === null) {
      url = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (url === null) usage("missing URL");
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    usage(`not a URL: ${url}`);
  }
  if (!["http:", "https:", "file:"].includes(parsed.protocol)) usage(`unsupported URL scheme: ${parsed.protocol}`);
  return { url, options };
}

const heightFor = (width) => (width < 768 ? 812 : 900);

// Runs in the page: alt texts, the call to action, section ids.
function inspectPage() {
  const squash = (s) => (s ?? "").replace(/\s+/g, " ").trim();
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += `#${el.id}`;
    else if (el.classList.length) d += `.${[...el.classList].join(".")}`;
    return d;
  };

  const imagesWithoutAlt = [];
  for (const img of document.querySelectorAll("img")) {
    const alt = img.getAttribute("alt");
    if (alt === null || alt.trim() === "") {
      imagesWithoutAlt.push({
        element: describe(img),
        src: img.getAttribute("src"),
        problem: alt === null ? "no alt attribute" : "empty alt",
      });
    }
  }
  for (const el of document.querySelectorAll('[role="img"]')) {
    const label = el.getAttribute("aria-label");
    const labelledBy = (el.getAttribute("aria-labelledby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => squash(document.getElementById(id)?.textContent))
      .join(" ")
      .trim();
    if ((label === null || label.trim() === "") && !labelledBy) {
      imagesWithoutAlt.push({
        element: `${describe(el)}[role=img]`,
        src: el.getAttribute("src") ?? el.getAttribute("href") ?? null,
        problem: label === null ? "role=img without aria-label" : "role=img with empty aria-label",
      });
    }
  }

  const firstSection = document.querySelector("main > section");
  const cta = firstSection?.querySelector("a.btn") ?? document.querySelector("main .btn");
  let ctaInfo = null;
  let ctaVisible = false;
  if (cta) {
    const box = cta.getBoundingClientRect();
    const viewportHeight = window.innerHeight;
    const viewportWidth = window.innerWidth;
    const hiddenBy = [];
    for (let el = cta; el && el.nodeType === 1; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.display === "none") hiddenBy.push(`${describe(el)} display:none`);
      if (el === cta && style.visibility !== "visible") hiddenBy.push(`${describe(el)} visibility:${style.visibility}`);
      if (Number(style.opacity) === 0) hiddenBy.push(`${describe(el)} opacity:0`);
    }
    const inside = box.width > 0 && box.height > 0 && box.top >= 0 && box.bottom <= viewportHeight && box.left >= 0 && box.right <= viewportWidth;
    ctaVisible = inside && hiddenBy.length === 0;
    const round = (n) => Math.round(n * 10) / 10;
    ctaInfo = {
      element: describe(cta),
      text: squash(cta.innerText || cta.textContent),
      href: cta.getAttribute("href"),
      source: firstSection?.contains(cta) ? "first main > section" : "first .btn in main",
      top: round(box.top),
      bottom: round(box.bottom),
      left: round(box.left),
      right: round(box.right),
      width: round(box.width),
      height: round(box.height),
      viewport: { width: viewportWidth, height: viewportHeight },
      hiddenBy,
    };
  }

  const sectionIds = [];
  const missingSectionIds = [];
  const seen = new Map();
  const sections = [...document.querySelectorAll("main section")];
  sections.forEach((section, index) => {
    const id = section.getAttribute("data-section-id");
    if (id === null || id.trim() === "") {
      missingSectionIds.push(section.id ? `section#${section.id}` : `section[${index}]`);
    } else {
      sectionIds.push(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  });
  const duplicateSectionIds = [...seen].filter(([, n]) => n > 1).map(([id]) => id);

  return { imagesWithoutAlt, ctaVisible, cta: ctaInfo, sectionCount: sections.length, sectionIds, missingSectionIds, duplicateSectionIds };
}

// Runs in the page: scroll down a screen at a time (lazy content loads), then back to the top.
async function scrollThrough() {
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo({ top: y, left: 0, behavior: "instant" });
    await pause(60);
  }
  window.scrollTo({ top: document.documentElement.scrollHeight, left: 0, behavior: "instant" });
  await pause(100);
  window.scrollTo({ top: 0, left: 0, behavior: "instant" });
}

async function checkWidth(browser, url, width, options) {
  const height = heightFor(width);
  const started = Date.now();
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const consoleErrors = [];
  const failedRequests = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const loc = msg.location() ?? {};
    consoleErrors.push({ type: "console", text: msg.text(), url: loc.url ?? null, line: loc.lineNumber ?? null });
  });
  page.on("pageerror", (error) => {
    consoleErrors.push({ type: "pageerror", text: String(error?.message ?? error), url: null, line: null });
  });
  page.on("requestfailed", (request) => {
    failedRequests.push({ url: request.url(), method: request.method(), resourceType: request.resourceType(), status: null, error: request.failure()?.errorText ?? "failed" });
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      const request = response.request();
      failedRequests.push({ url: response.url(), method: request.method(), resourceType: request.resourceType(), status: response.status(), error: response.statusText() || null });
    }
  });

  const mobile = width < 768;
  await page.setViewport({ width, height, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile });
  const result = { viewport: { width, height, mobile } };
  const problems = [];
  try {
    const response = await page.goto(url, { waitUntil: "networkidle0", timeout: options.timeout });
    result.status = response?.status() ?? null;
    await page.evaluate(() => document.fonts.ready.then(() => window.scrollTo({ top: 0, left: 0, behavior: "instant" })));
    Object.assign(result, await page.evaluate(inspectPage));
    // Below-the-fold content, as a reader scrolling through would load it.
    await page.evaluate(scrollThrough);
    await page.waitForNetworkIdle({ idleTime: 500, timeout: options.timeout }).catch(() => problems.push("network did not go idle after scrolling"));
    if (options.screenshots) {
      fs.mkdirSync(options.screenshots, { recursive: true });
      const file = path.resolve(options.screenshots, `${options.name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true, type: "png" });
      result.screenshot = file;
    } else {
      result.screenshot = null;
    }
  } catch (error) {
    problems.push(`load failed: ${error.message}`);
    result.ctaVisible ??= false;
    result.cta ??= null;
    result.imagesWithoutAlt ??= [];
    result.sectionIds ??= [];
    result.missingSectionIds ??= [];
    result.screenshot ??= null;
  } finally {
    await context.close().catch(() => {});
  }

  result.consoleErrors = consoleErrors;
  result.failedRequests = failedRequests;
  if (consoleErrors.length) problems.push(`${consoleErrors.length} console error(s)`);
  if (failedRequests.length) problems.push(`${failedRequests.length} failed request(s)`);
  if (result.imagesWithoutAlt.length) problems.push(`${result.imagesWithoutAlt.length} image(s) without alt text`);
  if (!result.cta) problems.push("no call to action (a.btn in the first main > section, or .btn in main)");
  else if (!result.ctaVisible) problems.push(`call to action "${result.cta.text}" is not fully visible in the first screen`);
  if (options.requireSectionIds) {
    if (!result.sectionCount && !problems.some((p) => p.startsWith("load failed"))) problems.push("no section in main");
    if (result.missingSectionIds.length) problems.push(`${result.missingSectionIds.length} section(s) without data-section-id`);
    if (result.duplicateSectionIds?.length) problems.push(`duplicate data-section-id: ${result.duplicateSectionIds.join(", ")}`);
  }
  result.problems = problems;
  result.ok = problems.length === 0;
  result.ms = Date.now() - started;
  // Stable key order: the documented fields first.
  const { consoleErrors: ce, failedRequests: fr, imagesWithoutAlt, ctaVisible, cta, sectionIds, missingSectionIds, screenshot, ...rest } = result;
  return { consoleErrors: ce, failedRequests: fr, imagesWithoutAlt, ctaVisible, cta, sectionIds, missingSectionIds, screenshot, ...rest };
}

async function main() {
  const { url, options } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const browser = await launchChromium("page-check");
  const widths = {};
  try {
    for (const width of options.widths) widths[width] = await checkWidth(browser, url, width, options);
  } finally {
    await browser.close().catch(() => {});
  }
  const ok = Object.values(widths).every((w) => w.ok);
  console.log(JSON.stringify({ url, requireSectionIds: options.requireSectionIds, widths, ok, ms: Date.now() - started }, null, 2));
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(`page-check: ${error.stack ?? error}`);
  process.exit(1);
});
