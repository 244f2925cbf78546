//! Every rule a model's answer is held to, in one table: the validator enforces it, the
//! schema sent to providers carries it where the dialect can say it (`maxLength`, `minItems`,
//! `maxItems`), the prompt states all of it in words, and the composer fits its copy to it. A
//! model that follows what it is sent passes validation.

use serde_json::Value;
use visions_domain::page::SectionType;

/// A text field: where it is (dots between names; arrays are crossed implicitly), its longest
/// allowed length in characters, and whether it may be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    pub path: &'static str,
    pub max: usize,
    pub required: bool,
}

/// How many entries a list must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountRule {
    pub path: &'static str,
    pub min: usize,
    pub max: usize,
}

const fn text(path: &'static str, max: usize) -> TextRule {
    TextRule {
        path,
        max,
        required: true,
    }
}

const fn optional(path: &'static str, max: usize) -> TextRule {
    TextRule {
        path,
        max,
        required: false,
    }
}

const fn count(path: &'static str, min: usize, max: usize) -> CountRule {
    CountRule { path, min, max }
}

pub const LINE: usize = 160;
pub const PARAGRAPH: usize = 700;
pub const LABEL: usize = 40;
pub const ALT: usize = 200;

/// The layout plan's rules (the plan is not a section).
pub const LAYOUT_TEXT: &[TextRule] = &[
    text("business_name", 80),
    text("seo.title", 70),
    text("seo.description", 200),
    text("seo.og_title", 90),
    text("seo.og_description", 200),
    text("sections.purpose", 400),
];
pub const LAYOUT_COUNTS: &[CountRule] = &[count("sections", 4, 12)];

pub fn text_rules(section: SectionType) -> &'static [TextRule] {
    match section {
        SectionType::Hero => {
            const RULES: &[TextRule] = &[
                text("eyebrow", 80),
                text("headline", 120),
                text("subheadline", 320),
                text("primary_cta.label", LABEL),
                text("secondary_cta.label", LABEL),
                text("image.alt", ALT),
            ];
            RULES
        }
        SectionType::Logos => {
            const RULES: &[TextRule] = &[text("heading", LINE), text("names", 40)];
            RULES
        }
        SectionType::Features => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("intro", PARAGRAPH),
                text("items.title", 90),
                text("items.body", PARAGRAPH),
            ];
            RULES
        }
        SectionType::Benefits => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("items.title", 90),
                text("items.body", PARAGRAPH),
                text("image.alt", ALT),
            ];
            RULES
        }
        SectionType::HowItWorks => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("steps.title", 90),
                text("steps.body", PARAGRAPH),
            ];
            RULES
        }
        SectionType::Testimonials => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("items.quote", 400),
                // Who said it, only as the brief says: both may be empty.
                optional("items.name", 60),
                optional("items.role", 80),
            ];
            RULES
        }
        SectionType::Pricing => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("intro", PARAGRAPH),
                text("plans.name", 40),
                text("plans.price", 40),
                optional("plans.period", 40),
                text("plans.features", 120),
                text("plans.cta.label", LABEL),
            ];
            RULES
        }
        SectionType::Faq => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("items.question", 200),
                text("items.answer", PARAGRAPH),
            ];
            RULES
        }
        SectionType::Stats => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("items.value", 16),
                text("items.label", 90),
            ];
            RULES
        }
        SectionType::Gallery => {
            const RULES: &[TextRule] = &[text("heading", LINE), text("images.alt", ALT)];
            RULES
        }
        SectionType::Cta => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("body", PARAGRAPH),
                text("cta.label", LABEL),
            ];
            RULES
        }
        SectionType::Contact => {
            const RULES: &[TextRule] = &[
                text("heading", LINE),
                text("intro", PARAGRAPH),
                optional("phone", 200),
                optional("email", 200),
                optional("address", 200),
                optional("hours", 200),
                text("form.intro", 300),
                text("form.name_label", LABEL),
                text("form.email_label", LABEL),
                text("form.message_label", LABEL),
                text("form.submit_label", LABEL),
            ];
            RULES
        }
        SectionType::Footer => {
            const RULES: &[TextRule] = &[
                text("business_name", 80),
                text("tagline", LINE),
                text("legal", 200),
                text("links.label", LABEL),
            ];
            RULES
        }
    }
}

pub fn count_rules(section: SectionType) -> &'static [CountRule] {
    match section {
        SectionType::Logos => {
            const RULES: &[CountRule] = &[count("names", 3, 8)];
            RULES
        }
        SectionType::Features => {
            const RULES: &[CountRule] = &[count("items", 2, 6)];
            RULES
        }
        SectionType::Benefits => {
            const RULES: &[CountRule] = &[count("items", 2, 6)];
            RULES
        }
        SectionType::HowItWorks => {
            const RULES: &[CountRule] = &[count("steps", 2, 5)];
            RULES
        }
        SectionType::Testimonials => {
            const RULES: &[CountRule] = &[count("items", 1, 4)];
            RULES
        }
        SectionType::Pricing => {
            const RULES: &[CountRule] = &[count("plans", 1, 4), count("plans.features", 0, 8)];
            RULES
        }
        SectionType::Faq => {
            const RULES: &[CountRule] = &[count("items", 3, 8)];
            RULES
        }
        SectionType::Stats => {
            const RULES: &[CountRule] = &[count("items", 2, 4)];
            RULES
        }
        SectionType::Gallery => {
            const RULES: &[CountRule] = &[count("images", 2, 6)];
            RULES
        }
        SectionType::Footer => {
            const RULES: &[CountRule] = &[count("links", 0, 8)];
            RULES
        }
        SectionType::Hero | SectionType::Cta | SectionType::Contact => {
            const RULES: &[CountRule] = &[];
            RULES
        }
    }
}

