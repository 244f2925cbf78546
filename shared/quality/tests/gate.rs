//! The gate finds what a reviewer would: each finding by its stable code.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // Helpers of tests assert by unwrapping.

use visions_domain::page::{Page, SectionContent, Severity};
use visions_quality::{check_html, check_page};

fn codes(quality: &visions_domain::page::Quality) -> Vec<&str> {
    quality.findings.iter().map(|f| f.code.as_str()).collect()
}

fn sample() -> Page {
    serde_json::from_str(include_str!("../../../tests/fixtures/sample-page.json")).unwrap()
}

#[test]
fn hostile_html_gets_every_finding() {
    let words = "word ".repeat(120);
    let html = format!(
        r#"<!doctype html><html><head><style>:root{{--tx:#999999;--bg:#ffffff}}</style></head>
        <body><main><h1>One</h1><h1>Two</h1><h2>Fine</h2><h4>Skipped a level</h4>
        <p>{words}</p><p>Lorem ipsum dolor sit amet, {{business}} welcomes you.</p>
        <img src="/a.webp"><div role="img"></div>
        <a href="/x">Click here</a><a class="btn" href="https://example.com/book">Book a table</a>
        </main></body></html>"#
    );
    let quality = check_html(&html);
    let found = codes(&quality);
    for code in [
        "contrast",
        "h1-count",
        "heading-order",
        "cta-first-screen",
        "img-alt",
        "link-text",
        "placeholder",
    ] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    assert!(!quality.publishable);
    assert!(quality.score < 20, "{}", quality.score);
}

#[test]
fn a_clean_rendered_page_passes() {
    let mut page = sample();
    page.provenance.prompt = sample_brief(&page);
    let quality = check_page(&page);
    let blocking: Vec<_> = quality
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .collect();
    assert!(blocking.is_empty(), "{blocking:#?}");
    assert!(quality.publishable);
}

/// A brief stating everything the sample page states, so its claims are supported.
fn sample_brief(page: &Page) -> String {
    let value = serde_json::to_value(page).unwrap();
    let mut text = String::new();
    fn walk(value: &serde_json::Value, key: &str, out: &mut String) {
        match value {
            serde_json::Value::String(s) if key != "action" => {
                out.push_str(s);
                out.push_str(". ");
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, key, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, out)),
            _ => {}
        }
    }
    walk(&value["sections"], "", &mut text);
    text
}

#[test]
fn invented_claims_and_dead_buttons_block_publishing() {
    let mut page = sample();
    page.provenance.prompt = "Rosa's Bakery, a sourdough bakery in Portland.".into();
    for section in &mut page.sections {
        match &mut section.content {
            SectionContent::Cta(cta) => cta.cta.href = format!("#{}", section.id),
            SectionContent::Contact(contact) => {
                if let Some(form) = &mut contact.form {
                    form.action = String::new();
                }
            }
            _ => {}
        }
    }
    let quality = check_page(&page);
    let found = codes(&quality);
    for code in ["unsupported-claim", "cta-target", "form-action"] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    assert!(!quality.publishable);
}
