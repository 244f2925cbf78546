//! The page: schema-versioned JSON that every stage reads and writes.
//!
//! page → theme tokens (from the brand kit), SEO/Open Graph metadata, and sections
//! `{id, type, variant, props}` whose types come from a fixed catalogue. Models write the
//! props; the types below are the contract they are validated against.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change to the page JSON.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub schema_version: u32,
    /// BCP 47 language tag, e.g. `en`, `fr-FR`.
    pub locale: String,
    pub theme: Theme,
    pub seo: Seo,
    pub sections: Vec<Section>,
    pub provenance: Provenance,
}

/// Design tokens; colours are `#RRGGBB`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub primary: String,
    pub accent: String,
    pub background: String,
    pub surface: String,
    pub text: String,
    pub muted_text: String,
    /// Text colour placed on `primary` (buttons, hero bands), chosen for contrast.
    pub on_primary: String,
    pub heading_font: String,
    pub body_font: String,
    /// Corner radius in px.
    pub radius: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Seo {
    /// `<title>`, at most 60 characters.
    pub title: String,
    /// Meta description, 50 to 160 characters.
    pub description: String,
    pub og_title: String,
    pub og_description: String,
    /// Where the page is published (the project's site URL): the canonical URL. Set by the
    /// platform, never by a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub canonical_url: Option<String>,
}

/// Where the page came from: the brief, the designs it drew on, the models that wrote it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub prompt: String,
    /// The project's name and description when the page was made: with the prompt, the
    /// sources its facts may come from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub project_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub project_description: String,
    pub design_ids: Vec<String>,
    /// `provider:model` of each agent that wrote part of the page, e.g. `layout=openai:gpt-4o`.
    pub models: Vec<String>,
}

/// One block of the page. `type` and `props` travel together: the props shape depends on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable within a page (`hero`, `features-1`); used to regenerate one section.
    pub id: String,
    pub variant: String,
    #[serde(flatten)]
    pub content: SectionContent,
    /// Where this section came from: the retrieved design and pattern it drew on, and the
    /// model that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SectionSource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSource {
    /// The retrieved design whose structure this section follows, if one has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_id: Option<String>,
    /// That design's pattern: `type:variant — purpose`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `provider:model` that wrote the copy.
    pub model: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "props", rename_all = "snake_case")]
pub enum SectionContent {
    Hero(HeroProps),
    Logos(LogosProps),
    Features(FeaturesProps),
    Benefits(BenefitsProps),
    HowItWorks(HowItWorksProps),
    Testimonials(TestimonialsProps),
    Pricing(PricingProps),
    Faq(FaqProps),
    Stats(StatsProps),
    Gallery(GalleryProps),
    Cta(CtaProps),
    Contact(ContactProps),
    Footer(FooterProps),
}

/// The fixed catalogue of section types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionType {
    Hero,
    Logos,
    Features,
    Benefits,
    HowItWorks,
    Testimonials,
    Pricing,
    Faq,
    Stats,
    Gallery,
    Cta,
    Contact,
    Footer,
}

impl SectionType {
    pub const ALL: [SectionType; 13] = [
        Self::Hero,
        Self::Logos,
        Self::Features,
        Self::Benefits,
        Self::HowItWorks,
        Self::Testimonials,
        Self::Pricing,
        Self::Faq,
        Self::Stats,
        Self::Gallery,
        Self::Cta,
        Self::Contact,
        Self::Footer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hero => "hero",
            Self::Logos => "logos",
            Self::Features => "features",
            Self::Benefits => "benefits",
            Self::HowItWorks => "how_it_works",
            Self::Testimonials => "testimonials",
            Self::Pricing => "pricing",
            Self::Faq => "faq",
            Self::Stats => "stats",
            Self::Gallery => "gallery",
            Self::Cta => "cta",
            Self::Contact => "contact",
            Self::Footer => "footer",
        }
    }

    /// The layout variants the renderer knows for this type.
    pub fn variants(self) -> &'static [&'static str] {
        match self {
            Self::Hero => &["split", "centered"],
            Self::Logos => &["row"],
            Self::Features => &["grid", "list"],
            Self::Benefits => &["alternating", "cards"],
            Self::HowItWorks => &["steps"],
            Self::Testimonials => &["cards", "spotlight"],
            Self::Pricing => &["tiers"],
            Self::Faq => &["accordion"],
            Self::Stats => &["band"],
            Self::Gallery => &["grid"],
            Self::Cta => &["band", "card"],
            Self::Contact => &["split"],
            Self::Footer => &["simple"],
        }
    }
}

impl SectionContent {
    pub fn section_type(&self) -> SectionType {
        match self {
            Self::Hero(_) => SectionType::Hero,
            Self::Logos(_) => SectionType::Logos,
            Self::Features(_) => SectionType::Features,
            Self::Benefits(_) => SectionType::Benefits,
            Self::HowItWorks(_) => SectionType::HowItWorks,
            Self::Testimonials(_) => SectionType::Testimonials,
            Self::Pricing(_) => SectionType::Pricing,
            Self::Faq(_) => SectionType::Faq,
            Self::Stats(_) => SectionType::Stats,
            Self::Gallery(_) => SectionType::Gallery,
            Self::Cta(_) => SectionType::Cta,
            Self::Contact(_) => SectionType::Contact,
            Self::Footer(_) => SectionType::Footer,
        }
    }
}

