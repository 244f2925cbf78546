//! A team's own landing pages, read into design records: the sections in order, the headings,
//! the calls to action, the colours and typefaces. The page's industry and goal are taken
//! from the closest design of the built-in corpus (and the goal from the main call to action
//! when its verb says it), so a team's pages sit beside the corpus in the same index.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};

use crate::{Design, Hero, Palette, Typography};

/// Pages larger than this are refused rather than parsed.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IngestError {
    #[error("the page is {0} bytes; pages up to {MAX_PAGE_BYTES} bytes are read")]
    TooLarge(usize),
    #[error("the page has no headline (no h1 or title) to learn from")]
    NoHeadline,
    #[error("the page has fewer than four sections (hero included) to learn an order from")]
    TooFewSections,
}

/// Reads `html` (named `name`, e.g. its file stem) into a design record.
pub fn page(name: &str, html: &str) -> Result<Design, IngestError> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(IngestError::TooLarge(html.len()));
    }
    let document = Html::parse_document(html);
    let title = first_text(&document, "h1")
        .or_else(|| first_text(&document, "title"))
        .ok_or(IngestError::NoHeadline)?;
    let sections = sections(&document);
    if sections.len() < 4 {
        return Err(IngestError::TooFewSections);
    }
    let ctas = calls_to_action(&document);
    let description = meta(&document, "description").unwrap_or_default();
    let lang = document
        .root_element()
        .value()
        .attr("lang")
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::to_lowercase)
        .filter(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()))
        .unwrap_or_else(|| "en".into());
    let headings: Vec<String> = texts(&document, "h2, h3").into_iter().take(12).collect();
    let subhead =
        first_text(&document, "h1 + p, header p, section p").unwrap_or_else(|| description.clone());

    // The closest built-in design lends what a page cannot say about itself.
    let page_text = format!(
        "{title}. {description}. {}. {}. {}",
        headings.join(". "),
        ctas.join(". "),
        meta(&document, "keywords").unwrap_or_default()
    );
    let closest = crate::builtin();
    let embedder = visions_embed::StaticEmbedder::builtin().ok();
    let vector = embedder
        .map(|e| e.embed_one(&page_text))
        .unwrap_or_default();
    let nearest = closest
        .search_with(
            &vector,
            &page_text,
            1,
            &crate::Filter::default(),
            crate::Mode::Hybrid,
        )
        .into_iter()
        .next()
        .map(|m| m.design.clone());
    let primary = ctas
        .first()
        .cloned()
        .unwrap_or_else(|| "Get in touch".into());
    let goal = goal_of(&primary)
        .map(str::to_owned)
        .or_else(|| nearest.as_ref().map(|d| d.conversion_goal.clone()))
        .unwrap_or_else(|| "contact".into());
    let industry = nearest
        .as_ref()
        .map_or_else(|| "local_services".into(), |d| d.industry.clone());

    let colours = colours(&document);
    let fonts = fonts(&document);
    let mut keywords: Vec<String> = meta(&document, "keywords")
        .map(|k| {
            k.split(',')
                .map(|w| w.trim().to_lowercase())
                .filter(|w| w.len() >= 2)
                .collect()
        })
        .unwrap_or_default();
    for word in visions_embed::words(&title)
        .into_iter()
        .filter(|w| w.len() > 3)
    {
        if keywords.len() < 20 && !keywords.contains(&word) {
            keywords.push(word);
        }
    }
    if let Some(near) = &nearest {
        for word in &near.keywords {
            if keywords.len() >= 10 {
                break;
            }
            if !keywords.contains(word) {
                keywords.push(word.clone());
            }
        }
    }
    keywords.truncate(20);

    let sequence: Vec<String> = sections.iter().map(|s| s.to_string()).collect();
    Ok(Design {
        id: format!("own-{}", slug(name)),
        name: pad(&clip(&title, 80), "The team's own page", 3),
        industry,
        audience: pad(
            if description.is_empty() {
                &subhead
            } else {
                &description
            },
            "Visitors of the team's own page",
            20,
        ),
        conversion_goal: goal,
        languages: vec![lang],
        hero: Hero {
            headline_formula: pad(&title, "The page's own headline", 10),
            subhead: pad(&subhead, "The page's own subheadline", 10),
            primary_cta: clip(&primary, 40),
            secondary_cta: ctas
                .get(1)
                .map(|c| clip(c, 40))
                .filter(|c| c.chars().count() >= 2),
        },
        proof_elements: proof(&sections),
        offer_pattern: if sections.contains(&"pricing") {
            "Prices published on the page in a pricing section".into()
        } else {
            "No published prices; the page leads to a conversation or a booking".into()
        },
        palette: Palette {
            primary: colours.primary,
            accent: colours.accent,
            background: colours.background,
            text: colours.text,
            mood: "taken from the team's own page".into(),
        },
        typography: Typography {
            headings: fonts.0,
            body: fonts.1,
            scale: "as on the team's own page".into(),
        },
        layout_notes: format!(
            "Sections in order: {}. Headings: {}",
            sequence.join(", "),
            if headings.is_empty() {
                "none below the headline".into()
            } else {
                headings.join("; ")
            }
        ),
        why_it_converts: format!(
            "A page the team chose as one of its own winners: it leads with \"{}\" and asks for one main action, \"{}\", which later sections support.",
            clip(&title, 80),
            clip(&primary, 40)
        ),
        keywords,
        section_sequence: sequence,
    })
}

