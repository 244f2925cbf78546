//! The quality gate a page passes before it may be published. It reads the rendered HTML for
//! what a visitor meets (contrast, headings, the first screen, images, links, leftovers) and,
//! when it has the page JSON, what the page claims and where its buttons go, against the
//! brief the page records (`provenance.prompt`). Findings have stable codes; any blocking
//! finding makes the page not publishable, and the score drops with each finding.

mod html;

use visions_agents::claims::{self, Sources};
use visions_agents::task::Brief;
use visions_agents::validate;
use visions_domain::page::{Finding, Page, Quality, SectionContent, Severity};
use visions_facts::ActionKind;

/// Points a finding costs the score.
const BLOCKING_COST: u8 = 15;
const WARNING_COST: u8 = 3;

/// The gate on a page: its rendered HTML, its rules, its claims and its buttons.
pub fn check_page(page: &Page) -> Quality {
    let html = visions_page::render_page(page);
    let mut findings = html::check(&html);
    let brief = Brief::new(
        &page.provenance.prompt,
        &page.locale,
        &page.provenance.project_name,
        &page.provenance.project_description,
        Default::default(),
    );
    let sources = Sources::of(&brief);
    let ids: Vec<&str> = page.sections.iter().map(|s| s.id.as_str()).collect();
    for section in &page.sections {
        let at = Some(section.id.clone());
        let mut add = |code: &str, severity, message: String| {
            findings.push(Finding {
                code: code.into(),
                severity,
                section: at.clone(),
                message,
            });
        };
        let props = serde_json::to_value(&section.content)
            .ok()
            .and_then(|v| v.get("props").cloned())
            .unwrap_or_default();
        if let Err(problems) = validate::section_content(section.content.section_type(), props) {
            for problem in problems {
                add("length", Severity::Blocking, problem);
            }
        }
        for problem in claims::check(&section.content, &sources) {
            let code = if problem.contains("links to") {
                "cta-target"
            } else {
                "unsupported-claim"
            };
            add(code, Severity::Blocking, problem);
        }
        for href in hrefs(&section.content) {
            match href.strip_prefix('#') {
                Some(anchor) if anchor == section.id => add(
                    "cta-target",
                    Severity::Blocking,
                    format!("a button points at its own section ({href})"),
                ),
                Some(anchor) if !ids.contains(&anchor) => add(
                    "cta-target",
                    Severity::Blocking,
                    format!("{href} names no section of the page"),
                ),
                // Outside links that are not the brief's are reported by the claims check.
                _ => {}
            }
        }
        if let SectionContent::Contact(contact) = &section.content {
            if let Some(form) = &contact.form {
                if !form.action.starts_with("/v1/forms/") && !form.action.starts_with("https://") {
                    add(
                        "form-action",
                        Severity::Blocking,
                        "the contact form has no address to send messages to".into(),
                    );
                }
            }
        }
        for image in visions_page_images(&section.content) {
            if image.src.is_none() && image.picture.is_none() {
                add(
                    "unfilled-slot",
                    Severity::Warning,
                    match &image.failure {
                        Some(reason) => format!(
                            "image `{}` was not made ({reason}); a themed placeholder is shown",
                            image.id
                        ),
                        None => format!(
                            "image `{}` has no picture yet (a themed placeholder is shown)",
                            image.id
                        ),
                    },
                );
            }
        }
    }
    // A page whose only way to act is a form that is missing is a page nobody can act on.
    let has_target = brief
        .facts
        .actions()
        .iter()
        .any(|a| a.kind != ActionKind::Form)
        || page
            .sections
            .iter()
            .any(|s| matches!(&s.content, SectionContent::Contact(c) if c.form.is_some()));
    if !has_target {
        findings.push(Finding {
            code: "cta-target".into(),
            severity: Severity::Blocking,
            section: None,
            message: "no call to action leads anywhere: add a link, phone, email or a contact form"
                .into(),
        });
    }
    quality(findings)
}

/// The gate on HTML alone (a page from elsewhere, or an exported file): what a visitor meets.
pub fn check_html(html: &str) -> Quality {
    quality(html::check(html))
}

fn quality(findings: Vec<Finding>) -> Quality {
    let cost: u32 = findings
        .iter()
        .map(|f| match f.severity {
            Severity::Blocking => u32::from(BLOCKING_COST),
            Severity::Warning => u32::from(WARNING_COST),
        })
        .sum();
    Quality {
        score: 100u32.saturating_sub(cost) as u8,
        publishable: !findings.iter().any(|f| f.severity == Severity::Blocking),
        findings,
    }
}

fn hrefs(content: &SectionContent) -> Vec<&str> {
    match content {
        SectionContent::Hero(p) => std::iter::once(&p.primary_cta)
            .chain(p.secondary_cta.as_ref())
            .map(|c| c.href.as_str())
            .collect(),
        SectionContent::Pricing(p) => p.plans.iter().map(|plan| plan.cta.href.as_str()).collect(),
        SectionContent::Cta(p) => vec![p.cta.href.as_str()],
        SectionContent::Footer(p) => p.links.iter().map(|l| l.href.as_str()).collect(),
        _ => Vec::new(),
    }
}

fn visions_page_images(content: &SectionContent) -> Vec<&visions_domain::page::ImageSlot> {
    content.image_slots()
}
