//! Twenty briefs (industries, tones, locales) through the whole pipeline on the offline
//! composer: every page names its business and the specifics of its brief, speaks its
//! language, and no two pages are alike.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::json;
use visions_tests::{TestApp, page_text};

#[derive(serde::Deserialize)]
struct Brief {
    prompt: String,
    locale: String,
    expect: Expect,
}

#[derive(serde::Deserialize)]
struct Expect {
    business: String,
    terms: Vec<String>,
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

#[tokio::test]
async fn twenty_briefs_give_twenty_specific_distinct_pages() {
    let briefs: Vec<Brief> =
        serde_json::from_str(include_str!("../../fixtures/briefs.json")).unwrap();
    assert_eq!(briefs.len(), 20);
    let _cpu = visions_tests::CPU_HEAVY.lock().await;
    let app = TestApp::sqlite().await;
    let mut pages = Vec::new();
    for (i, brief) in briefs.iter().enumerate() {
        // A neutral project name: the business must come from the brief itself.
        let project = app.create_project("alice", &format!("Project {i}")).await;
        let body = json!({"prompt": brief.prompt, "locale": brief.locale});
        let accepted = app
            .start_generation("alice", &project, body, &format!("brief-{i}"))
            .await;
        assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
        app.drain().await;
        let version = app
            .get("alice", &format!("/v1/projects/{project}/versions/1"))
            .await;
        assert_eq!(
            version.status,
            StatusCode::OK,
            "brief {i} produced a page: {}",
            version.body
        );
        let page = version.body["page"].clone();
        let text = page_text(&page);
        let lower = text.to_lowercase();
        assert!(
            text.contains(&brief.expect.business),
            "brief {i}: the page names {:?}\n{text}",
            brief.expect.business
        );
        for term in &brief.expect.terms {
            assert!(
                lower.contains(&term.to_lowercase()),
                "brief {i} ({}): the page mentions {term:?}\n{text}",
                brief.expect.business
            );
        }
        assert_eq!(page["locale"], brief.locale.as_str());
        assert!(
            !lower.contains("lorem ipsum") && !text.contains('{') && !text.contains('}'),
            "brief {i}: no placeholders left\n{text}"
        );
        // The contact form's labels ("Your name", "Send message") are the same on every page
        // by design; the copy is what must differ.
        let mut copy = page.clone();
        if let Some(sections) = copy["sections"].as_array_mut() {
            sections.retain(|s| s["type"] != "contact");
        }
        pages.push((
            brief.expect.business.clone(),
            page,
            words(&page_text(&copy)),
        ));
    }
    // Pairwise: different briefs share well under half of their vocabulary.
    for (i, (a, page_a, words_a)) in pages.iter().enumerate() {
        for (b, page_b, words_b) in pages.iter().skip(i + 1) {
            let shared = words_a.intersection(words_b).count() as f64;
            let jaccard = shared / words_a.union(words_b).count() as f64;
            assert!(
                jaccard < 0.5,
                "{a} and {b} read alike (Jaccard {jaccard:.2})"
            );
            assert_ne!(
                page_a["sections"][0]["props"]["headline"],
                page_b["sections"][0]["props"]["headline"],
                "{a} / {b}"
            );
        }
    }
}