/// The catalogue type of each top-level part of the page, in order.
fn sections(document: &Html) -> Vec<&'static str> {
    let Ok(parts) = Selector::parse(
        "body > header, body > section, body > footer, body > div > section, main > section, main > header, main > footer, body > main > div > section, section > section",
    ) else {
        return Vec::new();
    };
    let mut out: Vec<&'static str> = Vec::new();
    for element in document.select(&parts) {
        let kind = classify(element, out.is_empty());
        // A header that holds only navigation is no section.
        if let Some(kind) = kind {
            if out.last() != Some(&kind) || kind == "features" {
                out.push(kind);
            }
        }
    }
    if out.first() != Some(&"hero") {
        out.insert(0, "hero");
    }
    out
}

fn classify(element: ElementRef<'_>, first: bool) -> Option<&'static str> {
    let tag = element.value().name();
    let marks = format!(
        "{} {}",
        element.value().attr("id").unwrap_or(""),
        element.value().attr("class").unwrap_or("")
    )
    .to_lowercase();
    let text = element.text().collect::<String>().to_lowercase();
    let heading = texts_in(element, "h1, h2, h3").join(" ").to_lowercase();
    let has = |css: &str| Selector::parse(css).is_ok_and(|s| element.select(&s).next().is_some());
    let count = |css: &str| Selector::parse(css).map_or(0, |s| element.select(&s).count());
    let says = |words: &[&str]| {
        words
            .iter()
            .any(|w| marks.contains(w) || heading.contains(w))
    };
    if tag == "footer" || marks.contains("footer") {
        return Some("footer");
    }
    if has("h1") || (first && tag == "header" && count("a, button") > 0 && text.len() > 40) {
        return Some("hero");
    }
    if tag == "header" {
        return None;
    }
    let kind = if says(&["faq", "question", "fragen", "preguntas"]) || count("details") >= 2 {
        "faq"
    } else if says(&["pricing", "price", "plans", "tarif", "preise", "precios"])
        || text.matches(['$', '€', '£']).count() >= 2
    {
        "pricing"
    } else if says(&[
        "testimonial",
        "review",
        "what our",
        "avis",
        "bewertung",
        "opiniones",
    ]) || count("blockquote") >= 1
    {
        "testimonials"
    } else if has("form") || says(&["contact", "kontakt", "contacto"]) {
        "contact"
    } else if says(&[
        "how it works",
        "steps",
        "process",
        "so funktioniert",
        "comment ça marche",
    ]) || count("ol > li") >= 3
    {
        "how_it_works"
    } else if says(&["gallery", "portfolio", "galerie", "galería"]) || count("img") >= 6 {
        "gallery"
    } else if says(&["menu", "carte", "speisekarte", "carta"]) {
        "menu"
    } else if says(&["team", "about us", "équipe"]) {
        "team"
    } else if says(&["logos", "trusted by", "clients", "customers"]) && count("img") >= 3 {
        "logos"
    } else if says(&["stats", "numbers", "figures"]) {
        "stats"
    } else if says(&["newsletter", "subscribe"]) {
        "newsletter"
    } else if says(&["benefit", "why", "pourquoi", "warum", "por qué"]) {
        "benefits"
    } else if count("li") >= 3 || count("h3") >= 3 || says(&["feature", "service", "what we"]) {
        "features"
    } else if count("a, button") >= 1 && text.split_whitespace().count() < 60 {
        "cta"
    } else {
        "features"
    };
    Some(kind)
}

fn proof(sections: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = sections
        .iter()
        .filter_map(|s| match *s {
            "testimonials" => Some("customer quotes on the page".to_owned()),
            "logos" => Some("client logos on the page".to_owned()),
            "stats" => Some("figures the team publishes".to_owned()),
            "gallery" => Some("photos of the work".to_owned()),
            "faq" => Some("answers to common questions".to_owned()),
            _ => None,
        })
        .collect();
    out.dedup();
    for fallback in [
        "a clear description of the offer",
        "a direct way to get in touch",
    ] {
        if out.len() < 2 {
            out.push(fallback.into());
        }
    }
    out
}

/// Button and button-like link texts, most prominent first (in the hero before the rest).
fn calls_to_action(document: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for css in [
        "header a[class*=btn], header a[class*=button], header button, section:first-of-type a[class*=btn], section:first-of-type a[class*=button]",
        "a[class*=btn], a[class*=button], a[class*=cta], button, input[type=submit]",
    ] {
        for element in Selector::parse(css).iter().flat_map(|s| document.select(s)) {
            let text = clean(&element.text().collect::<String>())
                .or_else(|| element.value().attr("value").and_then(clean));
            if let Some(text) = text.filter(|t| t.chars().count() <= 40) {
                if !out.contains(&text) {
                    out.push(text);
                }
            }
        }
    }
    out
}

/// The conversion goal a button's verb names, where it names one.
fn goal_of(cta: &str) -> Option<&'static str> {
    let cta = cta.to_lowercase();
    let table: [(&[&str], &str); 12] = [
        (&["trial", "essai", "testen", "prueba"], "start_trial"),
        (&["demo"], "book_demo"),
        (&["table", "réserver une table", "tisch"], "reserve_table"),
        (
            &["appointment", "rendez-vous", "termin", "cita"],
            "book_appointment",
        ),
        (
            &["quote", "devis", "angebot", "presupuesto"],
            "request_quote",
        ),
        (&["donate", "don ", "spenden", "donar"], "donate"),
        (&["enrol", "enroll", "inscri", "anmelden"], "enrol_course"),
        (&["download", "install", "get the app"], "install_app"),
        (&["ticket", "billet"], "buy_ticket"),
        (
            &["order", "commander", "bestellen", "pedir"],
            "order_online",
        ),
        (&["call", "appeler", "anrufen", "llamar"], "call"),
        (&["sign up", "register", "join"], "sign_up"),
    ];
    table
        .iter()
        .find(|(words, _)| words.iter().any(|w| cta.contains(w)))
        .map(|(_, goal)| *goal)
}

