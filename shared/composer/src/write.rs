//! The composer's answers: a layout plan, the props of one section, image briefs. Choices are
//! seeded by the brief, so one brief always gives the same page and two briefs differ.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use super::facts::Facts;
use super::phrasebook::{Vars, all, capitalize, pick, pick_using, shuffled_pairs, variants};
use visions_agents::task::{ImageBrief, ImageBriefs, LayoutPlan, PlannedSection, SlotRequest};
use visions_designs::Design;
use visions_domain::page::*;

pub fn rng(seed: &str, salt: &str) -> fastrand::Rng {
    let mut hasher = DefaultHasher::new();
    seed.hash(&mut hasher);
    salt.hash(&mut hasher);
    fastrand::Rng::with_seed(hasher.finish())
}

fn vars(facts: &Facts) -> Vars {
    let mut vars = Vars::default();
    vars.set("business", &facts.business)
        .set("offer", &facts.offer)
        .set("audience", &facts.audience)
        .set("city", facts.city.clone().unwrap_or_default())
        .set("goal", &facts.goal)
        .set("keyword", facts.keyword(0))
        .set("keyword2", facts.keyword(1))
        .set("keyword3", facts.keyword(2))
        .set("tone", facts.tone.clone().unwrap_or_default())
        .set("year", time::OffsetDateTime::now_utc().year().to_string());
    vars
}

fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max_chars {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim_end_matches([',', ';', ':', '—', '-'])
        .trim()
        .to_owned()
}

/// The `i`-th of a shuffle seeded by `seed`: calls with the same seed share one order, so
/// the items of one list never repeat a variant.
fn distinct(lang: &str, key: &str, seed: u64, vars: &Vars, i: usize) -> String {
    let mut filled = all(lang, key, vars);
    fastrand::Rng::with_seed(seed).shuffle(&mut filled);
    filled
        .get(i % filled.len().max(1))
        .map(|s| capitalize(s))
        .unwrap_or_default()
}

/// "Including a, b and c." — every concrete thing the brief named, in one line.
fn including(lang: &str, keywords: &[String]) -> String {
    let (lead, and) = match lang {
        "fr" => ("Notamment :", "et"),
        "de" => ("Darunter:", "und"),
        "es" => ("Incluye:", "y"),
        _ => ("Including", "and"),
    };
    let mut unique: Vec<&String> = Vec::new();
    for keyword in keywords {
        if !unique.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
            unique.push(keyword);
        }
    }
    let list = match unique.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!(
            "{} {and} {last}",
            rest.iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => return String::new(),
    };
    format!("{lead} {list}.")
}

/// A call-to-action label from the goal: a few words, starting with the verb.
/// A section type's first variant, its default.
fn default_variant(section_type: SectionType) -> String {
    section_type
        .variants()
        .first()
        .copied()
        .unwrap_or_default()
        .to_owned()
}

fn goal_label(facts: &Facts) -> String {
    let words: Vec<&str> = facts.goal.split_whitespace().collect();
    let cut = words
        .iter()
        .position(|w| ["and", "et", "und", "y"].contains(w))
        .unwrap_or(words.len());
    let kept = words
        .get(..cut.clamp(1, 5).min(words.len()))
        .unwrap_or_default();
    capitalize(&kept.join(" "))
}

pub fn layout(seed: &str, facts: &Facts, designs: &[Design]) -> LayoutPlan {
    let mut rng = rng(seed, "layout");
    let vars = vars(facts);
    let lang = facts.lang;
    let design = designs.first();
    let planned: Vec<(SectionType, String, String)> = match design {
        Some(design) => design
            .sections
            .iter()
            .map(|s| (s.section_type, s.variant.clone(), s.purpose.clone()))
            .collect(),
        None => [
            SectionType::Hero,
            SectionType::Features,
            SectionType::HowItWorks,
            SectionType::Testimonials,
            SectionType::Faq,
            SectionType::Cta,
            SectionType::Footer,
        ]
        .into_iter()
        .map(|t| (t, default_variant(t), String::new()))
        .collect(),
    };
    // Every composed page lists what the brief named, in a features section.
    let mut planned = planned;
    if !planned.iter().any(|(t, _, _)| *t == SectionType::Features) {
        let purpose = "Name every concrete thing the brief offers, each with the benefit it brings"
            .to_owned();
        planned.insert(
            1.min(planned.len()),
            (SectionType::Features, "grid".into(), purpose),
        );
    }
    let mut seen = std::collections::HashMap::new();
    let sections = planned
        .into_iter()
        .map(|(section_type, variant, purpose)| {
            let count = seen.entry(section_type).or_insert(0);
            *count += 1;
            let id = if *count == 1 {
                section_type.as_str().replace('_', "-")
            } else {
                format!("{}-{count}", section_type.as_str().replace('_', "-"))
            };
            // The brief's own design choice wins over the design's where the catalogue allows it.
            let variant = if section_type.variants().contains(&variant.as_str()) {
                variant
            } else {
                default_variant(section_type)
            };
            PlannedSection {
                id,
                section_type,
                variant,
                purpose,
            }
        })
        .collect();
    let title = truncate_words(&pick(lang, "seo.title", &mut rng, &vars), 60);
    let description = truncate_words(
        &pick_using(lang, "seo.description", "city", &mut rng, &vars),
        160,
    );
    LayoutPlan {
        business_name: facts.business.clone(),
        seo: Seo {
            og_title: title.clone(),
            og_description: description.clone(),
            title,
            description,
        },
        sections,
    }
}

