// Renders the call to action: heading, body and one button, as a band or inside a card.
import type { CtaSection } from "../types";
import { SectionFrame, SectionTitle } from "../SectionFrame";

export function Cta({ section }: { section: CtaSection }) {
  const content = (
    <>
      <SectionTitle section={section} />
      {section.body !== "" && <p className="lede">{section.body}</p>}
      <div className="actions">
        <a className="btn" href={section.cta.href}>
          {section.cta.label}
        </a>
      </div>
    </>
  );
  return (
    <SectionFrame section={section}>
      {section.variant === "card" ? <div className="box">{content}</div> : content}
    </SectionFrame>
  );
}
