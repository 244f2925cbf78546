// Renders the whole page body: skip link, header, the sections in <main>, and the footer.
import type { PageData, Section } from "./types";
import { Benefits } from "./sections/Benefits";
import { Contact } from "./sections/Contact";
import { Cta } from "./sections/Cta";
import { Faq } from "./sections/Faq";
import { Features } from "./sections/Features";
import { Footer } from "./sections/Footer";
import { Gallery } from "./sections/Gallery";
import { Hero } from "./sections/Hero";
import { HowItWorks } from "./sections/HowItWorks";
import { Logos } from "./sections/Logos";
import { Pricing } from "./sections/Pricing";
import { Stats } from "./sections/Stats";
import { Testimonials } from "./sections/Testimonials";

/** The component for a section, by its type. */
function SectionView({ section }: { section: Section }) {
  switch (section.type) {
    case "hero":
      return <Hero section={section} />;
    case "logos":
      return <Logos section={section} />;
    case "features":
      return <Features section={section} />;
    case "benefits":
      return <Benefits section={section} />;
    case "how_it_works":
      return <HowItWorks section={section} />;
    case "testimonials":
      return <Testimonials section={section} />;
    case "pricing":
      return <Pricing section={section} />;
    case "faq":
      return <Faq section={section} />;
    case "stats":
      return <Stats section={section} />;
    case "gallery":
      return <Gallery section={section} />;
    case "cta":
      return <Cta section={section} />;
    case "contact":
      return <Contact section={section} />;
    default: {
      const unknown: never = section;
      return unknown;
    }
  }
}

export function Page({ data }: { data: PageData }) {
  return (
    <>
      <a className="skip" href="#main">
        {data.skipLabel}
      </a>
      <header className="top">
        <div className="wrap bar">
          <p className="brand">{data.business}</p>
          {data.headerCta && (
            <a className="btn" href={data.headerCta.href}>
              {data.headerCta.label}
            </a>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {data.sections.map((section) => (
          <SectionView key={section.id} section={section} />
        ))}
      </main>
      <Footer footer={data.footer} />
    </>
  );
}
