//! The composer's answers: a layout plan, the props of one section, image briefs. Choices are
//! seeded by the brief, so one brief always gives the same page and two briefs differ.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use std::sync::LazyLock;

use regex::Regex;

use super::facts::Facts;
use super::phrasebook::{Vars, all, capitalize, pick, pick_using, shuffled_pairs, variants};
use visions_agents::task::{ImageBrief, ImageBriefs, LayoutPlan, PlannedSection, SlotRequest};
use visions_designs::Design;
use visions_domain::page::*;
use visions_facts::{Action, ActionKind, BriefFacts, Price, ProofKind};

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
        .set("tone", facts.tone.clone().unwrap_or_default())
        .set("year", time::OffsetDateTime::now_utc().year().to_string());
    // A second and third thing only when the brief names that many: "X, including X and X"
    // reads as a machine wrote it.
    let mut distinct: Vec<&str> = Vec::new();
    for keyword in &facts.keywords {
        let said = distinct.iter().any(|k| k.eq_ignore_ascii_case(keyword))
            // "Two-day conference, including the venue and two-day conference."
            || !distinct.is_empty() && keyword.eq_ignore_ascii_case(&facts.offer);
        if !said {
            distinct.push(keyword);
        }
    }
    for (name, keyword) in ["keyword2", "keyword3"]
        .into_iter()
        .zip(distinct.iter().skip(1))
    {
        vars.set(name, *keyword);
    }
    let stated = &facts.stated;
    let first = |list: &[String]| list.first().cloned().unwrap_or_default();
    vars.set("phone", first(&stated.phones))
        .set("email", first(&stated.emails))
        .set("address", stated.address.clone().unwrap_or_default())
        .set("hours", stated.hours.clone().unwrap_or_default())
        // Only an event's: "24 December" in a bakery's brief is no date to lead with.
        .set(
            "dates",
            stated
                .dates
                .clone()
                .filter(|_| facts.event)
                .unwrap_or_default(),
        )
        .set("promo", stated.offer_promo.clone().unwrap_or_default())
        .set("price_list", price_list(facts.lang, stated))
        .set(
            "contact",
            [first(&stated.phones), first(&stated.emails)]
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        );
    // No phrase may carry a number the brief does not give (the year of the copyright line
    // is the one exception, and the validator knows it).
    // Braces would read as a template left unfilled; landing copy never needs them.
    vars.map_values(|value| value.replace(['{', '}'], ""));
    vars.retain(|name, value| name == "year" || facts.states_only_given_numbers(value));
    vars
}

/// What a section the composer adds is for (the layout plan states every section's job).
fn purpose(section_type: SectionType) -> &'static str {
    match section_type {
        SectionType::Hero => "Say who the business is, what it offers and what to do next",
        SectionType::Features => "Name the concrete things the brief offers",
        SectionType::HowItWorks => "Show the steps from first visit to getting the offer",
        SectionType::Faq => "Answer the questions the brief's facts answer",
        SectionType::Stats => "Show the figures the brief gives",
        SectionType::Pricing => "Show the prices the brief states, as it states them",
        SectionType::Testimonials => "Show the quotes the brief gives, word for word",
        SectionType::Cta => "Ask for the action and say what happens after the click",
        SectionType::Contact => "Give the brief's contact details and a message form",
        SectionType::Footer => "Close the page with the business name and how to reach it",
        _ => "Support the page's main action",
    }
}

