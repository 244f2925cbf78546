// Renders the key figures as a description list (label, then value).
import type { StatsSection } from "../types";
import { SectionFrame, SectionHead } from "../SectionFrame";

export function Stats({ section }: { section: StatsSection }) {
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <dl className="figures">
        {section.items.map((item, i) => (
          <div key={i}>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </div>
        ))}
      </dl>
    </SectionFrame>
  );
}
