//! A design record: one high-converting landing-page pattern, in the shape of
//! `corpus/design.schema.json`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use visions_domain::page::SectionType;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "dental-teeth-whitening-offer",
    "name": "Teeth whitening offer",
    "industry": "dental",
    "audience": "adults planning for an event who want whiter teeth safely and quickly",
    "conversion_goal": "book_appointment",
    "languages": ["en"],
    "section_sequence": ["hero", "benefits", "how_it_works", "testimonials", "pricing", "faq", "cta", "footer"],
    "hero": {
        "headline_formula": "[Result] in [time frame], done by a dentist",
        "subhead": "Says who performs it and what the first visit includes",
        "primary_cta": "Book a whitening consultation",
        "secondary_cta": null
    },
    "proof_elements": ["before/after photos with the patient's consent", "reviews as the platform displays them"],
    "offer_pattern": "One published price per treatment, with what it includes",
    "palette": {"primary": "#0E7490", "accent": "#F59E0B", "background": "#FFFFFF", "text": "#0F172A", "mood": "clean, clinical, warm"},
    "typography": {"headings": "Inter 700", "body": "Inter 400", "scale": "1.25; 18px body"},
    "layout_notes": "Booking button in the hero and again after the price; the steps show the visit in order",
    "why_it_converts": "It answers safety, price and timing before the visitor has to ask, so booking feels low-risk.",
    "keywords": ["teeth whitening", "dentist", "smile", "blanchiment dentaire", "zahnaufhellung", "blanqueamiento dental", "cosmetic dentistry", "whitening", "dental", "smile makeover"]
}))]
pub struct Design {
    pub id: String,
    pub name: String,
    /// One of the schema's industries (`saas`, `dental`, `bakery_food_shop`, …).
    pub industry: String,
    /// Who lands on the page and in what state of mind.
    pub audience: String,
    /// The single action the page is built for (`start_trial`, `reserve_table`, …).
    pub conversion_goal: String,
    /// BCP 47 tags of the languages the pattern's copy fits.
    pub languages: Vec<String>,
    /// Section types from top to bottom, from the design catalogue.
    pub section_sequence: Vec<String>,
    pub hero: Hero,
    /// Kinds of proof the page shows, never measurements.
    pub proof_elements: Vec<String>,
    pub offer_pattern: String,
    pub palette: Palette,
    pub typography: Typography,
    pub layout_notes: String,
    pub why_it_converts: String,
    pub keywords: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hero {
    /// The headline as a formula with `[bracketed]` slots.
    pub headline_formula: String,
    pub subhead: String,
    pub primary_cta: String,
    pub secondary_cta: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    pub primary: String,
    pub accent: String,
    pub background: String,
    pub text: String,
    pub mood: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Typography {
    pub headings: String,
    pub body: String,
    pub scale: String,
}

/// A section of a design as the page catalogue knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignSection {
    pub section_type: SectionType,
    pub variant: String,
    /// What the section does in this design.
    pub purpose: String,
}

impl Design {
    /// The text an embedder sees for this design ([`crate::search_text::search_text`]).
    pub fn search_text(&self) -> String {
        let keywords: Vec<&str> = self.keywords.iter().map(String::as_str).collect();
        crate::search_text::search_text(
            &self.name,
            &self.industry,
            &self.conversion_goal,
            &self.audience,
            &keywords,
        )
    }

    /// The conversion goal in words ("start trial").
    pub fn goal_words(&self) -> String {
        self.conversion_goal.replace('_', " ")
    }

    /// The sections in the page catalogue's terms. Design sections the catalogue has no type
    /// for take the closest one (a menu or services list is a features list, a booking
    /// section is the contact section, a newsletter sign-up a call to action); a team
    /// section has no counterpart and is left out.
    pub fn sections(&self) -> Vec<DesignSection> {
        let mut out: Vec<DesignSection> = Vec::new();
        for name in &self.section_sequence {
            let (section_type, variant) = match name.as_str() {
                "hero" if self.layout_notes.to_lowercase().contains("split") => {
                    (SectionType::Hero, "split")
                }
                "hero" => (SectionType::Hero, "centered"),
                "features" => (SectionType::Features, "grid"),
                "menu" | "services" | "comparison" => (SectionType::Features, "list"),
                "benefits" => (SectionType::Benefits, "alternating"),
                "how_it_works" => (SectionType::HowItWorks, "steps"),
                "testimonials" => (SectionType::Testimonials, "cards"),
                "logos" => (SectionType::Logos, "row"),
                "stats" => (SectionType::Stats, "band"),
                "pricing" => (SectionType::Pricing, "tiers"),
                "faq" => (SectionType::Faq, "accordion"),
                "cta" | "newsletter" => (SectionType::Cta, "band"),
                "gallery" => (SectionType::Gallery, "grid"),
                "contact" | "booking" => (SectionType::Contact, "split"),
                "footer" => (SectionType::Footer, "simple"),
                _ => continue,
            };
            if out.iter().any(|s| s.section_type == section_type) {
                continue;
            }
            out.push(DesignSection {
                section_type,
                variant: variant.to_owned(),
                purpose: fit(&self.purpose(name), MAX_PURPOSE_CHARS),
            });
        }
        out
    }

