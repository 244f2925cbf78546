// Renders the logo strip: the heading and the names as a list of marks.
import type { LogosSection } from "../types";
import { SectionFrame, SectionTitle } from "../SectionFrame";

export function Logos({ section }: { section: LogosSection }) {
  return (
    <SectionFrame section={section}>
      <SectionTitle section={section} />
      <ul className="marks">
        {section.names.map((name, i) => (
          <li key={i}>{name}</li>
        ))}
      </ul>
    </SectionFrame>
  );
}
