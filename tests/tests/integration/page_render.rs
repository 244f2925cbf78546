//! The rendered page: structure, accessibility, safety and theming, checked on parsed HTML.

use std::collections::HashSet;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use visions_domain::page::{Page, SectionType};
use visions_domain::project::{BrandColors, BrandFonts, BrandKit};
use visions_page::theme::{Palette, build_theme, contrast_ratio};
use visions_page::{is_descriptive_link_text, render_page, safe_href, safe_image_src};

const SAMPLE: &str = include_str!("../../fixtures/sample-page.json");

fn sample_json() -> Value {
    serde_json::from_str(SAMPLE).expect("the fixture is JSON")
}

fn sample() -> Page {
    serde_json::from_str(SAMPLE).expect("the fixture is a valid page")
}

fn page_from(json: Value) -> Page {
    serde_json::from_value(json).expect("a valid page")
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn elements<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(css)).collect()
}

fn text(el: &ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn all_elements(doc: &Html) -> Vec<ElementRef<'_>> {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .collect()
}

/// The heading levels of the document, in order.
fn heading_levels(doc: &Html) -> Vec<(u8, String)> {
    all_elements(doc)
        .into_iter()
        .filter_map(|el| {
            let name = el.value().name();
            let level = name.strip_prefix('h')?.parse::<u8>().ok()?;
            (1..=6).contains(&level).then(|| (level, text(&el)))
        })
        .collect()
}

fn assert_headings_in_order(doc: &Html) {
    let levels = heading_levels(doc);
    assert!(!levels.is_empty(), "a page has headings");
    assert_eq!(levels[0].0, 1, "the first heading is the h1: {levels:?}");
    assert_eq!(
        levels.iter().filter(|(l, _)| *l == 1).count(),
        1,
        "exactly one h1: {levels:?}"
    );
    for pair in levels.windows(2) {
        assert!(
            pair[1].0 <= pair[0].0 + 1,
            "heading level skipped from {:?} to {:?}",
            pair[0],
            pair[1]
        );
    }
    for (level, content) in &levels {
        assert!(!content.is_empty(), "empty h{level}");
    }
}

