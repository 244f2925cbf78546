// Renders the FAQ: each question as a <details> disclosure with its answer.
import type { FaqSection } from "../types";
import { SectionFrame, SectionHead } from "../SectionFrame";

export function Faq({ section }: { section: FaqSection }) {
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <div className="qa">
        {section.items.map((item, i) => (
          <details key={i}>
            <summary>{item.question}</summary>
            {item.answer !== "" && <p>{item.answer}</p>}
          </details>
        ))}
      </div>
    </SectionFrame>
  );
}
