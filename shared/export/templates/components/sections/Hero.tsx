// Renders the hero: eyebrow, headline, lede, calls to action and the eager picture.
import type { HeroSection } from "../types";
import { Media } from "../Media";
import { SectionFrame, SectionTitle } from "../SectionFrame";

export function Hero({ section }: { section: HeroSection }) {
  return (
    <SectionFrame section={section}>
      <div className="layout">
        <div className="copy">
          {section.eyebrow !== "" && <p className="eyebrow">{section.eyebrow}</p>}
          <SectionTitle section={section} />
          {section.lede !== "" && <p className="lede">{section.lede}</p>}
          <div className="actions">
            <a className="btn" href={section.primary.href}>
              {section.primary.label}
            </a>
            {section.secondary && (
              <a className="btn ghost" href={section.secondary.href}>
                {section.secondary.label}
              </a>
            )}
          </div>
        </div>
        {section.media && <Media media={section.media} />}
      </div>
    </SectionFrame>
  );
}
