// Renders "how it works": the steps as a numbered list of cards.
import type { HowItWorksSection } from "../types";
import { ItemText, SectionFrame, SectionHead } from "../SectionFrame";

export function HowItWorks({ section }: { section: HowItWorksSection }) {
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <ol className="steps">
        {section.steps.map((step, i) => (
          <li key={i} className="card">
            <ItemText item={step} level={section.level + 1} />
          </li>
        ))}
      </ol>
    </SectionFrame>
  );
}
