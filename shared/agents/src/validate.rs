//! Model output is data: each answer is checked against the page schema and the rules a page
//! must keep before anything is rendered. Problems are phrased for the repair round-trip.

use std::collections::HashSet;

use super::task::{ImageBriefs, LayoutPlan};
use visions_domain::page::*;
use visions_page::{self as render, is_descriptive_link_text};

const MAX_LINE: usize = 160;
const MAX_PARAGRAPH: usize = 700;

struct Checker {
    problems: Vec<String>,
}

impl Checker {
    fn text(&mut self, field: &str, value: &str, max: usize) {
        let value = value.trim();
        if value.is_empty() {
            self.problems.push(format!("`{field}` is empty"));
        } else if value.chars().count() > max {
            self.problems
                .push(format!("`{field}` is longer than {max} characters"));
        }
        if value.to_lowercase().contains("lorem ipsum") {
            self.problems.push(format!("`{field}` is placeholder text"));
        }
    }

    fn count(&mut self, field: &str, len: usize, range: std::ops::RangeInclusive<usize>) {
        if !range.contains(&len) {
            self.problems.push(format!(
                "`{field}` has {len} entries; it needs {} to {}",
                range.start(),
                range.end()
            ));
        }
    }

    fn cta(&mut self, field: &str, cta: &Cta) {
        self.text(&format!("{field}.label"), &cta.label, 40);
        if !is_descriptive_link_text(&cta.label) {
            self.problems.push(format!(
                "`{field}.label` ({:?}) does not say what the link does",
                cta.label
            ));
        }
        if !safe_href(&cta.href) {
            self.problems.push(format!(
                "`{field}.href` must be #section-id, https://…, mailto: or tel:"
            ));
        }
    }

    fn image(&mut self, field: &str, image: &ImageSlot, ids: &mut HashSet<String>) {
        if !is_slug(&image.id) || !ids.insert(image.id.clone()) {
            self.problems
                .push(format!("`{field}.id` must be a unique lower-case slug"));
        }
        self.text(&format!("{field}.alt"), &image.alt, 200);
    }

    fn items(&mut self, field: &str, items: &[Item], range: std::ops::RangeInclusive<usize>) {
        self.count(field, items.len(), range);
        for (i, item) in items.iter().enumerate() {
            self.text(&format!("{field}[{i}].title"), &item.title, 90);
            self.text(&format!("{field}[{i}].body"), &item.body, MAX_PARAGRAPH);
        }
    }

    fn done<T>(self, value: T) -> Result<T, Vec<String>> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(self.problems)
        }
    }
}

pub fn is_slug(value: &str) -> bool {
    (1..=40).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
}

/// Links must survive the renderer's allow-list unchanged in meaning.
fn safe_href(href: &str) -> bool {
    render::safe_href(href).is_some()
}

pub fn layout(plan: LayoutPlan) -> Result<LayoutPlan, Vec<String>> {
    let mut check = Checker {
        problems: Vec::new(),
    };
    check.text("business_name", &plan.business_name, 80);
    check.text("seo.title", &plan.seo.title, 70);
    check.text("seo.description", &plan.seo.description, 200);
    check.text("seo.og_title", &plan.seo.og_title, 90);
    check.text("seo.og_description", &plan.seo.og_description, 200);
    check.count("sections", plan.sections.len(), 4..=12);
    if plan.sections.first().map(|s| s.section_type) != Some(SectionType::Hero) {
        check
            .problems
            .push("the first section must be the `hero`".into());
    }
    if plan.sections.last().map(|s| s.section_type) != Some(SectionType::Footer) {
        check
            .problems
            .push("the last section must be the `footer`".into());
    }
    let mut ids = HashSet::new();
    for (i, section) in plan.sections.iter().enumerate() {
        if !is_slug(&section.id) || !ids.insert(section.id.as_str()) {
            check.problems.push(format!(
                "`sections[{i}].id` ({:?}) must be a unique lower-case slug",
                section.id
            ));
        }
        if !section
            .section_type
            .variants()
            .contains(&section.variant.as_str())
        {
            check.problems.push(format!(
                "`sections[{i}].variant` ({:?}) is not one of {:?} for `{}`",
                section.variant,
                section.section_type.variants(),
                section.section_type.as_str()
            ));
        }
        check.text(&format!("sections[{i}].purpose"), &section.purpose, 400);
    }
    for single in [SectionType::Hero, SectionType::Footer] {
        if plan
            .sections
            .iter()
            .filter(|s| s.section_type == single)
            .count()
            > 1
        {
            check
                .problems
                .push(format!("only one `{}` section is allowed", single.as_str()));
        }
    }
    check.done(plan)
}

