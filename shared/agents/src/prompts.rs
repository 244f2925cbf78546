//! What the agents say to models: system prompts with the retrieved designs, the brief as the
//! user turn, and the JSON Schema of the expected answer.

use schemars::schema_for;
use serde_json::{Value, json};

use super::rules;
use super::task::{AgentTask, Brief, ImageBriefs, LayoutPlan, PlannedSection, SlotRequest};
use visions_designs::Design;
use visions_domain::page::*;
use visions_llm::{CompletionRequest, Message, Role};

fn schema_value(schema: schemars::Schema) -> Value {
    serde_json::to_value(schema).expect("schemas serialize")
}

/// A type's schema with every subschema inlined, so each rule can be put where it applies.
fn inline_schema<T: schemars::JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    schema_value(generator.into_root_schema_for::<T>())
}

/// The props schema of a section type, with the rules table's limits in it.
pub fn props_schema(section_type: SectionType) -> Value {
    let schema = match section_type {
        SectionType::Hero => inline_schema::<HeroProps>(),
        SectionType::Logos => inline_schema::<LogosProps>(),
        SectionType::Features => inline_schema::<FeaturesProps>(),
        SectionType::Benefits => inline_schema::<BenefitsProps>(),
        SectionType::HowItWorks => inline_schema::<HowItWorksProps>(),
        SectionType::Testimonials => inline_schema::<TestimonialsProps>(),
        SectionType::Pricing => inline_schema::<PricingProps>(),
        SectionType::Faq => inline_schema::<FaqProps>(),
        SectionType::Stats => inline_schema::<StatsProps>(),
        SectionType::Gallery => inline_schema::<GalleryProps>(),
        SectionType::Cta => inline_schema::<CtaProps>(),
        SectionType::Contact => inline_schema::<ContactProps>(),
        SectionType::Footer => inline_schema::<FooterProps>(),
    };
    rules::constrain(
        schema,
        rules::text_rules(section_type),
        rules::count_rules(section_type),
    )
}

/// The designs as the system prompt shows them: structure and principles, compact.
fn designs_block(designs: &[Design]) -> String {
    let compact: Vec<Value> = designs
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "name": d.name, "goal": d.goal_words(), "audience": d.audience, "mood": d.palette.mood,
                "sections": d.sections().iter().map(|s| format!("{}:{} — {}", s.section_type.as_str(), s.variant, s.purpose)).collect::<Vec<_>>(),
                "principles": d.principles(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&compact).expect("designs serialize")
}

