// Renders the features: a grid of icon cards, or a checked list beside the section head.
import type { FeaturesSection } from "../types";
import { Icon } from "../Icon";
import { ItemText, SectionFrame, SectionHead } from "../SectionFrame";

export function Features({ section }: { section: FeaturesSection }) {
  const level = section.level + 1;
  if (section.variant === "list") {
    return (
      <SectionFrame section={section}>
        <div className="cols">
          <SectionHead section={section} intro={section.intro} />
          <ul className="checks">
            {section.items.map((item, i) => (
              <li key={i}>
                <span className="ico" aria-hidden="true">
                  <Icon index={0} />
                </span>
                <div>
                  <ItemText item={item} level={level} />
                </div>
              </li>
            ))}
          </ul>
        </div>
      </SectionFrame>
    );
  }
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} intro={section.intro} />
      <ul className="grid">
        {section.items.map((item, i) => (
          <li key={i} className="card">
            <span className="ico" aria-hidden="true">
              <Icon index={i + 1} />
            </span>
            <ItemText item={item} level={level} />
          </li>
        ))}
      </ul>
    </SectionFrame>
  );
}