    fn purpose(&self, section: &str) -> String {
        match section {
            "hero" => {
                let secondary = self
                    .hero
                    .secondary_cta
                    .as_deref()
                    .map(|s| format!(", secondary \"{s}\""))
                    .unwrap_or_default();
                format!(
                    "Headline on the formula \"{}\"; the subheadline {}; primary call to action \"{}\"{secondary}",
                    self.hero.headline_formula,
                    lower_first(&self.hero.subhead),
                    self.hero.primary_cta
                )
            }
            "testimonials" | "logos" | "stats" => format!(
                "Proof of the kinds this design uses, only where the brief gives it: {}",
                self.proof_elements.join("; ")
            ),
            "pricing" => format!("Present the offer and prices as: {}", self.offer_pattern),
            "menu" => "The menu: dishes or products by course or kind, each with what makes it worth ordering".into(),
            "services" => "The services, each with what it includes and who it suits".into(),
            "comparison" => "How the offer compares with the usual alternatives, point by point".into(),
            "booking" => format!("Let the visitor {} without leaving the page", self.goal_words()),
            "newsletter" => "Invite the visitor to join the list, saying what they will receive".into(),
            other => format!(
                "The {} of a page built to get visitors to {}",
                other.replace('_', " "),
                self.goal_words()
            ),
        }
    }

    /// What the design's mechanism teaches a writer: why it converts, how it is laid out,
    /// which proof it relies on.
    pub fn principles(&self) -> Vec<String> {
        vec![
            self.why_it_converts.clone(),
            self.layout_notes.clone(),
            format!("Proof: {}", self.proof_elements.join("; ")),
            format!("Offer: {}", self.offer_pattern),
        ]
    }

    /// The business the design was taken from, in plain English ("bakery", "dental practice").
    pub fn industry_label(&self) -> &'static str {
        industry_label(&self.industry)
    }
}

/// Plain English for each of the schema's industries.
pub fn industry_label(industry: &str) -> &'static str {
    match industry {
        "saas" => "software",
        "b2b_services" => "business services",
        "ecommerce" => "online shop",
        "d2c_subscription" => "subscription box",
        "local_services" => "local service",
        "restaurant" => "restaurant",
        "cafe_coffee" => "café",
        "bakery_food_shop" => "bakery",
        "dental" => "dental practice",
        "medical_clinic" => "clinic",
        "physiotherapy" => "physiotherapy",
        "mobile_app" => "app",
        "events" => "event",
        "conference" => "conference",
        "course" | "online_education" => "course",
        "nonprofit" => "charity",
        "real_estate" => "real estate agency",
        "fitness" => "gym",
        "yoga" => "yoga studio",
        "fintech" => "financial service",
        "accounting" => "accounting firm",
        "travel_tours" => "tour",
        "hotel" => "hotel",
        "trades" => "trade service",
        "legal" => "law firm",
        "beauty_spa" => "beauty salon",
        "photography" => "photography studio",
        "wedding" => "wedding service",
        "pet_care" => "pet care",
        "automotive" => "garage",
        "agency" => "agency",
        "coworking" => "coworking space",
        "music_lessons" => "music school",
        "childcare" => "childcare",
        "cleaning" => "cleaning service",
        _ => "business",
    }
}

/// A planned section's purpose is at most 400 characters (the layout plan's rule).
const MAX_PURPOSE_CHARS: usize = 400;

/// `text` cut at a word boundary to at most `max` characters, with an ellipsis when cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = head
        .rfind(' ')
        .map_or(head.as_str(), |at| head.get(..at).unwrap_or(&head));
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
