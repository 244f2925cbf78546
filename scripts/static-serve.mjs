#!/usr/bin/env node
// Serves a folder over HTTP on loopback the way a static host does (S3 + CloudFront, Netlify,
// Vercel): gzip for text, long-lived caching for content-hashed files, index.html for folders.
// Used by scripts/check-exports, so Lighthouse measures an export as it would be hosted.
//
//   node scripts/static-serve.mjs FOLDER [PORT]       prints http://127.0.0.1:PORT once listening
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";

const [folder, portArg] = process.argv.slice(2);
if (!folder || !fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error("usage: static-serve.mjs FOLDER [PORT]");
  process.exit(2);
}
const root = path.resolve(folder);
const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const compressible = /^(text\/|application\/(json|xml)|image\/svg)/;
// Content-hashed names (Next's `_next/static`, Vite's `assets/`, the exports' `images/`) never change.
const immutable = /^\/(_next\/static|assets|images)\//;

const server = http.createServer((request, response) => {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(request.url, "http://x").pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  let file = path.join(root, pathname);
  if (!file.startsWith(root)) {
    response.writeHead(403).end();
    return;
  }
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  const type = types[path.extname(file)] ?? "application/octet-stream";
  const headers = {
    "content-type": type,
    "cache-control": immutable.test(pathname) ? "public, max-age=31536000, immutable" : "no-cache",
  };
  let body = fs.readFileSync(file);
  if (compressible.test(type) && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
    body = zlib.gzipSync(body);
    headers["content-encoding"] = "gzip";
    headers.vary = "accept-encoding";
  }
  headers["content-length"] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
});
server.listen(Number(portArg ?? 0), "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
