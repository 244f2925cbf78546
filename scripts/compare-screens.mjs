#!/usr/bin/env node
// Compares two PNG screenshots pixel by pixel and prints one JSON report on stdout.
//
//   node scripts/compare-screens.mjs A.png B.png [--threshold 0.01] [--diff OUT.png]
//
// No npm package beyond puppeteer-core: both PNGs are decoded by headless Chromium (each loaded
// as a data: URL into an <img>, drawn onto a canvas, read back with getImageData). A pixel counts
// as different when any channel (R, G, B or alpha) differs by more than 24, which absorbs
// anti-aliasing. When the sizes differ, the comparison area is max width x max height: the
// overlap (top-left aligned) is compared and every pixel outside it counts as different.
// ratio = differentPixels / (width * height).
// --diff OUT.png writes that area as a PNG: different pixels red, the rest a faded grey copy of A
// (of B where A has no pixels).
// Exit status: 0 when ratio <= threshold (default 0.01), 1 otherwise, 2 on usage errors
// (missing or non-PNG file, bad option) or when puppeteer-core or Chromium is missing.
// Environment: VISIONS_NODE_PREFIX (default ~/.cache/visions-ai/node), CHROME_PATH (default
// /usr/bin/chromium), as for scripts/page-check.mjs.
import { launchChromium } from "./chromium.mjs";
import fs from "node:fs";
import path from "node:path";

const TOLERANCE = 24;
const USAGE = "usage: node scripts/compare-screens.mjs A.png B.png [--threshold 0.01] [--diff OUT.png]";

function usage(message) {
  if (message) console.error(`compare-screens: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

function parseArgs(argv) {
  const files = [];
  const options = { threshold: 0.01, diff: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--threshold") {
      const raw = value();
      const threshold = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) usage(`bad --threshold (a ratio from 0 to 1): ${raw}`);
      options.threshold = threshold;
    } else if (arg === "--diff") {
      options.diff = value();
    } else if (arg.startsWith("-") && arg !== "-") {
      usage(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 2) usage("expected two PNG files");
  return { files, options };
}

// Width and height from the IHDR chunk, or a usage error when the file is not a PNG.
function readPng(file) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    usage(`cannot read ${file}: ${error.code ?? error.message}`);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString("latin1", 12, 16) !== "IHDR") {
    usage(`not a PNG file: ${file}`);
  }
  return { bytes, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// Runs in the page. Works in horizontal strips, so tall full-page screenshots stay within
// Chromium's canvas limits and memory stays small; only the diff image needs one full canvas.
async function compareInPage(aUrl, bUrl, tolerance, wantDiff) {
  // The <img> load event, not img.decode(): decode() refuses a second very large image (e.g.
  // 2000x20000) once Chromium's decoded-image budget is used, although the image loaded fine.
  // The bitmap is decoded once, so drawing it strip by strip does not decode it again.
  const load = (url) =>
    new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => createImageBitmap(img).then(resolve, reject);
      img.onerror = () => reject(new Error("Chromium could not decode the image"));
      img.src = url;
    });
  const a = await load(aUrl);
  const b = await load(bUrl);
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const overlapWidth = Math.min(a.width, b.width);
  const overlapHeight = Math.min(a.height, b.height);
  const strip = Math.max(1, Math.min(height, Math.floor(16_000_000 / width)));

  const canvas = (w, h) => {
    const c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    return c.getContext("2d", { willReadFrequently: true, alpha: true });
  };
  const ctxA = canvas(width, strip);
  const ctxB = canvas(width, strip);
  let out = null;
  if (wantDiff) {
    out = canvas(width, height);
    if (out.canvas.width !== width || out.canvas.height !== height) throw new Error(`diff image ${width}x${height} is too large for a canvas`);
  }

  let differentPixels = 0;
  for (let y0 = 0; y0 < height; y0 += strip) {
    const rows = Math.min(strip, height - y0);
    ctxA.clearRect(0, 0, width, strip);
    ctxB.clearRect(0, 0, width, strip);
    ctxA.drawImage(a, 0, -y0);
    ctxB.drawImage(b, 0, -y0);
    const da = ctxA.getImageData(0, 0, width, rows).data;
    const db = ctxB.getImageData(0, 0, width, rows).data;
    const diff = out ? out.createImageData(width, rows) : null;
    const dd = diff?.data;
    for (let row = 0; row < rows; row++) {
      const y = y0 + row;
      for (let x = 0; x < width; x++) {
        const i = (row * width + x) * 4;
        let different;
        if (x < overlapWidth && y < overlapHeight) {
          const d = Math.max(Math.abs(da[i] - db[i]), Math.abs(da[i + 1] - db[i + 1]), Math.abs(da[i + 2] - db[i + 2]), Math.abs(da[i + 3] - db[i + 3]));
          different = d > tolerance;
        } else {
          different = true;
        }
        if (different) differentPixels++;
        if (dd) {
          if (different) {
            dd[i] = 255;
            dd[i + 1] = 0;
            dd[i + 2] = 0;
          } else {
            const src = da[i + 3] ? da : db;
            const grey = 0.299 * src[i] + 0.587 * src[i + 1] + 0.114 * src[i + 2];
            const faded = 255 - (255 - grey) * 0.25;
            dd[i] = dd[i + 1] = dd[i + 2] = faded;
          }
          dd[i + 3] = 255;
        }
      }
    }
    if (out) out.putImageData(diff, 0, y0);
  }
  const diffPng = out ? out.canvas.toDataURL("image/png") : null;
  return { width, height, differentPixels, diffPng };
}

async function main() {
  const { files, options } = parseArgs(process.argv.slice(2));
  const [a, b] = files.map(readPng);
  const started = Date.now();
  const browser = await launchChromium("compare-screens");
  let result;
  try {
    const page = await browser.newPage();
    const dataUrl = (png) => `data:image/png;base64,${png.bytes.toString("base64")}`;
    result = await page.evaluate(compareInPage, dataUrl(a), dataUrl(b), TOLERANCE, Boolean(options.diff));
  } catch (error) {
    console.error(`compare-screens: ${error.message}`);
    process.exit(2);
  } finally {
    await browser.close().catch(() => {});
  }
  let diff = null;
  if (options.diff) {
    diff = path.resolve(options.diff);
    fs.mkdirSync(path.dirname(diff), { recursive: true });
    fs.writeFileSync(diff, Buffer.from(result.diffPng.slice(result.diffPng.indexOf(",") + 1), "base64"));
  }
  const ratio = result.differentPixels / (result.width * result.height);
  const ok = ratio <= options.threshold;
  console.log(
    JSON.stringify(
      {
        a: files[0],
        b: files[1],
        width: result.width,
        height: result.height,
        differentPixels: result.differentPixels,
        ratio,
        sizeA: { width: a.width, height: a.height },
        sizeB: { width: b.width, height: b.height },
        threshold: options.threshold,
        tolerance: TOLERANCE,
        diff,
        ok,
        ms: Date.now() - started,
      },
      null,
      2,
    ),
  );
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(`compare-screens: ${error.stack ?? error}`);
  process.exit(1);
});