/// The `:root{--name:value;…}` custom properties of the stylesheet.
fn css_variables(doc: &Html) -> std::collections::HashMap<String, String> {
    let style = elements(doc, "style");
    assert_eq!(style.len(), 1, "one inline stylesheet");
    let css = style[0].text().collect::<String>();
    let root = css
        .split(":root{")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("a :root block");
    root.split(';')
        .filter_map(|decl| decl.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn assert_theme_contrast(doc: &Html) {
    let vars = css_variables(doc);
    let v = |name: &str| {
        vars.get(name)
            .unwrap_or_else(|| panic!("--{name} in {vars:?}"))
            .clone()
    };
    for (fg, bg, what) in [
        ("--tx", "--bg", "text on background"),
        ("--tx", "--sf", "text on surface"),
        ("--mt", "--bg", "muted text on background"),
        ("--mt", "--sf", "muted text on surface"),
        ("--op", "--p", "text on primary"),
        ("--lk", "--bg", "primary-coloured text on background"),
        ("--lk", "--sf", "primary-coloured text on surface"),
        ("--lk", "--p2", "primary-coloured numbers on their tint"),
        ("--oa", "--a", "initials on accent"),
        ("--bg", "--tx", "skip link"),
    ] {
        let ratio = contrast_ratio(&v(fg), &v(bg));
        assert!(
            ratio >= 4.5,
            "{what}: {} on {} is {ratio:.2}:1",
            v(fg),
            v(bg)
        );
    }
}

#[test]
fn fixture_matches_the_page_schema_and_covers_every_section_type() {
    let json = sample_json();
    let page = sample();
    // Round trip: nothing in the fixture is ignored or reshaped by the serde types.
    assert_eq!(serde_json::to_value(&page).unwrap(), json);
    for section in json["sections"].as_array().unwrap() {
        let keys: HashSet<&str> = section
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, HashSet::from(["id", "variant", "type", "props"]));
    }
    let types: HashSet<SectionType> = page
        .sections
        .iter()
        .map(|s| s.content.section_type())
        .collect();
    assert_eq!(types, SectionType::ALL.into_iter().collect());
    for section in &page.sections {
        assert!(
            section
                .content
                .section_type()
                .variants()
                .contains(&section.variant.as_str()),
            "{} uses a known variant",
            section.id
        );
    }
}

#[test]
fn sample_page_renders_a_complete_small_document() {
    let page = sample();
    let html = render_page(&page);
    println!("sample page: {} bytes", html.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
    let doc = Html::parse_document(&html);

    assert_eq!(elements(&doc, "html")[0].attr("lang"), Some("en-US"));
    assert_eq!(
        elements(&doc, "meta[charset]")[0].attr("charset"),
        Some("utf-8")
    );
    assert_eq!(
        elements(&doc, "meta[name=viewport]")[0].attr("content"),
        Some("width=device-width, initial-scale=1")
    );
    assert_eq!(text(&elements(&doc, "title")[0]), page.seo.title);
    let meta = |selector: &str| {
        elements(&doc, selector)
            .first()
            .and_then(|m| m.attr("content"))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{selector}"))
    };
    assert_eq!(meta("meta[name=description]"), page.seo.description);
    assert_eq!(meta("meta[property='og:title']"), page.seo.og_title);
    assert_eq!(
        meta("meta[property='og:description']"),
        page.seo.og_description
    );
    assert_eq!(meta("meta[property='og:locale']"), "en_US");
    assert_eq!(meta("meta[name='twitter:card']"), "summary");
    assert_eq!(meta("meta[name='twitter:title']"), page.seo.og_title);
    assert_eq!(
        elements(&doc, "link[rel=icon]")[0].attr("href"),
        Some("data:,")
    );

    // Landmarks and the skip link.
    assert_eq!(elements(&doc, "body > header").len(), 1);
    assert_eq!(elements(&doc, "body > main#main").len(), 1);
    assert_eq!(elements(&doc, "body > footer").len(), 1);
    let first_link = elements(&doc, "body a")[0];
    assert_eq!(first_link.attr("href"), Some("#main"));
    assert_eq!(text(&first_link), "Skip to content");
    assert_eq!(
        text(&elements(&doc, "header .brand")[0]),
        "Fernhill Bike Works"
    );

    // Every section, in order, labelled by its heading.
    let sections = elements(&doc, "main > section");
    let expected: Vec<&str> = page
        .sections
        .iter()
        .filter(|s| s.content.section_type() != SectionType::Footer)
        .map(|s| s.id.as_str())
        .collect();
    let ids: Vec<&str> = sections.iter().map(|s| s.attr("id").unwrap()).collect();
    assert_eq!(ids, expected);
    for section in &sections {
        let label = section.attr("aria-labelledby").expect("aria-labelledby");
        let heading = elements(&doc, &format!("#{label}"));
        assert_eq!(heading.len(), 1, "{label}");
        assert!(heading[0].value().name().starts_with('h'));
        assert!(!text(&heading[0]).is_empty());
    }
    assert_eq!(elements(&doc, "footer#footer").len(), 1);

    // JSON-LD is the only script, and valid.
    let scripts = elements(&doc, "script");
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0].attr("type"), Some("application/ld+json"));
    let ld: Value = serde_json::from_str(&scripts[0].text().collect::<String>()).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    // The sample has an address, phone and hours: a local business, with its offers and FAQ.
    let business = &ld["@graph"][0];
    assert_eq!(business["@type"], "LocalBusiness");
    assert_eq!(business["name"], "Fernhill Bike Works");
    assert_eq!(business["telephone"], "+1 503 555 0142");
    assert_eq!(business["address"]["@type"], "PostalAddress");
    assert!(business["openingHours"].is_string());
    let offers = business["makesOffer"].as_array().unwrap();
    assert!(!offers.is_empty());
    assert!(
        offers
            .iter()
            .all(|o| o["price"].is_number() && o["priceCurrency"].is_string())
    );
    assert_eq!(ld["@graph"][1]["@type"], "FAQPage");
    assert!(ld["@graph"][1]["mainEntity"][0]["acceptedAnswer"]["text"].is_string());
}

