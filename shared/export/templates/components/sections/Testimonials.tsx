// Renders the testimonials: quote cards, or a spotlighted first quote above the others.
import type { Quote, TestimonialsSection } from "../types";
import { SectionFrame, SectionHead } from "../SectionFrame";

/** One quote as `figure.{className}`, with who said it when known. */
function QuoteFigure({ quote, className }: { quote: Quote; className: string }) {
  return (
    <figure className={className}>
      <blockquote>
        <p>{quote.quote}</p>
      </blockquote>
      {(quote.name !== "" || quote.role !== "") && (
        <figcaption>
          {quote.initials !== "" && (
            <span className="av" aria-hidden="true">
              {quote.initials}
            </span>
          )}
          <span>
            {quote.name !== "" && <b>{quote.name}</b>}
            {quote.role !== "" && <span className="role">{quote.role}</span>}
          </span>
        </figcaption>
      )}
    </figure>
  );
}

export function Testimonials({ section }: { section: TestimonialsSection }) {
  if (section.variant === "spotlight") {
    const [lead, ...rest] = section.items;
    return (
      <SectionFrame section={section}>
        <SectionHead section={section} />
        {lead && <QuoteFigure quote={lead} className="quote lead" />}
        {rest.length > 0 && (
          <ul className="grid">
            {rest.map((quote, i) => (
              <li key={i}>
                <QuoteFigure quote={quote} className="quote card" />
              </li>
            ))}
          </ul>
        )}
      </SectionFrame>
    );
  }
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <ul className="grid">
        {section.items.map((quote, i) => (
          <li key={i}>
            <QuoteFigure quote={quote} className="quote card" />
          </li>
        ))}
      </ul>
    </SectionFrame>
  );
}
