// Renders the pricing plans: name (with a badge on the highlighted one), price, features, action.
import type { PricingSection } from "../types";
import { Heading } from "../Heading";
import { SectionFrame, SectionHead } from "../SectionFrame";

export function Pricing({ section }: { section: PricingSection }) {
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} intro={section.intro} />
      <ul className="grid plans">
        {section.plans.map((plan, i) => (
          <li key={i} className={plan.highlighted ? "card plan hi" : "card plan"}>
            <Heading level={section.level + 1}>
              {plan.highlighted ? `${plan.name} ` : plan.name}
              {plan.highlighted && <span className="badge">{section.popularLabel}</span>}
            </Heading>
            {plan.price !== "" && (
              <p className="price">
                {plan.period !== "" ? `${plan.price} ` : plan.price}
                {plan.period !== "" && <span>{plan.period}</span>}
              </p>
            )}
            <ul className="feat">
              {plan.features.map((feature, j) => (
                <li key={j}>{feature}</li>
              ))}
            </ul>
            <a className="btn" href={plan.cta.href}>
              {plan.cta.label}
            </a>
          </li>
        ))}
      </ul>
    </SectionFrame>
  );
}