#[test]
fn a_page_without_contact_details_is_an_organization() {
    let mut page = sample();
    page.sections.retain(|s| {
        !matches!(
            s.content,
            visions_domain::page::SectionContent::Contact(_)
                | visions_domain::page::SectionContent::Faq(_)
        )
    });
    let doc = Html::parse_document(&render_page(&page));
    let scripts = elements(&doc, "script");
    let ld: Value = serde_json::from_str(&scripts[0].text().collect::<String>()).unwrap();
    assert_eq!(ld["@graph"][0]["@type"], "Organization");
    assert_eq!(
        ld["@graph"].as_array().unwrap().len(),
        1,
        "no FAQPage without a FAQ"
    );
}

#[test]
fn one_h1_and_headings_never_skip_a_level() {
    let doc = Html::parse_document(&render_page(&sample()));
    assert_headings_in_order(&doc);
    let h1 = elements(&doc, "h1");
    assert_eq!(
        text(&h1[0]),
        "Ride smoother with repairs done right the first time"
    );
    assert_eq!(elements(&doc, "#hero h1").len(), 1);
    assert_eq!(elements(&doc, "#features h3").len(), 6);
    assert_eq!(elements(&doc, "#pricing h3").len(), 3);
}

#[test]
fn without_a_hero_the_first_section_heading_is_the_h1() {
    let mut json = sample_json();
    json["sections"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["type"] != "hero");
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_headings_in_order(&doc);
    assert_eq!(
        text(&elements(&doc, "h1")[0]),
        "Trusted by Portland riders and teams"
    );

    // A section whose items are h3 under an h2 puts them at h2 under an h1.
    let mut json = sample_json();
    json["sections"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["type"] == "features");
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_headings_in_order(&doc);
    assert_eq!(elements(&doc, "#features h2").len(), 6);
}

#[test]
fn every_image_has_alternative_text() {
    // Placeholders (no src yet) and real images (src set) both carry alt text.
    for with_src in [false, true] {
        let mut json = sample_json();
        if with_src {
            for section in json["sections"].as_array_mut().unwrap() {
                let props = &mut section["props"];
                if props.get("image").is_some_and(Value::is_object) {
                    props["image"]["src"] = "https://cdn.example.com/img/hero.webp".into();
                }
                if let Some(images) = props.get_mut("images").and_then(Value::as_array_mut) {
                    for (i, image) in images.iter_mut().enumerate() {
                        image["src"] = format!("/assets/gallery-{i}.webp").into();
                    }
                }
            }
            // One slot with an empty alt: the renderer falls back to the section heading.
            json["sections"][7]["props"]["images"][1]["alt"] = "".into();
        }
        let doc = Html::parse_document(&render_page(&page_from(json)));
        let imgs = elements(&doc, "img");
        let placeholders = elements(&doc, "[role=img]");
        if with_src {
            assert_eq!(imgs.len(), 7);
            assert!(placeholders.is_empty());
        } else {
            assert!(imgs.is_empty());
            assert_eq!(placeholders.len(), 7);
        }
        for img in &imgs {
            assert!(
                !img.attr("alt").unwrap_or("").trim().is_empty(),
                "{:?}",
                img.value()
            );
            assert!(img.attr("width").is_some() && img.attr("height").is_some());
            assert!(img.attr("decoding").is_some());
        }
        for ph in &placeholders {
            assert!(!ph.attr("aria-label").unwrap_or("").trim().is_empty());
        }
        if with_src {
            let hero = elements(&doc, "#hero img")[0];
            assert_eq!(hero.attr("loading"), Some("eager"));
            assert_eq!(hero.attr("fetchpriority"), Some("high"));
            for img in elements(&doc, "#gallery img") {
                assert_eq!(img.attr("loading"), Some("lazy"));
                assert_eq!(img.attr("fetchpriority"), None);
            }
            assert_eq!(
                elements(&doc, "#gallery img")[1].attr("alt"),
                Some("Inside the workshop")
            );
            assert_eq!(
                elements(&doc, "meta[property='og:image']")[0].attr("content"),
                Some("https://cdn.example.com/img/hero.webp")
            );
        }
    }
}