fn image(id: &str, alt: String) -> ImageSlot {
    ImageSlot {
        id: id.to_owned(),
        alt,
        brief: String::new(),
        src: None,
    }
}

/// `count` items, each built around the next keyword from `offset`, so sections name
/// different things; each item uses a different title/body pair of the phrasebook.
fn items(
    lang: &str,
    prefix: &str,
    rng: &mut fastrand::Rng,
    vars: &Vars,
    facts: &Facts,
    count: usize,
    offset: usize,
) -> Vec<Item> {
    let keys = (
        format!("{prefix}.item_title"),
        format!("{prefix}.item_body"),
    );
    let order: Vec<usize> = {
        let mut order: Vec<usize> = (0..variants(lang, &keys.0).len()).collect();
        rng.shuffle(&mut order);
        order
    };
    (0..count)
        .filter_map(|i| {
            let keyword = facts.keyword(offset + i);
            let v = vars.with("keyword", keyword);
            // Try variants from this item's slot onward until one fills.
            order
                .iter()
                .cycle()
                .skip(i)
                .take(order.len())
                .find_map(|&k| {
                    let title = v.fill_variant(lang, &keys.0, k)?;
                    let body = v.fill_variant(lang, &keys.1, k)?;
                    Some(Item {
                        title: capitalize(&title),
                        body: capitalize(&body),
                    })
                })
        })
        .collect()
}

