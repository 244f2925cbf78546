// Renders the benefits: numbered cards under a banner, or rows alternating with a picture or tile.
import type { BenefitsSection } from "../types";
import { Media } from "../Media";
import { ItemText, SectionFrame, SectionHead } from "../SectionFrame";

export function Benefits({ section }: { section: BenefitsSection }) {
  const level = section.level + 1;
  if (section.variant === "cards") {
    return (
      <SectionFrame section={section}>
        <SectionHead section={section} />
        {section.media && (
          <div className="banner">
            <Media media={section.media} />
          </div>
        )}
        <ul className="grid">
          {section.items.map((item, i) => (
            <li key={i} className="card topline">
              <span className="num" aria-hidden="true">
                {i + 1}
              </span>
              <ItemText item={item} level={level} />
            </li>
          ))}
        </ul>
      </SectionFrame>
    );
  }
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <ul className="rows">
        {section.items.map((item, i) => (
          <li key={i} className="row">
            {i === 0 && section.media ? (
              <Media media={section.media} />
            ) : (
              <div className="tile" aria-hidden="true">
                <span>{String(i + 1).padStart(2, "0")}</span>
              </div>
            )}
            <div className="copy">
              <ItemText item={item} level={level} />
            </div>
          </li>
        ))}
      </ul>
    </SectionFrame>
  );
}