#[test]
fn components_use_the_semantic_elements() {
    let page = sample();
    let doc = Html::parse_document(&render_page(&page));
    // FAQ: one details/summary per question.
    assert_eq!(elements(&doc, "#faq details > summary").len(), 4);
    assert_eq!(
        text(&elements(&doc, "#faq summary")[0]),
        "Do I need an appointment?"
    );
    // Stats: a description list.
    assert_eq!(elements(&doc, "#stats dl dt").len(), 4);
    assert_eq!(elements(&doc, "#stats dl dd").len(), 4);
    // Testimonials: figure > blockquote + figcaption.
    assert_eq!(elements(&doc, "#testimonials figure > blockquote").len(), 3);
    assert_eq!(elements(&doc, "#testimonials figure > figcaption").len(), 3);
    // Pricing: a list of cards, the highlighted one marked in words, not by colour alone.
    let plans = elements(&doc, "#pricing ul.plans > li");
    assert_eq!(plans.len(), 3);
    let highlighted: Vec<_> = plans
        .iter()
        .filter(|p| p.value().classes().any(|c| c == "hi"))
        .collect();
    assert_eq!(highlighted.len(), 1);
    let heading = text(&highlighted[0].select(&sel("h3")).next().unwrap());
    assert_eq!(heading, "Full tune-up Most popular");
    for plan in plans
        .iter()
        .filter(|p| !p.value().classes().any(|c| c == "hi"))
    {
        assert!(!text(plan).contains("Most popular"));
    }
    // Steps: an ordered list.
    assert_eq!(elements(&doc, "#how-it-works ol > li").len(), 4);
    // Logos: text wordmarks.
    assert_eq!(elements(&doc, "#logos li").len(), 5);
}

#[test]
fn every_section_type_and_variant_renders_distinctly() {
    let page = sample();
    for kind in SectionType::ALL {
        let section = page
            .sections
            .iter()
            .find(|s| s.content.section_type() == kind)
            .expect("the fixture has every type");
        let mut bodies = Vec::new();
        for variant in kind.variants() {
            let mut one = page.clone();
            let mut section = section.clone();
            section.variant = (*variant).to_owned();
            one.sections = vec![section.clone()];
            let html = render_page(&one);
            let doc = Html::parse_document(&html);
            if kind != SectionType::Footer {
                assert_headings_in_order(&doc);
            }
            let selector = if kind == SectionType::Footer {
                "footer".to_owned()
            } else {
                format!("main > section#{}.is-{variant}", section.id)
            };
            let found = elements(&doc, &selector);
            assert_eq!(found.len(), 1, "{kind:?}/{variant}: {selector}");
            bodies.push(found[0].inner_html());
        }
        let distinct: HashSet<&String> = bodies.iter().collect();
        assert_eq!(
            distinct.len(),
            bodies.len(),
            "{kind:?}: every variant looks different"
        );
    }
    // An unknown variant falls back to the type's first one.
    let mut json = sample_json();
    json["sections"][0]["variant"] = "diagonal".into();
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_eq!(elements(&doc, "#hero.is-split").len(), 1);
}

/// Payloads that must come out as text, never markup.
const HOSTILE: &str =
    "<xss-marker onclick=alert(1)>\"'</style></script><!-- --><script>alert(1)</script>";

fn replace_strings(value: &mut Value, with: &str) {
    match value {
        Value::String(s) => *s = format!("{s}{with}"),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, with)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, with)),
        _ => {}
    }
}