impl SectionContent {
    /// The section's image slots, in page order.
    pub fn image_slots(&self) -> Vec<&ImageSlot> {
        match self {
            Self::Hero(p) => p.image.iter().collect(),
            Self::Benefits(p) => p.image.iter().collect(),
            Self::Gallery(p) => p.images.iter().collect(),
            _ => Vec::new(),
        }
    }

    pub fn image_slots_mut(&mut self) -> Vec<&mut ImageSlot> {
        match self {
            Self::Hero(p) => p.image.iter_mut().collect(),
            Self::Benefits(p) => p.image.iter_mut().collect(),
            Self::Gallery(p) => p.images.iter_mut().collect(),
            _ => Vec::new(),
        }
    }
}

/// A call to action. `href` is `#anchor`, `https://…`, `mailto:` or `tel:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cta {
    pub label: String,
    pub href: String,
}

/// A picture the image stage will produce. Until then the renderer draws a themed placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSlot {
    /// Unique within the page, e.g. `hero-image`.
    pub id: String,
    /// Alternative text describing the picture for screen readers.
    pub alt: String,
    /// The image-prompt agent's brief for the image model.
    #[serde(default)]
    pub brief: String,
    /// Set by the image stage once the picture exists (an https URL or a site-relative path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// The optimized picture, set by the image stage (never by a model: it is not in the
    /// schema models answer to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub picture: Option<Picture>,
    /// Why the image stage left this slot without a picture; the page shows a themed
    /// placeholder and the brief stays, so the image can be made again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub failure: Option<String>,
}

/// An image in responsive widths on the CDN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Picture {
    /// The asset it was made as.
    pub asset_id: String,
    /// The widest width's size.
    pub width: u32,
    pub height: u32,
    /// WebP files, widest first.
    pub sources: Vec<PictureSource>,
    /// A blurred stand-in of a few hundred bytes (`data:image/webp;base64,…`), shown while
    /// the picture loads.
    pub placeholder: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PictureSource {
    /// Where a browser fetches it (the CDN on AWS, the local server locally).
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeroProps {
    /// Short line above the headline, e.g. the audience or the location.
    pub eyebrow: String,
    pub headline: String,
    pub subheadline: String,
    pub primary_cta: Cta,
    pub secondary_cta: Option<Cta>,
    pub image: Option<ImageSlot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogosProps {
    pub heading: String,
    /// Names shown as text wordmarks.
    pub names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub title: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturesProps {
    pub heading: String,
    pub intro: String,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitsProps {
    pub heading: String,
    pub items: Vec<Item>,
    pub image: Option<ImageSlot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HowItWorksProps {
    pub heading: String,
    pub steps: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Testimonial {
    pub quote: String,
    pub name: String,
    /// Who they are, e.g. "Owner, Rosa's Bakery".
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestimonialsProps {
    pub heading: String,
    pub items: Vec<Testimonial>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    /// Display price including currency, e.g. "$29" or "29 €".
    pub price: String,
    /// e.g. "per month"; empty for one-off prices.
    pub period: String,
    pub features: Vec<String>,
    pub cta: Cta,
    pub highlighted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingProps {
    pub heading: String,
    pub intro: String,
    pub plans: Vec<Plan>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub question: String,
    pub answer: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqProps {
    pub heading: String,
    pub items: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stat {
    /// e.g. "4.9/5", "12,000+".
    pub value: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsProps {
    pub heading: String,
    pub items: Vec<Stat>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GalleryProps {
    pub heading: String,
    pub images: Vec<ImageSlot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CtaProps {
    pub heading: String,
    pub body: String,
    pub cta: Cta,
}

/// How to reach the business: the details the brief gives, and a message form the platform
/// delivers to the project's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactProps {
    pub heading: String,
    pub intro: String,
    /// As the brief gives it; empty when it gives none.
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    /// Opening hours as the brief gives them.
    #[serde(default)]
    pub hours: String,
    pub form: Option<ContactForm>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactForm {
    /// Where the form posts: set by the platform when the page is stored, never by a model.
    #[serde(default)]
    #[schemars(skip)]
    pub action: String,
    pub intro: String,
    pub name_label: String,
    pub email_label: String,
    pub message_label: String,
    pub submit_label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FooterProps {
    pub business_name: String,
    pub tagline: String,
    pub links: Vec<Cta>,
    /// e.g. "© 2026 Rosa's Bakery. All rights reserved."
    pub legal: String,
}

/// What the quality gate found on a page: a score out of 100, whether it may be published,
/// and each finding with a stable code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"score": 97, "publishable": true, "findings": [{"code": "unfilled-slot", "severity": "warning", "section": "hero", "message": "image `hero-image` has no picture yet (a themed placeholder is shown)"}]}))]
pub struct Quality {
    pub score: u8,
    /// False when any finding blocks publishing; the version is kept either way.
    pub publishable: bool,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable: `contrast`, `h1-count`, `heading-order`, `cta-first-screen`, `img-alt`,
    /// `link-text`, `placeholder`, `unfilled-slot`, `unsupported-claim`, `cta-target`,
    /// `form-action`, `length`.
    pub code: String,
    pub severity: Severity,
    /// The section it is in, when it is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The page must not be published until it is fixed.
    Blocking,
    Warning,
}