fn catalogue() -> String {
    SectionType::ALL
        .iter()
        .map(|t| format!("- {} (variants: {})", t.as_str(), t.variants().join(", ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn brief_message(brief: &Brief) -> Message {
    let brand = serde_json::to_string(&brief.brand).unwrap_or_default();
    let facts = serde_json::to_string_pretty(&brief.facts).unwrap_or_default();
    Message {
        role: Role::User,
        content: format!(
            "Brief:\n{}\n\nProject: {}\n{}\nBrand kit: {brand}\n\nFacts read from the brief (the only prices, figures, ratings, quotes, names, links, phone numbers and emails the page may state):\n{facts}\n\nWrite in the language of locale `{}`.{}",
            brief.prompt,
            brief.project_name,
            brief.project_description,
            brief.locale,
            if brief.variants > 1 {
                format!(
                    "\nThis is variant {} of {} of this page: give it its own section plan and headline, clearly different from the other variants'.",
                    brief.variant + 1,
                    brief.variants
                )
            } else {
                String::new()
            }
        ),
    }
}

const RULES: &str = "Write like a senior conversion copywriter: specific to this business (its name, offer, audience, place, \
tone), concrete benefits, short sentences, no clichés (revolutionize, unlock, seamless, cutting-edge, elevate), no placeholder \
text, no lorem ipsum. State only facts the brief gives: every price, number, statistic, rating, quote, person's or \
organisation's name, award, guarantee, policy and link must come from the brief or its facts, word for word; where the brief gives \
none, say nothing of the kind (no invented testimonials, client logos, prices, figures or promises such as response times or \
refunds). Button and link labels describe their action (never \"Learn more\", \"Click here\", \"Read more\"). Links are \
`#section-id` of a section on this page, or the brief's own `https://…` links, `mailto:` its emails and `tel:` its phone numbers. \
Plain text only: no HTML, no Markdown. Answer with JSON that matches the schema exactly, nothing else.";

pub fn layout(brief: &Brief, designs: &[Design], task: AgentTask) -> CompletionRequest {
    let system = format!(
        "You are the layout agent of Visions AI. You plan a high-converting landing page: which sections, in which order, which \
variant, and what each must achieve, plus the page's SEO title (at most 60 characters) and meta description (120 to 160 characters).\n\n\
Start with `hero` and end with `footer`; include exactly one `cta` near the end and one `contact` right before the footer; 6 to 10 \
sections; ids are lower-case slugs, unique. Plan sections only for facts the brief gives: `testimonials` only with its quotes, \
`pricing` only with its prices, `stats` only with two or more of its figures (ratings, customer counts), `logos` only with clients \
it names, `faq` only with questions its facts answer. Use only this catalogue:\n{}\n\nThe three designs from our index of high-converting pages closest to this brief — borrow their \
structure and principles where they fit this business:\n{}\n\nEvery field's limits:\n{}\n\n{RULES}",
        catalogue(),
        designs_block(designs),
        rules::describe(rules::LAYOUT_TEXT, rules::LAYOUT_COUNTS),
    );
    CompletionRequest {
        system,
        messages: vec![brief_message(brief)],
        schema_name: "layout_plan".into(),
        schema: rules::constrain(
            inline_schema::<LayoutPlan>(),
            rules::LAYOUT_TEXT,
            rules::LAYOUT_COUNTS,
        ),
        max_output_tokens: 2000,
        temperature: 0.4,
        task: serde_json::to_value(task).expect("tasks serialize"),
    }
}

pub fn copy(
    brief: &Brief,
    business_name: &str,
    section: &PlannedSection,
    page_sections: &[String],
    designs: &[Design],
    task: AgentTask,
) -> CompletionRequest {
    let targets = brief
        .facts
        .actions()
        .iter()
        .map(|a| format!("{} ({})", a.href, a.kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let principles: Vec<String> = designs
        .iter()
        .map(|d| {
            format!(
                "{} ({}): hero \"{}\" with \"{}\"; proof of these kinds only where the facts give it: {}; {}",
                d.name,
                d.id,
                d.hero.headline_formula,
                d.hero.primary_cta,
                d.proof_elements.join("; "),
                d.why_it_converts
            )
        })
        .collect();
    let system = format!(
        "You are the copywriting agent of Visions AI. Write the content of one section of the landing page for {business_name}.\n\
Section: `{}` (variant `{}`), id `{}`. Its job: {}\n\nThe designs from our index of high-converting pages closest to this brief (patterns to follow, never facts to state):\n{}\n\n\
{}\n\
The sections on this page, in order: {}. In-page links may name only these, and a section's button never points at its own \
section. Calls to action go, best first, to: {targets}; say in the copy what happens after the click.\n\
Every field's limits:\n{}\n{RULES}",
        section.section_type.as_str(),
        section.variant,
        section.id,
        section.purpose,
        principles
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n"),
        image_instructions(section),
        page_sections.join(", "),
        rules::describe(
            rules::text_rules(section.section_type),
            rules::count_rules(section.section_type)
        ),
    );
    CompletionRequest {
        system,
        messages: vec![brief_message(brief)],
        schema_name: format!("{}_props", section.section_type.as_str()),
        schema: props_schema(section.section_type),
        max_output_tokens: 1500,
        temperature: 0.7,
        task: serde_json::to_value(task).expect("tasks serialize"),
    }
}

fn image_instructions(section: &PlannedSection) -> String {
    let ids = section.image_slot_ids();
    if ids.is_empty() {
        return "This section has no image: leave every image field null.".into();
    }
    format!(
        "Images: exactly {} with the ids {}, each with an `alt` text that describes the picture for a screen reader and an empty `brief`.",
        ids.len(),
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn image_prompts(
    brief: &Brief,
    business_name: &str,
    slots: &[SlotRequest],
    task: AgentTask,
) -> CompletionRequest {
    let slots_text: Vec<String> = slots
        .iter()
        .map(|s| format!("- {} ({}): {}", s.slot_id, s.section_type.as_str(), s.alt))
        .collect();
    let system = format!(
        "You are the image-prompt agent of Visions AI. For each image slot on {business_name}'s landing page, write one brief for an \
image model: subject, setting, composition, lighting, style and mood that fit the brand; photographic unless the brand says \
otherwise; no text, logos or watermarks in the image; at most 60 words each. Slots:\n{}\n\nAnswer with JSON that matches the schema, \
one brief per slot id, nothing else.",
        slots_text.join("\n")
    );
    CompletionRequest {
        system,
        messages: vec![brief_message(brief)],
        schema_name: "image_briefs".into(),
        schema: schema_value(schema_for!(ImageBriefs)),
        max_output_tokens: 1200,
        temperature: 0.6,
        task: serde_json::to_value(task).expect("tasks serialize"),
    }
}

pub fn repair(problems: &[String]) -> String {
    format!(
        "Your answer cannot be used as it is:\n{}\nAnswer again with the whole corrected JSON, matching the schema exactly, nothing else.",
        problems
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}