/// The props of one section, as JSON in the shape the copy schema asks for.
pub fn section(seed: &str, facts: &Facts, section: &PlannedSection) -> Value {
    let mut rng = rng(seed, &section.id);
    let vars = vars(facts);
    let lang = facts.lang;
    let label = goal_label(facts);
    let cta = |label: String| Cta {
        label,
        href: "#contact".into(),
    };
    let content = match section.section_type {
        SectionType::Hero => SectionContent::Hero(HeroProps {
            eyebrow: pick_using(lang, "hero.eyebrow", "city", &mut rng, &vars),
            headline: pick(lang, "hero.headline", &mut rng, &vars),
            subheadline: pick(lang, "hero.subheadline", &mut rng, &vars),
            primary_cta: cta(label),
            secondary_cta: Some(Cta {
                label: pick(lang, "hero.secondary_cta", &mut rng, &vars),
                href: "#how-it-works".into(),
            }),
            image: (section.variant == "split")
                .then(|| image("hero-image", pick(lang, "hero.image_alt", &mut rng, &vars))),
        }),
        SectionType::Logos => {
            let mut names = all(lang, "logos.names", &vars);
            rng.shuffle(&mut names);
            names.truncate(5);
            SectionContent::Logos(LogosProps {
                heading: pick(lang, "logos.heading", &mut rng, &vars),
                names,
            })
        }
        SectionType::Features => {
            let count = if section.variant == "list" { 4 } else { 3 };
            SectionContent::Features(FeaturesProps {
                heading: pick(lang, "features.heading", &mut rng, &vars),
                intro: format!(
                    "{} {}",
                    pick(lang, "features.intro", &mut rng, &vars),
                    including(lang, &facts.keywords)
                ),
                items: items(lang, "features", &mut rng, &vars, facts, count, 0),
            })
        }
        SectionType::Benefits => SectionContent::Benefits(BenefitsProps {
            heading: pick(lang, "benefits.heading", &mut rng, &vars),
            items: items(lang, "benefits", &mut rng, &vars, facts, 3, 3),
            image: (section.variant == "alternating").then(|| {
                image(
                    "benefits-image",
                    pick(lang, "benefits.image_alt", &mut rng, &vars),
                )
            }),
        }),
        SectionType::HowItWorks => SectionContent::HowItWorks(HowItWorksProps {
            heading: pick(lang, "how.heading", &mut rng, &vars),
            steps: (1..=3)
                .filter_map(|n| {
                    shuffled_pairs(
                        lang,
                        (&format!("how.step{n}_title"), &format!("how.step{n}_body")),
                        &mut rng,
                        &vars,
                    )
                    .into_iter()
                    .next()
                })
                .map(|(title, body)| Item { title, body })
                .collect(),
        }),
        SectionType::Testimonials => {
            let mut first = all(lang, "testimonials.first_names", &vars);
            let initials = all(lang, "testimonials.last_initials", &vars);
            rng.shuffle(&mut first);
            let (quote_seed, role_seed) = (rng.u64(..), rng.u64(..));
            SectionContent::Testimonials(TestimonialsProps {
                heading: pick(lang, "testimonials.heading", &mut rng, &vars),
                items: (0..3)
                    .map(|i| {
                        let v = vars.with("keyword", facts.keyword(i + 1).to_owned());
                        let initial = initials
                            .get(rng.usize(..initials.len().max(1)))
                            .cloned()
                            .unwrap_or_default();
                        Testimonial {
                            quote: distinct(lang, "testimonials.quote", quote_seed, &v, i),
                            name: format!(
                                "{} {initial}",
                                first.get(i).cloned().unwrap_or_default()
                            )
                            .trim()
                            .to_owned(),
                            role: distinct(lang, "testimonials.role", role_seed, &v, i),
                        }
                    })
                    .collect(),
            })
        }
        SectionType::Pricing => {
            let names_line = pick(lang, "pricing.plan_names", &mut rng, &vars);
            let names: Vec<&str> = names_line.split('|').map(str::trim).collect();
            let base = 19 + rng.u32(0..4) * 10;
            let period = pick(lang, "pricing.period", &mut rng, &vars).to_lowercase();
            SectionContent::Pricing(PricingProps {
                heading: pick(lang, "pricing.heading", &mut rng, &vars),
                intro: pick(lang, "pricing.intro", &mut rng, &vars),
                plans: names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| Plan {
                        name: capitalize(name),
                        price: format!("${}", base * (i as u32 * 2 + 1)),
                        period: period.clone(),
                        features: (0..=i + 1)
                            .map(|k| {
                                pick(
                                    lang,
                                    "pricing.feature",
                                    &mut rng,
                                    &vars.with("keyword", facts.keyword(k).to_owned()),
                                )
                            })
                            .collect(),
                        cta: cta(pick(
                            lang,
                            "pricing.cta",
                            &mut rng,
                            &vars.with("plan", capitalize(name)),
                        )),
                        highlighted: i == 1,
                    })
                    .collect(),
            })
        }
        SectionType::Faq => SectionContent::Faq(FaqProps {
            heading: pick(lang, "faq.heading", &mut rng, &vars),
            items: (1..=6)
                .filter_map(|n| {
                    shuffled_pairs(
                        lang,
                        (&format!("faq.q{n}"), &format!("faq.a{n}")),
                        &mut rng,
                        &vars,
                    )
                    .into_iter()
                    .next()
                })
                .map(|(question, answer)| Question { question, answer })
                .collect(),
        }),
        SectionType::Stats => {
            let mut pairs = all(lang, "stats.items", &vars);
            rng.shuffle(&mut pairs);
            SectionContent::Stats(StatsProps {
                heading: pick(lang, "stats.heading", &mut rng, &vars),
                items: pairs
                    .iter()
                    .filter_map(|p| p.split_once('|'))
                    .take(3)
                    .map(|(value, label)| Stat {
                        value: value.trim().into(),
                        label: capitalize(label.trim()),
                    })
                    .collect(),
            })
        }
        SectionType::Gallery => {
            let alts = all(lang, "gallery.image_alt", &vars);
            SectionContent::Gallery(GalleryProps {
                heading: pick(lang, "gallery.heading", &mut rng, &vars),
                images: (0..3)
                    .map(|i| {
                        let v = vars.with("keyword", facts.keyword(i).to_owned());
                        let alt = all(lang, "gallery.image_alt", &v)
                            .get(i % alts.len().max(1))
                            .cloned()
                            .map(|a| capitalize(&a))
                            .unwrap_or_default();
                        image(&format!("gallery-{}", i + 1), alt)
                    })
                    .collect(),
            })
        }
        SectionType::Cta => SectionContent::Cta(CtaProps {
            heading: pick(lang, "cta.heading", &mut rng, &vars),
            body: pick(lang, "cta.body", &mut rng, &vars),
            cta: cta(label),
        }),
        SectionType::Footer => {
            let links = pick(lang, "footer.links", &mut rng, &vars);
            SectionContent::Footer(FooterProps {
                business_name: facts.business.clone(),
                tagline: pick(lang, "footer.tagline", &mut rng, &vars),
                links: links
                    .split('|')
                    .map(|label| Cta {
                        label: capitalize(label.trim()),
                        href: format!("#{}", slug(label)),
                    })
                    .collect(),
                legal: pick(lang, "footer.legal", &mut rng, &vars),
            })
        }
    };
    props_json(&content)
}

fn slug(text: &str) -> String {
    let slug: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    slug.trim_matches('-').to_owned()
}

/// Just the `props` of a section, as a model would answer.
fn props_json(content: &SectionContent) -> Value {
    let tagged = serde_json::to_value(content).expect("section content serializes");
    tagged.get("props").cloned().unwrap_or(json!({}))
}

pub fn image_briefs(seed: &str, facts: &Facts, slots: &[SlotRequest]) -> ImageBriefs {
    let mut rng = rng(seed, "images");
    let vars = vars(facts);
    ImageBriefs {
        briefs: slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                // What the picture shows, from the brief's facts rather than the slot's purpose.
                let subject = match slot.section_type {
                    SectionType::Hero => format!("{} at {}", facts.offer, facts.business),
                    _ => facts.keyword(i).to_owned(),
                };
                let vars = vars.with("subject", subject);
                ImageBrief {
                    slot_id: slot.slot_id.clone(),
                    brief: pick("en", "image.brief", &mut rng, &vars),
                }
            })
            .collect(),
    }
}
