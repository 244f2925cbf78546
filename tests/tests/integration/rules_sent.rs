//! Models are told every rule they are held to: for each provider protocol, each section's
//! request carries every length and count rule of the table (in the prompt always, in the
//! schema where the dialect keeps it), and the validator enforces exactly those rules.

use axum::http::StatusCode;
use serde_json::json;
use visions_agents::rules::{self, TextRule};
use visions_domain::page::SectionType;
use visions_tests::TestApp;
use visions_tests::fake_llm::{FakeProvider, FakeReply, Protocol};

/// Section types the pipeline asks a model to write: client logos are never planned (no brief
/// fact names clients), so they are never asked for.
fn asked() -> impl Iterator<Item = SectionType> {
    SectionType::ALL
        .into_iter()
        .filter(|t| *t != SectionType::Logos)
}

/// A plan with every section type the pipeline keeps, so every section's request is sent.
fn full_plan() -> serde_json::Value {
    let sections: Vec<_> = asked()
        .map(|t| {
            json!({"id": t.as_str().replace('_', "-"), "type": t.as_str(), "variant": t.variants()[0], "purpose": "Do its job"})
        })
        .collect();
    json!({
        "business_name": "Acme Coffee Roasters",
        "seo": {"title": "Acme Coffee Roasters", "description": "Small-batch single-origin beans roasted in Portland, sold by subscription to home baristas who care where their coffee comes from.", "og_title": "Acme", "og_description": "Small-batch coffee from Portland."},
        "sections": sections,
    })
}

fn rule_line(rule: &TextRule) -> String {
    format!(
        "`{}`: {}at most {} characters",
        rule.path,
        if rule.required {
            "not empty, "
        } else {
            "may be empty, "
        },
        rule.max
    )
}

/// Facts for every section that needs them: a price, a quote, two figures.
const PROMPT: &str = "Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription at $18/month. Rated 4.9/5 on Google by over 2,000 customers. A customer wrote \"Best beans I have bought in years\".";

async fn requests_for(protocol: Protocol) -> Vec<visions_tests::fake_llm::RecordedRequest> {
    let fake = FakeProvider::start(protocol, move |request| {
        let system = request.system().unwrap_or("");
        if system.contains("layout agent") {
            FakeReply::success(protocol, &full_plan(), 10, 10)
        } else {
            // Never valid: every section falls back to the composer after its repair.
            FakeReply::success(protocol, &json!({}), 10, 10)
        }
    })
    .await;
    let (model, vars) = match protocol {
        Protocol::OpenAi => (
            "openai:gpt-test",
            vec![
                ("OPENAI_BASE_URL", fake.openai_base_url()),
                ("OPENAI_API_KEY", "sk-test".into()),
            ],
        ),
        Protocol::Anthropic => (
            "anthropic:claude-test",
            vec![
                ("ANTHROPIC_BASE_URL", fake.url()),
                ("ANTHROPIC_API_KEY", "ak-test".into()),
            ],
        ),
        Protocol::Gemini => (
            "gemini:gemini-test",
            vec![
                ("GEMINI_BASE_URL", fake.url()),
                ("GEMINI_API_KEY", "gk-test".into()),
            ],
        ),
    };
    let mut vars: Vec<(&str, String)> = vars;
    vars.push(("VISIONS_MODELS", model.into()));
    vars.push(("VISIONS_MODEL_MAX_ATTEMPTS", "1".into()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::local(&vars, |_| {}).await;
    let project = app.create_project("alice", "Acme").await;
    let accepted = app
        .start_generation("alice", &project, json!({"prompt": PROMPT}), "rules")
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    app.drain().await;
    fake.requests()
}

#[tokio::test]
async fn every_rule_reaches_every_provider() {
    let _cpu = visions_tests::CPU_HEAVY.lock().await;
    for protocol in [Protocol::OpenAi, Protocol::Anthropic, Protocol::Gemini] {
        let requests = requests_for(protocol).await;
        let layout = requests
            .iter()
            .find(|r| r.system().unwrap_or("").contains("layout agent"))
            .expect("a layout request");
        for rule in rules::LAYOUT_TEXT {
            assert!(
                layout.system().unwrap().contains(&rule_line(rule)),
                "{protocol:?} layout: {}",
                rule.path
            );
        }
        // The three closest designs go into the layout prompt and every copy prompt.
        let designs = visions_designs::closest_builtin(&format!("{PROMPT} Acme "), 3);
        assert_eq!(designs.len(), 3);
        assert_eq!(designs[0].industry, "cafe_coffee");
        for design in &designs {
            assert!(
                layout.system().unwrap().contains(&design.id),
                "{protocol:?} layout: {}",
                design.id
            );
        }
        for section in asked() {
            let marker = format!("Section: `{}`", section.as_str());
            let request = requests
                .iter()
                .find(|r| r.system().unwrap_or("").contains(&marker))
                .unwrap_or_else(|| panic!("{protocol:?}: no request for {}", section.as_str()));
            let system = request.system().unwrap();
            for design in &designs {
                assert!(
                    system.contains(&design.id),
                    "{protocol:?} {}: {}",
                    section.as_str(),
                    design.id
                );
            }
            for rule in rules::text_rules(section) {
                assert!(
                    system.contains(&rule_line(rule)),
                    "{protocol:?} {}: {}",
                    section.as_str(),
                    rule.path
                );
            }
            for rule in rules::count_rules(section) {
                let line = format!("`{}`: {} to {} entries", rule.path, rule.min, rule.max);
                assert!(
                    system.contains(&line),
                    "{protocol:?} {}: {}",
                    section.as_str(),
                    rule.path
                );
            }
            // Where the dialect keeps length keywords (Anthropic's tool schemas are JSON Schema),
            // the schema carries them too.
            if protocol == Protocol::Anthropic {
                let schema = request.schema().unwrap().to_string();
                for rule in rules::text_rules(section) {
                    assert!(
                        schema.contains(&format!("\"maxLength\":{}", rule.max)),
                        "{} schema lacks maxLength {} for {}",
                        section.as_str(),
                        rule.max,
                        rule.path
                    );
                }
            }
        }
    }
}

/// Each text rule is enforced: one character over the limit is refused, naming the field.
#[test]
fn the_validator_enforces_the_table() {
    let page: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/sample-page.json")).unwrap();
    for section in page["sections"].as_array().unwrap() {
        let kind: SectionType = serde_json::from_value(section["type"].clone()).unwrap();
        let props = section["props"].clone();
        assert!(
            visions_agents::section_content(kind, props.clone()).is_ok(),
            "{kind:?} fixture"
        );
        for rule in rules::text_rules(kind) {
            let found = rules::find(&props, rule.path);
            let Some((at, _)) = found.first() else {
                continue;
            };
            let mut long = props.clone();
            let pointer = format!("/{}", at.replace(['.', '['], "/").replace(']', ""));
            *long.pointer_mut(&pointer).unwrap() = json!("x".repeat(rule.max + 1));
            let problems = visions_agents::section_content(kind, long).unwrap_err();
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains(at.as_str()) && p.contains(&rule.max.to_string())),
                "{kind:?} {at}: {problems:?}"
            );
        }
    }
}
