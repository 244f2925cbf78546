//! Nothing invented: every number, price, quote, person's or organisation's name and outside
//! link a section states must come from the brief, the project or the brand kit. Problems are
//! phrased for the repair round-trip; a section that still invents after it is dropped or
//! rewritten by the composer (the pipeline decides).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::task::Brief;
use visions_domain::page::SectionContent;

/// What a page may state: the words of the brief, project and brand kit, and their facts.
#[derive(Clone, Debug)]
pub struct Sources {
    /// Lower case, quotes and spaces normalised.
    text: String,
    numbers: Vec<String>,
    hrefs: Vec<String>,
    year: String,
}

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,\s\u{a0}\u{202f}]\d+)*").expect("valid regex"));

/// The numbers in `text`, as digit strings: `12,000`, `12.000` and `12 000` are one number;
/// so are `4.8` and `4,8`.
pub fn numbers(text: &str) -> Vec<String> {
    NUMBER
        .find_iter(text)
        .map(|m| {
            m.as_str()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .collect()
}

fn squash(text: &str) -> String {
    visions_facts::prose::normalize(text)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Sources {
    pub fn of(brief: &Brief) -> Self {
        let brand = serde_json::to_string(&brief.brand).unwrap_or_default();
        let all = format!(
            "{}\n{}\n{}\n{brand}",
            brief.prompt, brief.project_name, brief.project_description
        );
        Self {
            text: squash(&all),
            numbers: numbers(&all),
            hrefs: brief.facts.allowed_hrefs(),
            year: time::OffsetDateTime::now_utc().year().to_string(),
        }
    }

    /// The numbers the sources give, as digit strings.
    pub fn numbers(&self) -> &[String] {
        &self.numbers
    }

    fn states(&self, phrase: &str) -> bool {
        let phrase = squash(phrase);
        !phrase.is_empty() && self.text.contains(&phrase)
    }
}

/// Problems with what `content` claims, each naming the field.
pub fn check(content: &SectionContent, sources: &Sources) -> Vec<String> {
    let mut problems = Vec::new();
    let value = serde_json::to_value(content).unwrap_or(Value::Null);
    let props = value.get("props").cloned().unwrap_or(Value::Null);
    walk(&props, "", &mut |path, text| {
        let legal = path == "legal";
        for number in numbers(text) {
            let known =
                sources.numbers.iter().any(|n| n == &number) || legal && number == sources.year;
            if !known {
                problems.push(format!(
                    "`{path}` states {number:?}, a number the brief does not give; state only the brief's figures"
                ));
                break;
            }
        }
    });
    match content {
        SectionContent::Testimonials(p) => {
            for (i, t) in p.items.iter().enumerate() {
                if !sources.states(&t.quote) {
                    problems.push(format!(
                        "`items[{i}].quote` is not a quote the brief gives; use only quotes from the brief, word for word"
                    ));
                }
                if !t.name.trim().is_empty() && !sources.states(&t.name) {
                    problems.push(format!(
                        "`items[{i}].name` is not a name the brief gives; leave it empty"
                    ));
                }
            }
        }
        SectionContent::Logos(p) => {
            for (i, name) in p.names.iter().enumerate() {
                if !sources.states(name) {
                    problems.push(format!(
                        "`names[{i}]` ({name:?}) is not a client the brief names"
                    ));
                }
            }
        }
        _ => {}
    }
    walk_hrefs(&props, "", &mut |path, href| {
        let outside = href.starts_with("https://")
            || href.starts_with("http://")
            || href.starts_with("tel:")
            || href.starts_with("mailto:");
        if outside && !sources.hrefs.iter().any(|h| h == href) {
            problems.push(format!(
                "`{path}` links to {href:?}, which the brief does not give; use the brief's links, phone or email, or an anchor of this page"
            ));
        }
    });
    problems
}

/// Calls `visit` with every text a visitor reads: not ids, hrefs or image-model briefs.
fn walk(value: &Value, path: &str, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::String(text) => visit(path, text),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), visit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                // Not read as copy: ids, addresses, image-model briefs, the form's address,
                // and what the image stage records (the picture's files, why it failed).
                if ["id", "href", "brief", "src", "action", "picture", "failure"]
                    .contains(&key.as_str())
                {
                    continue;
                }
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(item, &path, visit);
            }
        }
        _ => {}
    }
}

fn walk_hrefs(value: &Value, path: &str, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_hrefs(item, &format!("{path}[{i}]"), visit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (key.as_str(), item) {
                    ("href", Value::String(href)) => visit(&path, href),
                    _ => walk_hrefs(item, &path, visit),
                }
            }
        }
        _ => {}
    }
}