/// Props of one section, typed by the section's type and checked.
pub fn section_content(
    section_type: SectionType,
    props: serde_json::Value,
) -> Result<SectionContent, Vec<String>> {
    let tagged = serde_json::json!({"type": section_type.as_str(), "props": props});
    let content: SectionContent = serde_json::from_value(tagged).map_err(|err| {
        vec![format!(
            "the JSON does not match the `{}` schema: {err}",
            section_type.as_str()
        )]
    })?;
    let mut c = Checker {
        problems: Vec::new(),
    };
    let mut images = HashSet::new();
    match &content {
        SectionContent::Hero(p) => {
            c.text("eyebrow", &p.eyebrow, 80);
            c.text("headline", &p.headline, 120);
            c.text("subheadline", &p.subheadline, 320);
            c.cta("primary_cta", &p.primary_cta);
            if let Some(secondary) = &p.secondary_cta {
                c.cta("secondary_cta", secondary);
            }
            if let Some(image) = &p.image {
                c.image("image", image, &mut images);
            }
        }
        SectionContent::Logos(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.count("names", p.names.len(), 3..=8);
            for (i, name) in p.names.iter().enumerate() {
                c.text(&format!("names[{i}]"), name, 40);
            }
        }
        SectionContent::Features(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.text("intro", &p.intro, MAX_PARAGRAPH);
            c.items("items", &p.items, 2..=6);
        }
        SectionContent::Benefits(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.items("items", &p.items, 2..=6);
            if let Some(image) = &p.image {
                c.image("image", image, &mut images);
            }
        }
        SectionContent::HowItWorks(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.items("steps", &p.steps, 2..=5);
        }
        SectionContent::Testimonials(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.count("items", p.items.len(), 1..=4);
            for (i, t) in p.items.iter().enumerate() {
                c.text(&format!("items[{i}].quote"), &t.quote, 400);
                c.text(&format!("items[{i}].name"), &t.name, 60);
                c.text(&format!("items[{i}].role"), &t.role, 80);
            }
        }
        SectionContent::Pricing(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.text("intro", &p.intro, MAX_PARAGRAPH);
            c.count("plans", p.plans.len(), 1..=4);
            for (i, plan) in p.plans.iter().enumerate() {
                c.text(&format!("plans[{i}].name"), &plan.name, 40);
                c.text(&format!("plans[{i}].price"), &plan.price, 24);
                c.count(&format!("plans[{i}].features"), plan.features.len(), 1..=8);
                for (k, feature) in plan.features.iter().enumerate() {
                    c.text(&format!("plans[{i}].features[{k}]"), feature, 120);
                }
                c.cta(&format!("plans[{i}].cta"), &plan.cta);
            }
            if p.plans.iter().filter(|plan| plan.highlighted).count() > 1 {
                c.problems
                    .push("at most one plan may be `highlighted`".into());
            }
        }
        SectionContent::Faq(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.count("items", p.items.len(), 3..=8);
            for (i, q) in p.items.iter().enumerate() {
                c.text(&format!("items[{i}].question"), &q.question, 200);
                c.text(&format!("items[{i}].answer"), &q.answer, MAX_PARAGRAPH);
            }
        }
        SectionContent::Stats(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.count("items", p.items.len(), 2..=4);
            for (i, s) in p.items.iter().enumerate() {
                c.text(&format!("items[{i}].value"), &s.value, 16);
                c.text(&format!("items[{i}].label"), &s.label, 90);
            }
        }
        SectionContent::Gallery(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.count("images", p.images.len(), 2..=6);
            for (i, image) in p.images.iter().enumerate() {
                c.image(&format!("images[{i}]"), image, &mut images);
            }
        }
        SectionContent::Cta(p) => {
            c.text("heading", &p.heading, MAX_LINE);
            c.text("body", &p.body, MAX_PARAGRAPH);
            c.cta("cta", &p.cta);
        }
        SectionContent::Footer(p) => {
            c.text("business_name", &p.business_name, 80);
            c.text("tagline", &p.tagline, MAX_LINE);
            c.text("legal", &p.legal, 200);
            c.count("links", p.links.len(), 0..=8);
            for (i, link) in p.links.iter().enumerate() {
                c.text(&format!("links[{i}].label"), &link.label, 40);
                if !safe_href(&link.href) {
                    c.problems.push(format!(
                        "`links[{i}].href` must be #section-id, https://…, mailto: or tel:"
                    ));
                }
            }
        }
    }
    c.done(content)
}

pub fn image_briefs(briefs: ImageBriefs, expected: &[String]) -> Result<ImageBriefs, Vec<String>> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    for id in expected {
        match briefs.briefs.iter().find(|b| &b.slot_id == id) {
            Some(brief) => c.text(&format!("brief for {id}"), &brief.brief, 600),
            None => c.problems.push(format!("no brief for slot `{id}`")),
        }
    }
    c.done(briefs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_allow_listed() {
        for good in [
            "#contact",
            "https://example.com/x?y=1",
            "mailto:hi@example.com",
            "tel:+15551234",
        ] {
            assert!(safe_href(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "http://example.com",
            "//evil.com",
            "# x",
            "vbscript:msgbox(1)",
        ] {
            assert!(!safe_href(bad), "{bad}");
        }
    }

    #[test]
    fn wrong_shape_and_bad_values_are_named() {
        let err =
            section_content(SectionType::Cta, serde_json::json!({"heading": "x"})).unwrap_err();
        assert!(err[0].contains("missing field"), "{err:?}");
        let err = section_content(
            SectionType::Cta,
            serde_json::json!({"heading": "Ready?", "body": "", "cta": {"label": "Click here", "href": "javascript:alert(1)"}}),
        )
        .unwrap_err();
        assert_eq!(err.len(), 3, "{err:?}");
    }
}