fn assert_inert(html: &str) {
    let doc = Html::parse_document(html);
    for el in all_elements(&doc) {
        let name = el.value().name();
        assert_ne!(name, "xss-marker", "injected element");
        assert_ne!(name, "iframe");
        assert_ne!(name, "object");
        assert_ne!(name, "base");
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "event handler {attr}={value}");
            assert_ne!(attr, "style", "no inline styles (the CSP allows none)");
        }
        if let Some(href) = el.attr("href") {
            let ok = href.starts_with('#')
                || href.starts_with("https://")
                || href.starts_with("mailto:")
                || href.starts_with("tel:")
                || (href.starts_with('/') && !href.starts_with("//"))
                || (name == "link" && href == "data:,");
            assert!(ok, "href {href:?} on <{name}>");
        }
        if let Some(src) = el.attr("src") {
            assert!(
                src.starts_with("https://") || (src.starts_with('/') && !src.starts_with("//")),
                "src {src:?}"
            );
        }
    }
    let scripts = elements(&doc, "script");
    assert_eq!(scripts.len(), 1, "only the JSON-LD block");
    assert_eq!(scripts[0].attr("type"), Some("application/ld+json"));
    let ld = scripts[0].text().collect::<String>();
    assert!(
        serde_json::from_str::<Value>(&ld).is_ok(),
        "JSON-LD stays valid JSON: {ld}"
    );
    assert!(!ld.contains('<'), "no raw < in JSON-LD");
    assert_eq!(elements(&doc, "style").len(), 1);
    assert_eq!(html.matches("</style>").count(), 1);
    assert_eq!(html.matches("</script>").count(), 1);
    assert!(!html.contains("<!--"));
    let lower = html.to_ascii_lowercase();
    for needle in [
        "javascript:",
        "vbscript:",
        "data:text",
        "data:image",
        "<script>alert",
        "http://",
    ] {
        assert!(!lower.contains(needle), "{needle} in output");
    }
}

#[test]
fn every_string_the_page_carries_is_escaped() {
    let mut json = sample_json();
    replace_strings(&mut json["seo"], HOSTILE);
    replace_strings(&mut json["theme"], HOSTILE);
    replace_strings(&mut json["provenance"], HOSTILE);
    json["locale"] = format!("en{HOSTILE}").into();
    for section in json["sections"].as_array_mut().unwrap() {
        replace_strings(&mut section["props"], HOSTILE);
        replace_strings(&mut section["id"], HOSTILE);
    }
    let page = page_from(json);
    let html = render_page(&page);
    assert_inert(&html);
    let doc = Html::parse_document(&html);
    // The text survives as text.
    assert!(
        text(&elements(&doc, "h1")[0]).ends_with(
            HOSTILE
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_str()
        )
    );
    assert_eq!(elements(&doc, "html")[0].attr("lang"), Some("en"));
    let ld: Value =
        serde_json::from_str(&elements(&doc, "script")[0].text().collect::<String>()).unwrap();
    assert_eq!(
        ld["@graph"][0]["name"],
        format!("Fernhill Bike Works{HOSTILE}")
    );
    // Ids stay unique and valid.
    let ids: Vec<&str> = all_elements(&doc)
        .iter()
        .filter_map(|e| e.attr("id"))
        .collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "{ids:?}"
    );
    for id in ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{id}"
        );
    }
    // A hostile theme still yields readable colours.
    assert_theme_contrast(&doc);
}

