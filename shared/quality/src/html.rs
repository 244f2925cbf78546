//! What a visitor meets in the HTML: contrast of the page's colour tokens, one `h1` and
//! headings in order, a call to action in the first screen, alt text, link text that says
//! where it goes, and no template leftovers.

use scraper::{ElementRef, Html, Node, Selector};
use visions_domain::page::{Finding, Severity};
use visions_page::is_descriptive_link_text;
use visions_page::theme::contrast_ratio;

/// WCAG 2.1 AA for body text.
const AA: f64 = 4.5;
/// Words of text before the first button that still fit a 375 px first screen (an estimate
/// from the renderer's type scale: about ten words per line at that width, and room for the
/// header).
const FIRST_SCREEN_WORDS: usize = 60;

fn finding(code: &str, severity: Severity, message: String) -> Finding {
    Finding {
        code: code.into(),
        severity,
        section: None,
        message,
    }
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

pub fn check(html: &str) -> Vec<Finding> {
    let document = Html::parse_document(html);
    let mut findings = Vec::new();
    contrast(&document, &mut findings);
    headings(&document, &mut findings);
    first_screen(&document, &mut findings);
    images(&document, &mut findings);
    links(&document, &mut findings);
    leftovers(&document, &mut findings);
    findings
}

/// The renderer's colour tokens (`:root{--tx:…;--bg:…}`): each text colour on each background
/// it is used on.
fn contrast(document: &Html, findings: &mut Vec<Finding>) {
    let Some(style) = selector("style") else {
        return;
    };
    let css: String = document.select(&style).flat_map(|s| s.text()).collect();
    let Some(root) = css
        .split(":root{")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
    else {
        return;
    };
    let token = |name: &str| {
        root.split(';').find_map(|declaration| {
            let (key, value) = declaration.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    const PAIRS: &[(&str, &str, &str)] = &[
        ("--tx", "--bg", "text on the page background"),
        ("--mt", "--bg", "muted text on the page background"),
        ("--lk", "--bg", "links on the page background"),
        ("--tx", "--sf", "text on cards"),
        ("--mt", "--sf", "muted text on cards"),
        ("--op", "--p", "text on the primary colour (buttons, bands)"),
        ("--oa", "--a", "text on the accent colour"),
    ];
    for (fg, bg, what) in PAIRS {
        let (Some(fg_value), Some(bg_value)) = (token(fg), token(bg)) else {
            continue;
        };
        let ratio = contrast_ratio(&fg_value, &bg_value);
        if ratio < AA {
            findings.push(finding(
                "contrast",
                Severity::Blocking,
                format!("{what}: {fg_value} on {bg_value} is {ratio:.2}:1, below {AA}:1 (WCAG AA)"),
            ));
        }
    }
}

fn headings(document: &Html, findings: &mut Vec<Finding>) {
    let Some(all) = selector("h1, h2, h3, h4, h5, h6") else {
        return;
    };
    let levels: Vec<(u8, String)> = document
        .select(&all)
        .map(|h| {
            let level = h
                .value()
                .name()
                .trim_start_matches('h')
                .parse()
                .unwrap_or(6);
            (level, visible_text(h))
        })
        .collect();
    let h1 = levels.iter().filter(|(level, _)| *level == 1).count();
    if h1 != 1 {
        findings.push(finding(
            "h1-count",
            Severity::Blocking,
            format!("the page has {h1} h1 headings; it needs exactly one"),
        ));
    }
    let mut previous = 0u8;
    for (level, text) in &levels {
        if previous > 0 && *level > previous + 1 {
            findings.push(finding(
                "heading-order",
                Severity::Blocking,
                format!("h{level} {text:?} follows an h{previous}: a level is skipped"),
            ));
        }
        previous = *level;
    }
}

/// The first button in the main content, reached within a first screen's worth of words.
fn first_screen(document: &Html, findings: &mut Vec<Finding>) {
    let Some(main) = selector("main").and_then(|s| document.select(&s).next()) else {
        findings.push(finding(
            "cta-first-screen",
            Severity::Blocking,
            "the page has no main content".into(),
        ));
        return;
    };
    let mut words = 0usize;
    for node in main.descendants() {
        if let Some(element) = ElementRef::wrap(node) {
            let class = element.value().attr("class").unwrap_or("");
            if element.value().name() == "a" && class.split_whitespace().any(|c| c == "btn") {
                if words > FIRST_SCREEN_WORDS {
                    findings.push(finding(
                        "cta-first-screen",
                        Severity::Blocking,
                        format!(
                            "the first button comes after {words} words: below the first screen at 375 px"
                        ),
                    ));
                }
                return;
            }
        } else if let Node::Text(text) = node.value() {
            let hidden = node
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "script" | "style" | "template"));
            if !hidden {
                words += text.split_whitespace().count();
            }
        }
    }
    findings.push(finding(
        "cta-first-screen",
        Severity::Blocking,
        "the page has no call-to-action button".into(),
    ));
}

fn images(document: &Html, findings: &mut Vec<Finding>) {
    if let Some(img) = selector("img") {
        for image in document.select(&img) {
            let alt = image.value().attr("alt").unwrap_or("").trim();
            let decorative = image.value().attr("aria-hidden") == Some("true")
                || image.value().attr("role") == Some("presentation");
            if alt.is_empty() && !decorative {
                findings.push(finding(
                    "img-alt",
                    Severity::Blocking,
                    format!(
                        "an image ({}) has no alt text",
                        image.value().attr("src").unwrap_or("no src")
                    ),
                ));
            }
        }
    }
    if let Some(role) = selector("[role=img]") {
        for figure in document.select(&role) {
            let label = figure.value().attr("aria-label").unwrap_or("").trim();
            if label.is_empty() {
                findings.push(finding(
                    "img-alt",
                    Severity::Blocking,
                    "a picture has no text alternative (aria-label)".into(),
                ));
            }
        }
    }
}

fn links(document: &Html, findings: &mut Vec<Finding>) {
    let Some(a) = selector("a[href]") else {
        return;
    };
    for link in document.select(&a) {
        let text = link
            .value()
            .attr("aria-label")
            .map(str::to_owned)
            .unwrap_or_else(|| visible_text(link));
        if !is_descriptive_link_text(&text) {
            findings.push(finding(
                "link-text",
                Severity::Blocking,
                format!(
                    "the link {:?} to {} does not say where it goes",
                    text,
                    link.value().attr("href").unwrap_or("")
                ),
            ));
        }
    }
}

/// Template leftovers and filler a published page must never show.
fn leftovers(document: &Html, findings: &mut Vec<Finding>) {
    let Some(body) = selector("body").and_then(|s| document.select(&s).next()) else {
        return;
    };
    let text = visible_text(body);
    let lower = text.to_lowercase();
    for marker in ["lorem ipsum", "tbd", "xxx", "to fill", "à compléter"] {
        let found = lower
            .split(|c: char| !c.is_alphanumeric() && c != ' ' && c != 'à' && c != 'é')
            .any(|chunk| {
                chunk == marker
                    || chunk.starts_with(&format!("{marker} "))
                    || chunk.ends_with(&format!(" {marker}"))
                    || chunk.contains(&format!(" {marker} "))
            });
        if found {
            findings.push(finding(
                "placeholder",
                Severity::Blocking,
                format!("the page shows {marker:?}"),
            ));
        }
    }
    if let Some(start) = text.find('{') {
        let rest = text.get(start..).unwrap_or("");
        let name_like = rest
            .get(1..)
            .unwrap_or("")
            .split('}')
            .next()
            .is_some_and(|inner| {
                !inner.is_empty()
                    && inner.len() <= 30
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            });
        if name_like && rest.contains('}') {
            findings.push(finding(
                "placeholder",
                Severity::Blocking,
                "the page shows an unfilled template placeholder".into(),
            ));
        }
    }
}

/// The text of an element a visitor reads (not scripts or styles), with spaces collapsed.
fn visible_text(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in element.descendants() {
        if let Node::Text(text) = node.value() {
            let hidden = node
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "script" | "style" | "template"));
            if !hidden {
                out.push_str(text);
                out.push(' ');
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
