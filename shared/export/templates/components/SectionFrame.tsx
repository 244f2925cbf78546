// Renders what every section shares: the <section> landmark, its wrap, and its titled head.
import type { ReactNode } from "react";
import type { Item, SectionBase } from "./types";
import { Heading } from "./Heading";

/** `section#id[data-section-id] > div.wrap > children`, labelled by the section heading. */
export function SectionFrame({ section, children }: { section: SectionBase; children: ReactNode }) {
  return (
    <section
      id={section.id}
      data-section-id={section.sectionId}
      className={section.className}
      aria-labelledby={`${section.id}-title`}
    >
      <div className="wrap">{children}</div>
    </section>
  );
}

/** The section heading (`#{id}-title`, at the section's level). */
export function SectionTitle({ section }: { section: SectionBase }) {
  return (
    <Heading level={section.level} id={`${section.id}-title`}>
      {section.heading}
    </Heading>
  );
}

/** `div.head`: the section heading and, when there is one, its intro as `p.lede`. */
export function SectionHead({ section, intro = "" }: { section: SectionBase; intro?: string }) {
  return (
    <div className="head">
      <SectionTitle section={section} />
      {intro !== "" && <p className="lede">{intro}</p>}
    </div>
  );
}

/** An item's heading (one level below the section's) and body; empty parts are left out. */
export function ItemText({ item, level }: { item: Item; level: number }) {
  return (
    <>
      {item.title !== "" && <Heading level={level}>{item.title}</Heading>}
      {item.body !== "" && <p>{item.body}</p>}
    </>
  );
}
