//! Extraction against the labelled set (72 briefs in en/fr/de/es, tests/fixtures): the
//! precision and recall the product promises on the facts a page must get right.

use visions_facts::eval::{Labelled, score};

fn set() -> Vec<Labelled> {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/labelled-briefs.json"
    ))
    .expect("the labelled set is in the repo");
    serde_json::from_str(&raw).expect("the labelled set parses")
}

#[test]
fn contact_links_and_prices_meet_their_targets() {
    let report = score(&set());
    println!("{}", report.table());
    for field in ["business_name", "phones", "emails", "urls", "prices"] {
        let s = report.get(field);
        let missed: Vec<&String> = report
            .misses
            .iter()
            .filter(|(f, _, _)| *f == field)
            .map(|(_, id, _)| id)
            .collect();
        assert!(
            s.precision() >= 0.95,
            "{field} precision {:.3}; briefs: {missed:?}",
            s.precision()
        );
        assert!(
            s.recall() >= 0.9,
            "{field} recall {:.3}; briefs: {missed:?}",
            s.recall()
        );
    }
    let language = report.get("language");
    assert_eq!(
        language.hits, language.expected,
        "every brief's language is told"
    );
}