#[test]
fn hostile_urls_are_neutralised() {
    let hrefs = [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "http://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/..//evil.example",
        "https://user:pass@evil.example/",
        "\"><img src=x onerror=alert(1)>",
        "#\"><script>",
        "mailto:",
        "tel:call-me",
    ];
    for (i, href) in hrefs.iter().enumerate() {
        let mut json = sample_json();
        json["sections"][0]["props"]["primary_cta"]["href"] = (*href).into();
        json["sections"][10]["props"]["cta"]["href"] = (*href).into();
        json["sections"][12]["props"]["links"][0]["href"] = (*href).into();
        json["sections"][0]["props"]["image"]["src"] = (*href).into();
        json["sections"][7]["props"]["images"][i % 5]["src"] = "data:image/png;base64,AAAA".into();
        let html = render_page(&page_from(json));
        assert_inert(&html);
        let doc = Html::parse_document(&html);
        assert_eq!(
            elements(&doc, "#hero .actions a")[0].attr("href"),
            Some("#"),
            "{href:?}"
        );
        assert_eq!(
            elements(&doc, "#cta a")[0].attr("href"),
            Some("#"),
            "{href:?}"
        );
        assert!(
            elements(&doc, "img").is_empty(),
            "{href:?} as an image source"
        );
    }

    // The allow-list itself.
    for (input, expected) in [
        ("#pricing", Some("#pricing")),
        (
            "https://example.com/a b?q=1",
            Some("https://example.com/a%20b?q=1"),
        ),
        ("HTTPS://Example.com", Some("https://example.com/")),
        ("mailto:hello@example.com", Some("mailto:hello@example.com")),
        ("tel:+1 503 555 0142", Some("tel:+15035550142")),
        ("/privacy", Some("/privacy")),
        ("/a/../b", Some("/b")),
        ("javascript:alert(1)", None),
        ("http://example.com", None),
        ("//example.com", None),
        ("ftp://example.com", None),
        ("relative/path", None),
        ("", None),
    ] {
        assert_eq!(safe_href(input).as_deref(), expected, "{input:?}");
    }
    assert_eq!(
        safe_image_src("/img/a.webp").as_deref(),
        Some("/img/a.webp")
    );
    assert_eq!(
        safe_image_src("https://cdn.example.com/a.webp").as_deref(),
        Some("https://cdn.example.com/a.webp")
    );
    for bad in [
        "data:image/png;base64,AAAA",
        "http://cdn.example.com/a.png",
        "//cdn/a.png",
        "mailto:a@b.c",
        "#x",
    ] {
        assert_eq!(safe_image_src(bad), None, "{bad}");
    }
}

#[test]
fn fragment_links_follow_section_ids() {
    let mut json = sample_json();
    json["sections"][8]["id"] = "Our Prices!".into();
    json["sections"][0]["props"]["primary_cta"]["href"] = "#Our Prices!".into();
    json["sections"][1]["id"] = "hero".into(); // a duplicate id
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_eq!(elements(&doc, "section#our-prices").len(), 1);
    assert_eq!(
        elements(&doc, "#hero .actions a")[0].attr("href"),
        Some("#our-prices")
    );
    assert_eq!(elements(&doc, "section#hero").len(), 1);
    assert_eq!(elements(&doc, "section#hero-2.logos").len(), 1);
}

#[test]
fn no_external_resources() {
    let html = render_page(&sample());
    let doc = Html::parse_document(&html);
    for el in all_elements(&doc) {
        for attr in ["src", "srcset", "poster", "data"] {
            assert!(
                el.attr(attr)
                    .is_none_or(|v| v.starts_with('/') && !v.starts_with("//")),
                "{attr}"
            );
        }
    }
    let links = elements(&doc, "link");
    assert_eq!(links.len(), 1, "only the empty favicon");
    let css = elements(&doc, "style")[0].text().collect::<String>();
    assert!(!css.contains("url("), "no fetched CSS resources");
    assert!(!css.contains("@import") && !css.contains("@font-face"));
    assert!(!html.contains("http://"));
    // The brand font comes first, system fonts after.
    assert!(css.contains("--fh:\"Fraunces\",ui-serif"), "{css}");
    assert!(css.contains("--fb:\"Inter\",system-ui"));
    // A CSP that allows this stylesheet and no script.
    let csp = elements(&doc, "meta[http-equiv=Content-Security-Policy]")[0]
        .attr("content")
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"));
    assert!(!csp.contains("unsafe"));
}