/// Every value at `path` in `value`, with its concrete path (`items[1].title`). Arrays on the
/// way are crossed; an array at the end yields its elements.
pub fn find<'a>(value: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    fn walk<'a>(value: &'a Value, rest: &[&str], at: String, out: &mut Vec<(String, &'a Value)>) {
        match (value, rest.split_first()) {
            (Value::Array(items), _) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, rest, format!("{at}[{i}]"), out);
                }
            }
            (_, None) => out.push((at, value)),
            (Value::Object(map), Some((name, rest))) => {
                if let Some(next) = map.get(*name) {
                    let at = if at.is_empty() {
                        (*name).to_owned()
                    } else {
                        format!("{at}.{name}")
                    };
                    walk(next, rest, at, out);
                }
            }
            _ => {}
        }
    }
    let segments: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    walk(value, &segments, String::new(), &mut out);
    out
}

/// The arrays at `path` (not their elements), with their concrete paths.
pub fn find_lists<'a>(value: &'a Value, path: &str) -> Vec<(String, &'a Vec<Value>)> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (Some(parent), last),
        None => (None, path),
    };
    let parents = match parent {
        Some(parent) => find(value, parent),
        None => vec![(String::new(), value)],
    };
    parents
        .into_iter()
        .filter_map(|(at, parent)| {
            let list = parent.get(last)?.as_array()?;
            let at = if at.is_empty() {
                last.to_owned()
            } else {
                format!("{at}.{last}")
            };
            Some((at, list))
        })
        .collect()
}

/// The rules in words, for the prompt: every limit, whether or not the schema carries it.
pub fn describe(texts: &[TextRule], counts: &[CountRule]) -> String {
    let mut lines: Vec<String> = texts
        .iter()
        .map(|r| {
            format!(
                "- `{}`: {}at most {} characters",
                r.path,
                if r.required {
                    "not empty, "
                } else {
                    "may be empty, "
                },
                r.max
            )
        })
        .collect();
    lines.extend(
        counts
            .iter()
            .map(|r| format!("- `{}`: {} to {} entries", r.path, r.min, r.max)),
    );
    lines.join("\n")
}

/// `schema` (with its subschemas inlined) with each rule where JSON Schema can say it:
/// `maxLength` on strings, `minItems`/`maxItems` on arrays. Providers whose dialect lacks a
/// keyword drop it; the prompt states every rule anyway.
pub fn constrain(mut schema: Value, texts: &[TextRule], counts: &[CountRule]) -> Value {
    for rule in texts {
        for node in schema_nodes(&mut schema, rule.path) {
            if let Some(map) = string_schema(node) {
                map.insert("maxLength".into(), rule.max.into());
                if rule.required {
                    map.insert("minLength".into(), 1.into());
                }
            }
        }
    }
    for rule in counts {
        for node in schema_nodes(&mut schema, rule.path) {
            if let Some(map) = node.as_object_mut() {
                map.insert("minItems".into(), rule.min.into());
                map.insert("maxItems".into(), rule.max.into());
            }
        }
    }
    schema
}

/// The schemas a path names: through `properties`, `items` and nullable `anyOf` members.
fn schema_nodes<'a>(schema: &'a mut Value, path: &str) -> Vec<&'a mut Value> {
    fn walk<'a>(node: &'a mut Value, rest: &[&str], out: &mut Vec<&'a mut Value>) {
        // Look through `anyOf` (an optional field is `anyOf: [T, null]`).
        if node.get("anyOf").is_some() {
            if let Some(Value::Array(members)) = node.get_mut("anyOf") {
                for member in members {
                    walk(member, rest, out);
                }
            }
            return;
        }
        match rest.split_first() {
            None => out.push(node),
            Some((name, tail)) => {
                // Crossing an array: its items hold the next name.
                let is_array = node.get("items").is_some() && node.get("properties").is_none();
                if is_array {
                    if let Some(items) = node.get_mut("items") {
                        walk(items, rest, out);
                    }
                } else if let Some(next) = node.get_mut("properties").and_then(|p| p.get_mut(*name))
                {
                    walk(next, tail, out);
                }
            }
        }
    }
    let segments: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    walk(schema, &segments, &mut out);
    out
}

/// A string's schema, or the string items of an array of strings (`names`, `features`).
fn string_schema(node: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    let is_string = |v: &Value| match v.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_string(node) {
        return node.as_object_mut();
    }
    node.get_mut("items")
        .filter(|items| is_string(items))
        .and_then(Value::as_object_mut)
}
