//! The labelled briefs (72, in en/fr/de/es, tests/fixtures/labelled-briefs.json) through the
//! whole pipeline on the offline composer, without naming a locale: every page is in the
//! brief's language, states no number the brief does not give, shows only the brief's own
//! quotes and prices, and every button goes to the brief's links, phone or email, or to the
//! page's contact form, never to its own section; and the quality gate finds it publishable.

use axum::http::StatusCode;
use serde_json::{Value, json};
use visions_tests::TestApp;

#[derive(serde::Deserialize)]
struct Labelled {
    id: String,
    lang: String,
    brief: String,
}

fn digits(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            current.push(*c);
        } else if !current.is_empty() {
            // 12,000 / 4.8 / 030 1234567 are one number.
            let joins = matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}')
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !joins {
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Every text a visitor reads in `value` (not links, ids, form addresses or image briefs).
fn collect_texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_texts(i, out)),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| {
                !["href", "id", "action", "brief", "src", "picture", "failure"]
                    .contains(&k.as_str())
            })
            .for_each(|(_, v)| collect_texts(v, out)),
        _ => {}
    }
}

/// Every `href` in the page JSON, with the id of the section it is in.
fn hrefs(page: &Value) -> Vec<(String, String)> {
    fn walk(value: &Value, section: &str, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item) {
                        ("href", Value::String(href)) => {
                            out.push((section.to_owned(), href.clone()))
                        }
                        _ => walk(item, section, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, section, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for section in page["sections"].as_array().into_iter().flatten() {
        walk(
            &section["props"],
            section["id"].as_str().unwrap_or(""),
            &mut out,
        );
    }
    out
}

#[tokio::test]
async fn labelled_briefs_make_pages_that_state_only_their_facts() {
    let set: Vec<Labelled> =
        serde_json::from_str(include_str!("../../fixtures/labelled-briefs.json")).unwrap();
    assert!(set.len() >= 60);
    let _cpu = visions_tests::CPU_HEAVY.lock().await;
    let app = TestApp::sqlite().await;
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let mut failures = Vec::new();
    for item in &set {
        let project = app
            .create_project("alice", &format!("Project {}", item.id))
            .await;
        let accepted = app
            .start_generation("alice", &project, json!({"prompt": item.brief}), &item.id)
            .await;
        assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
        app.drain().await;
        let version = app
            .get("alice", &format!("/v1/projects/{project}/versions/1"))
            .await;
        if version.status != StatusCode::OK {
            let job = app
                .get(
                    "alice",
                    &format!("/v1/jobs/{}", accepted.body["id"].as_str().unwrap_or("")),
                )
                .await;
            failures.push(format!("{}: no page: {}", item.id, job.body["error"]));
            continue;
        }
        let page = &version.body["page"];
        let id = &item.id;
        let mut fail = |what: String| failures.push(format!("{id}: {what}"));

        // The quality gate passed: every page of the set is publishable as it is.
        let quality = &version.body["quality"];
        if quality["publishable"] != true {
            let blocking: Vec<String> = quality["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "blocking")
                .map(|f| format!("{} {}", f["code"], f["message"]))
                .collect();
            fail(format!("not publishable: {blocking:?}"));
        }
        if page["locale"] != item.lang.as_str() {
            fail(format!(
                "locale {} for a brief in {}",
                page["locale"], item.lang
            ));
        }
        let brief_numbers = digits(&item.brief);
        for section in page["sections"].as_array().into_iter().flatten() {
            let kind = section["type"].as_str().unwrap_or("");
            // Number by number within each text: two texts side by side are not one figure.
            let mut texts = Vec::new();
            collect_texts(&section["props"], &mut texts);
            for number in texts.iter().flat_map(|t| digits(t)) {
                let legal_year = kind == "footer" && number == year;
                if !brief_numbers.contains(&number) && !legal_year {
                    fail(format!(
                        "{kind} states {number}, which the brief does not give"
                    ));
                }
            }
            if kind == "testimonials" {
                for t in section["props"]["items"].as_array().into_iter().flatten() {
                    let quote = t["quote"].as_str().unwrap_or("");
                    if !item.brief.contains(quote) {
                        fail(format!("a testimonial the brief does not give: {quote:?}"));
                    }
                }
            }
            if kind == "logos" {
                fail("client logos the brief does not name".into());
            }
        }
        let facts = visions_facts::extract(&item.brief, Default::default());
        let allowed = facts.allowed_hrefs();
        let ids: Vec<&str> = page["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .collect();
        for (section, href) in hrefs(page) {
            match href.strip_prefix('#') {
                Some(anchor) if anchor == section => {
                    fail(format!("a button of {section} points at itself"))
                }
                Some(anchor) if !ids.contains(&anchor) => fail(format!("{href} names no section")),
                Some(_) => {}
                None if !allowed.contains(&href) => fail(format!("{href} is not the brief's")),
                None => {}
            }
        }
        let hero_target = page["sections"][0]["props"]["primary_cta"]["href"]
            .as_str()
            .unwrap_or("");
        let expected = facts
            .actions()
            .into_iter()
            .next()
            .map(|a| a.href)
            .unwrap_or_default();
        if hero_target != expected {
            fail(format!(
                "the main button goes to {hero_target}, not {expected}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Two hundred briefs mixed from the set's sentences (languages, businesses, lengths, odd
/// characters), through the whole pipeline: every page passes the gate's blocking checks.
#[tokio::test]
async fn mixed_briefs_make_publishable_pages() {
    let set: Vec<Labelled> =
        serde_json::from_str(include_str!("../../fixtures/labelled-briefs.json")).unwrap();
    let sentences: Vec<&str> = set.iter().flat_map(|l| l.brief.split(". ")).collect();
    let odd = [
        "🥐",
        "\u{200B}",
        "«",
        "„",
        "&amp;",
        "<b>",
        "{business}",
        "$",
        "€",
        "@",
        "9,99",
    ];
    let _cpu = visions_tests::CPU_HEAVY.lock().await;
    let app = TestApp::sqlite().await;
    let mut rng = fastrand::Rng::with_seed(8);
    let mut failures = Vec::new();
    for n in 0..200 {
        let mut prompt = String::new();
        for _ in 0..rng.usize(1..=4) {
            prompt.push_str(sentences[rng.usize(..sentences.len())]);
            prompt.push_str(if rng.bool() { ". " } else { " " });
            if rng.u8(..3) == 0 {
                prompt.push_str(odd[rng.usize(..odd.len())]);
            }
        }
        let project = app.create_project("alice", &format!("Mixed {n}")).await;
        let accepted = app
            .start_generation(
                "alice",
                &project,
                json!({"prompt": prompt.trim()}),
                &format!("m{n}"),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
        app.drain().await;
        let version = app
            .get("alice", &format!("/v1/projects/{project}/versions/1"))
            .await;
        if version.body["quality"]["publishable"] != true {
            failures.push(format!(
                "{prompt:?}: {}",
                version.body["quality"]["findings"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 200 not publishable:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
