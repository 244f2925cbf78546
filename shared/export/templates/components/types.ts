// The page as the exported components read it: every value already resolved by Visions AI
// (text cleaned, links checked, labels completed, heading levels and HTML ids chosen), so the
// components only lay it out, with the same markup and classes as the rendered page.

/** A link: a safe href (`#id`, `https://…`, `mailto:`, `tel:`) and its visible text. */
export interface Link {
  href: string;
  label: string;
}

/** An image slot: a picture in responsive widths, a single image, or a themed placeholder. */
export type Media =
  | {
      kind: "picture";
      /** `r43`, `r169`, `r219` or `r11`: the frame's aspect-ratio class. */
      ratio: string;
      src: string;
      srcSet: string;
      sizes: string;
      alt: string;
      width: number;
      height: number;
      /** The class that shows the blurred placeholder while the picture loads. */
      placeholderClass?: string;
      eager: boolean;
    }
  | { kind: "image"; ratio: string; src: string; alt: string; width: number; height: number; eager: boolean }
  | { kind: "placeholder"; ratio: string; alt: string; tone: 0 | 1 | 2 };

export interface Item {
  title: string;
  body: string;
}

/** What every section has: its HTML id, the page's stable section id, its classes and heading. */
export interface SectionBase {
  /** The HTML id (`hero`, `features-1`). */
  id: string;
  /** The section's id in the page JSON, kept on `data-section-id`. */
  sectionId: string;
  /** e.g. `hero is-split`, `features is-grid alt`, `cta is-band band`. */
  className: string;
  /** 1 for the first section, 2 after. Items use `level + 1`. */
  level: 1 | 2;
  /** The heading's text. */
  heading: string;
}

export interface HeroSection extends SectionBase {
  type: "hero";
  variant: "split" | "centered";
  eyebrow: string;
  lede: string;
  primary: Link;
  secondary?: Link;
  media?: Media;
}

export interface LogosSection extends SectionBase {
  type: "logos";
  names: string[];
}

export interface FeaturesSection extends SectionBase {
  type: "features";
  variant: "grid" | "list";
  intro: string;
  items: Item[];
}

export interface BenefitsSection extends SectionBase {
  type: "benefits";
  variant: "alternating" | "cards";
  items: Item[];
  media?: Media;
}

export interface HowItWorksSection extends SectionBase {
  type: "how_it_works";
  steps: Item[];
}

export interface Quote {
  quote: string;
  name: string;
  role: string;
  /** Up to two capital letters from the name; empty when it has none. */
  initials: string;
}

export interface TestimonialsSection extends SectionBase {
  type: "testimonials";
  variant: "cards" | "spotlight";
  items: Quote[];
}

export interface Plan {
  /** The plan's name, or the section heading when it has none. */
  name: string;
  price: string;
  period: string;
  features: string[];
  highlighted: boolean;
  cta: Link;
}

export interface PricingSection extends SectionBase {
  type: "pricing";
  intro: string;
  /** The badge on a highlighted plan, in the page's language. */
  popularLabel: string;
  plans: Plan[];
}

export interface FaqSection extends SectionBase {
  type: "faq";
  /** Only questions with text; an answer may be empty. */
  items: { question: string; answer: string }[];
}

export interface StatsSection extends SectionBase {
  type: "stats";
  /** Only figures with a value. */
  items: { value: string; label: string }[];
}

export interface GallerySection extends SectionBase {
  type: "gallery";
  images: Media[];
}

export interface CtaSection extends SectionBase {
  type: "cta";
  variant: "band" | "card";
  body: string;
  cta: Link;
}

export interface ContactForm {
  action: string;
  intro: string;
  nameLabel: string;
  emailLabel: string;
  messageLabel: string;
  submitLabel: string;
  /** Shown once the message is sent (`#message-sent`). */
  sentLabel: string;
}

export interface ContactSection extends SectionBase {
  type: "contact";
  intro: string;
  /** Field names in the page's language. */
  labels: { phone: string; email: string; address: string; hours: string };
  /** Empty strings are left out; `href` is absent when the value cannot be linked. */
  phone: { text: string; href?: string };
  email: { text: string; href?: string };
  address: string;
  hours: string;
  form?: ContactForm;
}

export type Section =
  | HeroSection
  | LogosSection
  | FeaturesSection
  | BenefitsSection
  | HowItWorksSection
  | TestimonialsSection
  | PricingSection
  | FaqSection
  | StatsSection
  | GallerySection
  | CtaSection
  | ContactSection;

export interface Footer {
  /** The HTML id, when the page has a footer section. Without one, the footer is only
   * `p.legal` with the business name (the rest is not read). */
  id?: string;
  sectionId?: string;
  business: string;
  tagline: string;
  /** The footer navigation's accessible name, in the page's language. */
  navLabel: string;
  links: Link[];
  legal: string;
}

/** What the document head says (the React export writes it into index.html, Next.js into `metadata`). */
export interface Meta {
  title: string;
  description: string;
  ogTitle: string;
  ogDescription: string;
  siteName: string;
  ogLocale?: string;
  ogImage?: string;
  canonical?: string;
  themeColor: string;
  /** The JSON-LD block, already escaped so it cannot close its script element. */
  jsonLd: string;
}

export interface PageData {
  lang: string;
  dir?: "rtl";
  meta: Meta;
  /** The skip link's text, in the page's language. */
  skipLabel: string;
  business: string;
  /** The header's call to action: the hero's primary one. */
  headerCta?: Link;
  sections: Section[];
  footer: Footer;
}
