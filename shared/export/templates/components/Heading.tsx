// Renders a heading at a given level: h1 to h3, deeper levels clamp to h4 (as the Rust `heading()`).
import type { ReactNode } from "react";

export function Heading({ level, id, children }: { level: number; id?: string; children: ReactNode }) {
  const Tag = level === 1 ? "h1" : level === 2 ? "h2" : level === 3 ? "h3" : "h4";
  return <Tag id={id}>{children}</Tag>;
}
