//! Model output is data: each answer is checked against the page schema and the rules a page
//! must keep before anything is rendered. Problems are phrased for the repair round-trip.

use std::collections::HashSet;

use serde_json::Value;

use super::rules::{self, CountRule, TextRule};
use super::task::{ImageBriefs, LayoutPlan};
use visions_domain::page::*;
use visions_page::{self as render, is_descriptive_link_text};

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

    /// A text that may be empty, within `max` characters.
    fn optional(&mut self, field: &str, value: &str, max: usize) {
        if !value.trim().is_empty() {
            self.text(field, value, max);
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

    /// Every length and count rule of the table, over the answer as JSON.
    fn rules(&mut self, value: &Value, texts: &[TextRule], counts: &[CountRule]) {
        for rule in texts {
            for (at, found) in rules::find(value, rule.path) {
                let text = found.as_str().unwrap_or_default();
                if rule.required {
                    self.text(&at, text, rule.max);
                } else {
                    self.optional(&at, text, rule.max);
                }
            }
        }
        for rule in counts {
            for (at, list) in rules::find_lists(value, rule.path) {
                self.count(&at, list.len(), rule.min..=rule.max);
            }
        }
    }

    fn cta(&mut self, field: &str, cta: &Cta) {
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
    let value = serde_json::to_value(&plan).unwrap_or(Value::Null);
    check.rules(&value, rules::LAYOUT_TEXT, rules::LAYOUT_COUNTS);
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

/// Props of one section, typed by the section's type and checked against the rules table
/// (`rules`) and the rules lengths cannot say.
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
    let value = serde_json::to_value(&content)
        .ok()
        .and_then(|v| v.get("props").cloned())
        .unwrap_or(Value::Null);
    c.rules(
        &value,
        rules::text_rules(section_type),
        rules::count_rules(section_type),
    );
    // What lengths cannot say: links that work and say what they do, unique image ids.
    let mut images = HashSet::new();
    match &content {
        SectionContent::Hero(p) => {
            c.cta("primary_cta", &p.primary_cta);
            if let Some(secondary) = &p.secondary_cta {
                c.cta("secondary_cta", secondary);
            }
            if let Some(image) = &p.image {
                c.image("image", image, &mut images);
            }
        }
        SectionContent::Benefits(p) => {
            if let Some(image) = &p.image {
                c.image("image", image, &mut images);
            }
        }
        SectionContent::Pricing(p) => {
            for (i, plan) in p.plans.iter().enumerate() {
                c.cta(&format!("plans[{i}].cta"), &plan.cta);
            }
            if p.plans.iter().filter(|plan| plan.highlighted).count() > 1 {
                c.problems
                    .push("at most one plan may be `highlighted`".into());
            }
        }
        SectionContent::Gallery(p) => {
            for (i, image) in p.images.iter().enumerate() {
                c.image(&format!("images[{i}]"), image, &mut images);
            }
        }
        SectionContent::Cta(p) => c.cta("cta", &p.cta),
        SectionContent::Contact(p) => {
            if p.form.is_none()
                && [&p.phone, &p.email, &p.address]
                    .iter()
                    .all(|v| v.trim().is_empty())
            {
                c.problems.push(
                    "a contact section needs the brief's phone, email or address, or a `form`"
                        .into(),
                );
            }
        }
        SectionContent::Footer(p) => {
            for (i, link) in p.links.iter().enumerate() {
                if !safe_href(&link.href) {
                    c.problems.push(format!(
                        "`links[{i}].href` must be #section-id, https://…, mailto: or tel:"
                    ));
                }
            }
        }
        SectionContent::Logos(_)
        | SectionContent::Features(_)
        | SectionContent::HowItWorks(_)
        | SectionContent::Testimonials(_)
        | SectionContent::Faq(_)
        | SectionContent::Stats(_) => {}
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
