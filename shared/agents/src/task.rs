//! What agents ask models for, as typed data. Remote models read the same task as prose in
//! their prompts; the offline composer reads these types directly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use visions_designs::Design;
use visions_domain::page::{SectionType, Seo};
use visions_domain::project::BrandKit;
use visions_facts::BriefFacts;

/// The brief every agent works from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub prompt: String,
    /// BCP 47 language tag of the page to write.
    pub locale: String,
    pub project_name: String,
    pub project_description: String,
    pub brand: BrandKit,
    /// What the brief states, read once: the only facts a page may state.
    pub facts: BriefFacts,
    /// Which of the job's variants this is (from 0), and how many there are.
    #[serde(default)]
    pub variant: u8,
    #[serde(default = "one")]
    pub variants: u8,
}

fn one() -> u8 {
    1
}

impl Brief {
    /// A brief with its facts read from the prompt, the project and the brand kit.
    pub fn new(
        prompt: &str,
        locale: &str,
        project_name: &str,
        project_description: &str,
        brand: BrandKit,
    ) -> Self {
        let facts = visions_facts::extract(
            prompt,
            visions_facts::Context {
                project_name,
                project_description,
                brand_tone: brand.tone.as_deref(),
            },
        );
        Self {
            prompt: prompt.to_owned(),
            locale: locale.to_owned(),
            project_name: project_name.to_owned(),
            project_description: project_description.to_owned(),
            brand,
            facts,
            variant: 0,
            variants: 1,
        }
    }

    /// What choices are seeded by: the prompt, and the variant when it is not the first, so
    /// one brief always gives the same page and its variants differ.
    pub fn seed(&self) -> String {
        if self.variant == 0 {
            self.prompt.clone()
        } else {
            format!("{}\u{1f}variant {}", self.prompt, self.variant)
        }
    }

    /// Reads the facts from `text` instead of the prompt (a regeneration's prompt is an
    /// instruction; its facts are the original brief's).
    pub fn read_facts(&mut self, text: &str) {
        self.facts = visions_facts::extract(
            text,
            visions_facts::Context {
                project_name: &self.project_name,
                project_description: &self.project_description,
                brand_tone: self.brand.tone.as_deref(),
            },
        );
    }
}

/// The layout agent's answer: which sections, in which order, and the page's metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutPlan {
    /// The business or product name the page is for, as the brief spells it.
    pub business_name: String,
    pub seo: Seo,
    pub sections: Vec<PlannedSection>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedSection {
    /// Lower-case slug, unique in the page, e.g. `hero`, `features`, `faq`.
    pub id: String,
    #[serde(rename = "type")]
    pub section_type: SectionType,
    /// One of the variants the catalogue lists for this type.
    pub variant: String,
    /// What this section must achieve for this business, one sentence.
    pub purpose: String,
}

/// Images in a gallery the plan asks for.
pub const GALLERY_IMAGES: usize = 3;

impl PlannedSection {
    /// The image slots this section will have; their ids are fixed by the plan.
    pub fn image_slot_ids(&self) -> Vec<String> {
        match (self.section_type, self.variant.as_str()) {
            (SectionType::Hero, "split") => vec!["hero-image".into()],
            (SectionType::Benefits, "alternating") => vec!["benefits-image".into()],
            (SectionType::Gallery, _) => (1..=GALLERY_IMAGES)
                .map(|n| format!("gallery-{n}"))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One image slot waiting for a brief.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlotRequest {
    pub slot_id: String,
    pub section_type: SectionType,
    pub alt: String,
}

/// The image-prompt agent's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageBriefs {
    pub briefs: Vec<ImageBrief>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageBrief {
    pub slot_id: String,
    /// A prompt for an image model: subject, composition, light, style; no text in the image.
    pub brief: String,
}

/// A task for a model, tagged by the agent that asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "agent", rename_all = "snake_case")]
pub enum AgentTask {
    Layout {
        brief: Brief,
        designs: Vec<Design>,
    },
    Copy {
        brief: Brief,
        business_name: String,
        section: PlannedSection,
        /// The ids of every section on the page, in order: in-page links may name only these.
        page_sections: Vec<String>,
        designs: Vec<Design>,
    },
    ImagePrompts {
        brief: Brief,
        business_name: String,
        slots: Vec<SlotRequest>,
    },
}
