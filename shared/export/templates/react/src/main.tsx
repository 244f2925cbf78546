// The browser entry: the page's styles, and hydration of the pre-rendered markup.
import { StrictMode } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import "./theme.css";
import "./styles.css";
import { Page } from "./components/Page";
import { page } from "./components/page-data";

const root = document.getElementById("root");
const app = (
  <StrictMode>
    <Page data={page} />
  </StrictMode>
);
if (root?.firstElementChild) {
  // Built: `npm run build` pre-rendered the page into #root.
  hydrateRoot(root, app);
} else if (root) {
  // `npm run dev`: nothing was pre-rendered.
  createRoot(root).render(app);
}
