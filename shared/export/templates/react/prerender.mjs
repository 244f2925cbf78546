// Pre-renders the page into dist/index.html (Vite's pre-rendering pattern): the server build's
// markup replaces the <!--app--> marker, so the page is complete before any script runs.
import fs from "node:fs";
import path from "node:path";
import url from "node:url";

const root = path.dirname(url.fileURLToPath(import.meta.url));
const file = path.join(root, "dist", "index.html");
const template = fs.readFileSync(file, "utf-8");
if (!template.includes("<!--app-->") || !template.includes("</head>")) {
  throw new Error("dist/index.html has no <!--app--> marker or no </head>");
}
const { render } = await import(url.pathToFileURL(path.join(root, "dist-ssr", "entry-server.js")).href);
const markup = render();
// React puts the preloads it hoists (the hero picture's) first: they belong in the head.
const hoisted = markup.match(/^(?:<link [^>]*>)*/)[0];
const html = template
  .replace("</head>", () => `${hoisted}</head>`)
  .replace("<!--app-->", () => markup.slice(hoisted.length));
fs.writeFileSync(file, html);
console.log("pre-rendered dist/index.html");