struct Colours {
    primary: String,
    accent: String,
    background: String,
    text: String,
}

/// The page's colours, most used first, sorted into roles by lightness and saturation.
fn colours(document: &Html) -> Colours {
    let mut css = String::new();
    for element in Selector::parse("style, [style]")
        .iter()
        .flat_map(|s| document.select(s))
    {
        css.push_str(&element.text().collect::<String>());
        css.push_str(element.value().attr("style").unwrap_or(""));
        css.push(' ');
    }
    let mut counts: HashMap<(u8, u8, u8), usize> = HashMap::new();
    let mut order = Vec::new();
    let mut rest = css.as_str();
    while let Some(at) = rest.find('#') {
        let tail = rest.get(at + 1..).unwrap_or("");
        let hex: String = tail.chars().take_while(char::is_ascii_hexdigit).collect();
        if let Some(rgb) = parse_hex(&hex) {
            if !counts.contains_key(&rgb) {
                order.push(rgb);
            }
            *counts.entry(rgb).or_default() += 1;
        }
        rest = tail;
    }
    order.sort_by_key(|c| std::cmp::Reverse(counts.get(c).copied().unwrap_or(0)));
    let lightness =
        |c: &(u8, u8, u8)| u32::from(c.0) * 299 + u32::from(c.1) * 587 + u32::from(c.2) * 114;
    let saturation = |c: &(u8, u8, u8)| {
        let max = c.0.max(c.1).max(c.2);
        let min = c.0.min(c.1).min(c.2);
        max - min
    };
    let background = order
        .iter()
        .copied()
        .max_by_key(lightness)
        .unwrap_or((255, 255, 255));
    let text = order
        .iter()
        .copied()
        .min_by_key(lightness)
        .unwrap_or((17, 24, 39));
    let mut vivid = order.iter().copied().filter(|c| saturation(c) > 60);
    let primary = vivid.next().unwrap_or((37, 99, 235));
    let accent = vivid.next().unwrap_or(primary);
    let hex = |c: (u8, u8, u8)| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    Colours {
        primary: hex(primary),
        accent: hex(accent),
        background: hex(background),
        text: hex(text),
    }
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()?;
    match digits.as_slice() {
        [r, g, b] => Some((r * 17, g * 17, b * 17)),
        [r1, r2, g1, g2, b1, b2] => Some((r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
        _ => None,
    }
}

/// The headings' and the body's typefaces, from the page's CSS.
fn fonts(document: &Html) -> (String, String) {
    let css: String = Selector::parse("style, [style]")
        .iter()
        .flat_map(|s| document.select(s))
        .map(|e| {
            format!(
                "{} {}",
                e.text().collect::<String>(),
                e.value().attr("style").unwrap_or("")
            )
        })
        .collect();
    let families: Vec<String> = css
        .split("font-family")
        .skip(1)
        .filter_map(|part| {
            let value = part.trim_start().strip_prefix(':')?;
            let value = value.split([';', '}']).next()?;
            let first = value
                .split(',')
                .next()?
                .trim()
                .trim_matches(['"', '\''])
                .to_owned();
            (!first.is_empty() && first.len() <= 60).then_some(first)
        })
        .collect();
    let body = families
        .first()
        .cloned()
        .unwrap_or_else(|| "system sans-serif".into());
    let headings = families.get(1).cloned().unwrap_or_else(|| body.clone());
    (headings, body)
}

fn meta(document: &Html, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("meta[name={name}]")).ok()?;
    document
        .select(&selector)
        .next()
        .and_then(|m| m.value().attr("content"))
        .and_then(clean)
}

fn first_text(document: &Html, css: &str) -> Option<String> {
    texts(document, css).into_iter().next()
}

fn texts(document: &Html, css: &str) -> Vec<String> {
    Selector::parse(css)
        .iter()
        .flat_map(|s| document.select(s))
        .filter_map(|e| clean(&e.text().collect::<String>()))
        .collect()
}

fn texts_in(element: ElementRef<'_>, css: &str) -> Vec<String> {
    Selector::parse(css)
        .iter()
        .flat_map(|s| element.select(s))
        .filter_map(|e| clean(&e.text().collect::<String>()))
        .collect()
}

/// Whitespace collapsed and control characters dropped; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        // Control characters, and the invisible format ones (bidi overrides, zero widths).
        .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}'))
        .collect::<String>();
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect::<String>().trim().to_owned()
}

/// `text` when it is long enough for the schema's minimum, else `fallback`.
fn pad(text: &str, fallback: &str, min: usize) -> String {
    if text.chars().count() >= min {
        text.to_owned()
    } else {
        fallback.to_owned()
    }
}

fn slug(name: &str) -> String {
    let words: Vec<String> = visions_embed::words(name)
        .into_iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let slug = words.join("-");
    let slug: String = slug.chars().take(56).collect();
    let slug = slug.trim_matches('-').to_owned();
    if slug.len() < 3 { "page".into() } else { slug }
}