/// The brief's prices as it writes them: "Solo $19/month, Studio $499/month".
fn price_list(lang: &str, stated: &BriefFacts) -> String {
    stated
        .prices
        .iter()
        .map(|p| match &p.label {
            Some(label) => format!("{label} {}", price_text(lang, p)),
            None => price_text(lang, p),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A price as the brief states it, "from" included when it is a starting price.
fn price_text(lang: &str, price: &Price) -> String {
    if !price.from {
        return price.text.clone();
    }
    let from = match lang {
        "fr" => "À partir de",
        "de" => "Ab",
        "es" => "Desde",
        _ => "From",
    };
    format!("{from} {}", price.text)
}

/// Where the page's buttons go, best first: the brief's links, phone and email, then the
/// contact form when the page has one.
fn actions(facts: &Facts, page_sections: &[String]) -> Vec<Action> {
    let has_contact = page_sections.iter().any(|id| id == "contact");
    facts
        .stated
        .actions()
        .into_iter()
        .filter(|a| a.kind != ActionKind::Form || has_contact)
        .collect()
}

/// A button for `action`: a label of at most 40 characters saying what the click does.
fn action_cta(lang: &str, action: &Action, rng: &mut fastrand::Rng, vars: &Vars) -> Cta {
    let phone = action
        .href
        .strip_prefix("tel:")
        .and_then(|_| vars.get("phone"))
        .unwrap_or_default();
    let vars = vars.with("phone", phone);
    let labels: Vec<String> = all(lang, &format!("cta.label.{}", action.kind.as_str()), &vars)
        .into_iter()
        .filter(|l| l.chars().count() <= 40)
        .collect();
    Cta {
        label: rng
            .choice(&labels)
            .map(|l| capitalize(l))
            .unwrap_or_default(),
        href: action.href.clone(),
    }
}

/// A variant of `key` that fits in `max` characters once filled (a long business name can push
/// a label past its limit).
fn pick_within(lang: &str, key: &str, max: usize, rng: &mut fastrand::Rng, vars: &Vars) -> String {
    let fitting = |vars: &Vars| -> Vec<String> {
        all(lang, key, vars)
            .into_iter()
            .filter(|l| l.chars().count() <= max)
            .collect()
    };
    let mut choices = fitting(vars);
    if choices.is_empty() {
        // A name too long for the slot: the variants that do without it.
        choices = fitting(&vars.without("business"));
    }
    if choices.is_empty() {
        // No fact fits: the variants that need none.
        choices = fitting(&Vars::default());
    }
    rng.choice(&choices)
        .map(|l| capitalize(l))
        .unwrap_or_default()
}

/// The sentence that tells the visitor what happens after the click.
fn after_click(lang: &str, action: &Action, rng: &mut fastrand::Rng, vars: &Vars) -> String {
    pick(
        lang,
        &format!("cta.after.{}", action.kind.as_str()),
        rng,
        vars,
    )
}

/// Figures the brief gives (ratings, counts of customers), split into value and label:
/// "rated 4.8/5 on Capterra" → ("4.8/5", "Rated on Capterra").
fn stat_items(stated: &BriefFacts) -> Vec<Stat> {
    static VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d[\d.,\u{a0} ]*\d(?:\s?/\s?\d+)?\+?|\d(?:\s?/\s?\d+)?\+?")
            .expect("valid regex")
    });
    stated
        .proof
        .iter()
        .filter(|p| matches!(p.kind, ProofKind::Rating | ProofKind::CustomerCount))
        .filter_map(|p| {
            let m = VALUE.find(&p.text)?;
            let value = m.as_str().trim().to_owned();
            let label = format!(
                "{} {}",
                p.text.get(..m.start()).unwrap_or(""),
                p.text.get(m.end()..).unwrap_or("")
            );
            let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
            (value.chars().count() <= 16 && !label.is_empty()).then(|| Stat {
                value,
                label: capitalize(&truncate_words(&label, 90)),
            })
        })
        .take(4)
        .collect()
}

/// Questions the brief's facts answer, each with its answer, in a useful order.
fn faq_items(lang: &str, facts: &Facts, rng: &mut fastrand::Rng, vars: &Vars) -> Vec<Question> {
    let stated = &facts.stated;
    let place = if stated.address.is_some() {
        "where"
    } else {
        "city"
    };
    // "dates" fills only for an event's page (see `vars`).
    let mut topics = vec!["what", "dates"];
    if stated.audience.is_some() {
        topics.push("audience");
    }
    topics.extend([place, "hours", "price", "offer", "contact"]);
    topics
        .into_iter()
        .filter_map(|topic| {
            shuffled_pairs(
                lang,
                (&format!("faq.{topic}.q"), &format!("faq.{topic}.a")),
                rng,
                vars,
            )
            .into_iter()
            .next()
        })
        .map(|(question, answer)| Question { question, answer })
        .take(6)
        .collect()
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
    let out = out.trim_end_matches([',', ';', ':', '—', '-']).trim();
    if out.is_empty() {
        // One word longer than the limit: cut it, on a character boundary.
        return text
            .chars()
            .take(max_chars)
            .collect::<String>()
            .trim()
            .to_owned();
    }
    out.to_owned()
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

/// A section type's first variant, its default.
fn default_variant(section_type: SectionType) -> String {
    section_type
        .variants()
        .first()
        .copied()
        .unwrap_or_default()
        .to_owned()
}

pub fn layout(seed: &str, facts: &Facts, designs: &[Design]) -> LayoutPlan {
    let mut rng = rng(seed, "layout");
    let vars = vars(facts);
    let lang = facts.lang;
    let design = designs.first();
    let stated = &facts.stated;
    let mut planned: Vec<(SectionType, String, String)> = match design {
        Some(design) => design
            .sections()
            .into_iter()
            .map(|s| (s.section_type, s.variant, s.purpose))
            .collect(),
        None => [
            SectionType::Hero,
            SectionType::Features,
            SectionType::HowItWorks,
            SectionType::Faq,
            SectionType::Cta,
        ]
        .into_iter()
        .map(|t| (t, default_variant(t), purpose(t).to_owned()))
        .collect(),
    };
    // Sections that state facts exist only when the brief gives those facts; the contact
    // section and the footer close every page.
    let quotes = stated.proof.iter().any(|p| p.kind == ProofKind::Quote);
    let figures = stat_items(stated).len() >= 2;
    let faq = faq_items(lang, facts, &mut rng.clone(), &vars).len() >= 3;
    planned.retain(|(t, _, _)| match t {
        SectionType::Logos | SectionType::Contact | SectionType::Footer => false,
        SectionType::Testimonials => quotes,
        SectionType::Stats => figures,
        SectionType::Pricing => !stated.prices.is_empty(),
        SectionType::Faq => faq,
        _ => true,
    });
    let has =
        |planned: &[(SectionType, String, String)], t| planned.iter().any(|(p, _, _)| *p == t);
    let before_end = |planned: &[(SectionType, String, String)]| {
        planned
            .iter()
            .position(|(t, _, _)| matches!(t, SectionType::Faq | SectionType::Cta))
            .unwrap_or(planned.len())
    };
    // Every composed page lists what the brief named, in a features section.
    if !has(&planned, SectionType::Features) {
        let purpose = "Name every concrete thing the brief offers, each with the benefit it brings"
            .to_owned();
        planned.insert(
            1.min(planned.len()),
            (SectionType::Features, "grid".into(), purpose),
        );
    }
    if figures && !has(&planned, SectionType::Stats) {
        planned.insert(
            2.min(planned.len()),
            (
                SectionType::Stats,
                "band".into(),
                purpose(SectionType::Stats).to_owned(),
            ),
        );
    }
    if !stated.prices.is_empty() && !has(&planned, SectionType::Pricing) {
        let at = before_end(&planned);
        planned.insert(
            at,
            (
                SectionType::Pricing,
                "tiers".into(),
                purpose(SectionType::Pricing).to_owned(),
            ),
        );
    }
    if quotes && !has(&planned, SectionType::Testimonials) {
        let at = before_end(&planned);
        planned.insert(
            at,
            (
                SectionType::Testimonials,
                "cards".into(),
                purpose(SectionType::Testimonials).to_owned(),
            ),
        );
    }
    if !has(&planned, SectionType::Cta) {
        planned.push((
            SectionType::Cta,
            "band".into(),
            purpose(SectionType::Cta).to_owned(),
        ));
    }
    planned.push((
        SectionType::Contact,
        "split".into(),
        purpose(SectionType::Contact).to_owned(),
    ));
    planned.push((
        SectionType::Footer,
        "simple".into(),
        purpose(SectionType::Footer).to_owned(),
    ));
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
        business_name: truncate_words(&facts.business.replace(['{', '}'], ""), 80),
        seo: Seo {
            og_title: title.clone(),
            og_description: description.clone(),
            title,
            description,
            canonical_url: None,
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
        picture: None,
        failure: None,
    }
}

/// `count` items, each built around the next keyword from `offset`, so sections name
/// different things; each item uses a different title/body pair of the phrasebook.
fn items(
    lang: &str,
    section_type: SectionType,
    rng: &mut fastrand::Rng,
    vars: &Vars,
    facts: &Facts,
    count: usize,
    offset: usize,
) -> Vec<Item> {
    let prefix = section_type.as_str();
    let keys = (
        format!("{prefix}.item_title"),
        format!("{prefix}.item_body"),
    );
    let order: Vec<usize> = {
        let mut order: Vec<usize> = (0..variants(lang, &keys.0).len()).collect();
        rng.shuffle(&mut order);
        order
    };
    // Items are compared as the page will show them, cut to their limits (see `fit`).
    let limit = |path: &str| {
        visions_agents::rules::text_rules(section_type)
            .iter()
            .find(|rule| rule.path == path)
            .map_or(usize::MAX, |rule| rule.max)
    };
    let (title_max, body_max) = (limit("items.title"), limit("items.body"));
    let shown = |text: &str, max: usize| truncate_words(&text.replace(['{', '}'], ""), max);
    let mut used: Vec<usize> = Vec::new();
    let mut found: Vec<Item> = Vec::new();
    for i in 0..count {
        let keyword = facts.keyword(offset + i);
        let v = vars.with("keyword", keyword);
        // Try variants from this item's slot onward until one fills that no item has used
        // and that says something no item has said: a section never repeats itself.
        let next = order
            .iter()
            .cycle()
            .skip(i)
            .take(order.len())
            .filter(|k| !used.contains(k))
            .find_map(|&k| {
                let title = capitalize(&v.fill_variant(lang, &keys.0, k)?);
                let body = capitalize(&v.fill_variant(lang, &keys.1, k)?);
                let said = found.iter().any(|item| {
                    shown(&item.title, title_max) == shown(&title, title_max)
                        || shown(&item.body, body_max) == shown(&body, body_max)
                });
                (!said).then_some((k, Item { title, body }))
            });
        if let Some((k, item)) = next {
            used.push(k);
            found.push(item);
        }
    }
    found
}

/// The props of one section, as JSON in the shape the copy schema asks for. `page_sections`
/// are the ids of the page's sections: in-page links name only these.
pub fn section(
    seed: &str,
    facts: &Facts,
    section: &PlannedSection,
    page_sections: &[String],
) -> Value {
    let mut rng = rng(seed, &section.id);
    let vars = vars(facts);
    let lang = facts.lang;
    let actions = actions(facts, page_sections);
    let primary = actions.first().cloned().unwrap_or(Action {
        kind: ActionKind::Form,
        href: visions_facts::CONTACT_ANCHOR.into(),
    });
    let primary_cta = action_cta(lang, &primary, &mut rng, &vars);
    let content = match section.section_type {
        SectionType::Hero => SectionContent::Hero(HeroProps {
            eyebrow: {
                let lead = if vars.has("dates") { "dates" } else { "city" };
                pick_using(lang, "hero.eyebrow", lead, &mut rng, &vars)
            },
            headline: pick(lang, "hero.headline", &mut rng, &vars),
            subheadline: pick(lang, "hero.subheadline", &mut rng, &vars),
            primary_cta: primary_cta.clone(),
            // A second way to act when the brief gives one, else the section that shows the offer.
            secondary_cta: actions
                .iter()
                .skip(1)
                .find(|a| a.kind != primary.kind && a.kind != ActionKind::Form)
                .map(|a| action_cta(lang, a, &mut rng, &vars))
                .or_else(|| {
                    ["features", "benefits", "how-it-works"]
                        .into_iter()
                        .find(|id| page_sections.iter().any(|s| s == id))
                        .map(|id| Cta {
                            label: pick_within(lang, "hero.secondary.section", 40, &mut rng, &vars),
                            href: format!("#{id}"),
                        })
                })
                .filter(|c| !c.label.is_empty()),
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
                items: items(
                    lang,
                    SectionType::Features,
                    &mut rng,
                    &vars,
                    facts,
                    count,
                    0,
                ),
            })
        }
        SectionType::Benefits => SectionContent::Benefits(BenefitsProps {
            heading: pick(lang, "benefits.heading", &mut rng, &vars),
            items: items(lang, SectionType::Benefits, &mut rng, &vars, facts, 3, 3),
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
        SectionType::Testimonials => SectionContent::Testimonials(TestimonialsProps {
            heading: pick(lang, "testimonials.heading", &mut rng, &vars),
            // The brief's own quotes, word for word, with who said them when it says.
            items: facts
                .stated
                .proof
                .iter()
                .filter(|p| p.kind == ProofKind::Quote && p.text.chars().count() <= 400)
                .take(4)
                .map(|p| Testimonial {
                    quote: p.text.clone(),
                    name: p
                        .attribution
                        .clone()
                        .filter(|a| a.chars().count() <= 60)
                        .unwrap_or_default(),
                    role: String::new(),
                })
                .collect(),
        }),
        SectionType::Pricing => SectionContent::Pricing(PricingProps {
            heading: pick(lang, "pricing.heading", &mut rng, &vars),
            intro: pick(lang, "pricing.intro", &mut rng, &vars),
            // The brief's prices as it states them; no plan, tier or feature is added.
            plans: facts
                .stated
                .prices
                .iter()
                .take(4)
                .map(|price| Plan {
                    name: price
                        .label
                        .as_deref()
                        .map(|l| capitalize(&truncate_words(l, 40)))
                        // A cut can leave part of a figure: checked after the cut.
                        .filter(|name| facts.states_only_given_numbers(name))
                        .unwrap_or_else(|| capitalize(&truncate_words(&facts.offer, 40))),
                    price: price_text(lang, price),
                    period: String::new(),
                    features: Vec::new(),
                    cta: primary_cta.clone(),
                    highlighted: false,
                })
                .collect(),
        }),
        SectionType::Faq => SectionContent::Faq(FaqProps {
            heading: pick(lang, "faq.heading", &mut rng, &vars),
            items: faq_items(lang, facts, &mut rng, &vars),
        }),
        SectionType::Stats => SectionContent::Stats(StatsProps {
            heading: pick(lang, "stats.heading", &mut rng, &vars),
            items: stat_items(&facts.stated),
        }),
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
            body: match &facts.stated.offer_promo {
                Some(promo) => format!(
                    "{}. {}",
                    capitalize(promo.trim_end_matches('.')),
                    after_click(lang, &primary, &mut rng, &vars)
                ),
                None => after_click(lang, &primary, &mut rng, &vars),
            },
            cta: primary_cta.clone(),
        }),
        SectionType::Contact => {
            let stated = &facts.stated;
            // Only details that fit their field; a longer one stays in the brief.
            let fit = |value: Option<&String>| {
                value
                    .filter(|v| v.chars().count() <= 200 && facts.states_only_given_numbers(v))
                    .cloned()
                    .unwrap_or_default()
            };
            let first = |list: &[String]| fit(list.first());
            SectionContent::Contact(ContactProps {
                heading: pick(lang, "contact.heading", &mut rng, &vars),
                intro: pick(lang, "contact.intro", &mut rng, &vars),
                phone: first(&stated.phones),
                email: first(&stated.emails),
                address: fit(stated.address.as_ref()),
                hours: fit(stated.hours.as_ref()),
                form: Some(ContactForm {
                    action: String::new(),
                    intro: pick(lang, "contact.form_intro", &mut rng, &vars),
                    name_label: pick(lang, "contact.name_label", &mut rng, &vars),
                    email_label: pick(lang, "contact.email_label", &mut rng, &vars),
                    message_label: pick(lang, "contact.message_label", &mut rng, &vars),
                    submit_label: pick(lang, "contact.submit", &mut rng, &vars),
                }),
            })
        }
        SectionType::Footer => SectionContent::Footer(FooterProps {
            business_name: facts.business.clone(),
            tagline: pick(lang, "footer.tagline", &mut rng, &vars),
            // How to reach the business, as the brief gives it; no page that does not exist.
            links: actions
                .iter()
                .filter(|a| {
                    matches!(
                        a.kind,
                        ActionKind::Website | ActionKind::Phone | ActionKind::Email
                    )
                })
                .map(|a| action_cta(lang, a, &mut rng, &vars))
                .filter(|c| !c.label.is_empty())
                .take(4)
                .collect(),
            legal: pick(lang, "footer.legal", &mut rng, &vars),
        }),
    };
    fit(props_json(&content), section.section_type)
}

/// Every text within its limit in the rules table: a long business name or offer can push a
/// filled template past it, and the composer's answer must pass the validator like any model's.
fn fit(mut props: Value, section_type: SectionType) -> Value {
    strip_braces(&mut props);
    for rule in visions_agents::rules::text_rules(section_type) {
        let paths: Vec<String> = visions_agents::rules::find(&props, rule.path)
            .into_iter()
            .filter(|(_, v)| v.as_str().is_some_and(|t| t.chars().count() > rule.max))
            .map(|(at, _)| at)
            .collect();
        for at in paths {
            if let Some(Value::String(text)) = pointer_mut(&mut props, &at) {
                *text = truncate_words(text, rule.max);
            }
        }
    }
    props
}

/// Braces read as a template left unfilled (a brief may contain them); copy never needs them.
fn strip_braces(value: &mut Value) {
    match value {
        Value::String(text) if text.contains(['{', '}']) => {
            *text = text.replace(['{', '}'], "");
        }
        Value::Array(items) => items.iter_mut().for_each(strip_braces),
        // Links are the brief's, exactly: never rewritten.
        Value::Object(map) => map
            .iter_mut()
            .filter(|(key, _)| !matches!(key.as_str(), "href" | "action"))
            .for_each(|(_, value)| strip_braces(value)),
        _ => {}
    }
}

/// The value at a concrete path such as `items[1].title`.
fn pointer_mut<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, indices) = part
            .split_once('[')
            .map_or((part, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            pointer.push('/');
            pointer.push_str(name);
        }
        for index in indices.split('[').filter(|i| !i.is_empty()) {
            pointer.push('/');
            pointer.push_str(index.trim_end_matches(']'));
        }
    }
    value.pointer_mut(&pointer)
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
