// The build-time entry: renders the page to HTML for prerender.mjs (never shipped to browsers).
import { StrictMode } from "react";
import { renderToString } from "react-dom/server";
import { Page } from "./components/Page";
import { page } from "./components/page-data";

export function render(): string {
  return renderToString(
    <StrictMode>
      <Page data={page} />
    </StrictMode>,
  );
}