#[test]
fn generic_link_labels_are_completed_with_their_heading() {
    for label in [
        "click here",
        "Learn more",
        "  MORE ",
        "Read more →",
        "here",
        "En savoir plus",
        "",
    ] {
        assert!(!is_descriptive_link_text(label), "{label:?}");
    }
    for label in [
        "Book a tune-up",
        "See our prices",
        "Start a care plan",
        "Call (503) 555-0142",
    ] {
        assert!(is_descriptive_link_text(label), "{label:?}");
    }
    let mut json = sample_json();
    json["sections"][8]["props"]["plans"][0]["cta"]["label"] = "Learn more".into();
    json["sections"][10]["props"]["cta"]["label"] = "Click here".into();
    json["sections"][0]["props"]["primary_cta"]["label"] = "".into();
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_eq!(
        text(&elements(&doc, "#pricing .plan a")[0]),
        "Learn more: Safety check"
    );
    assert_eq!(
        text(&elements(&doc, "#cta a")[0]),
        "Click here: Ready for a smoother ride?"
    );
    assert_eq!(
        text(&elements(&doc, "#hero .actions a")[0]),
        "Ride smoother with repairs done right the first time"
    );
    for link in elements(&doc, "a") {
        assert!(is_descriptive_link_text(&text(&link)), "{:?}", text(&link));
    }
}

#[test]
fn rendered_colours_meet_wcag_aa_for_every_theme() {
    let doc = Html::parse_document(&render_page(&sample()));
    assert_theme_contrast(&doc);

    // Pathological brand kits, through the theme builder.
    let kits = [
        ("#FFE600", "#FFFFFF", "#BBBBBB"), // yellow primary, near-grey text
        ("#00FFFF", "#0A0A0A", "#222222"), // dark background, dark text
        ("#808080", "#777777", "#888888"), // everything mid-grey
        ("#FFFFFF", "#FFFFFF", "#FFFFFF"), // white on white on white
        ("#000", "#000", "#000"),
    ];
    for (primary, background, text_colour) in kits {
        let brand = BrandKit {
            colors: BrandColors {
                primary: Some(primary.into()),
                background: Some(background.into()),
                text: Some(text_colour.into()),
                ..Default::default()
            },
            fonts: BrandFonts {
                heading: Some("Playfair Display".into()),
                body: None,
            },
            ..Default::default()
        };
        let theme = build_theme(&brand, &Palette::default());
        for (fg, bg) in [
            (&theme.text, &theme.background),
            (&theme.text, &theme.surface),
            (&theme.muted_text, &theme.background),
            (&theme.muted_text, &theme.surface),
            (&theme.on_primary, &theme.primary),
        ] {
            assert!(contrast_ratio(fg, bg) >= 4.5, "{fg} on {bg}: {theme:?}");
        }
        let mut page = sample();
        page.theme = theme;
        let doc = Html::parse_document(&render_page(&page));
        assert_theme_contrast(&doc);
    }

    // A hand-written theme that ignores contrast is corrected at render time.
    let mut page = sample();
    page.theme.text = page.theme.background.clone();
    page.theme.muted_text = "#EEEEEE".into();
    page.theme.on_primary = page.theme.primary.clone();
    page.theme.surface = "#FFFFFF".into();
    let doc = Html::parse_document(&render_page(&page));
    assert_theme_contrast(&doc);
}

#[test]
fn localised_renderer_strings() {
    let mut json = sample_json();
    json["locale"] = "fr-FR".into();
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_eq!(elements(&doc, "html")[0].attr("lang"), Some("fr-FR"));
    assert_eq!(text(&elements(&doc, "a.skip")[0]), "Aller au contenu");
    assert!(text(&elements(&doc, ".plan.hi h3")[0]).contains("Le plus choisi"));
    assert_eq!(elements(&doc, "html")[0].attr("dir"), None);

    let mut json = sample_json();
    json["locale"] = "ar-EG".into();
    let doc = Html::parse_document(&render_page(&page_from(json)));
    assert_eq!(elements(&doc, "html")[0].attr("lang"), Some("ar-EG"));
    assert_eq!(elements(&doc, "html")[0].attr("dir"), Some("rtl"));
}
