//! A team's own pages become design records the schema accepts, with what the page shows.

use visions_designs::ingest::{self, IngestError};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("fixture")
}

fn valid(design: &visions_designs::Design) {
    let json = serde_json::to_string(&[design]).expect("json");
    let problems = visions_designs::corpus::validate(&json);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_saas_page_gives_its_sections_calls_to_action_colours_and_fonts() {
    let design = ingest::page("Ledgerly Home", &fixture("ledgerly.html")).expect("ingests");
    valid(&design);
    assert_eq!(design.id, "own-ledgerly-home");
    assert_eq!(
        design.name,
        "Close the month without the spreadsheet marathon"
    );
    assert_eq!(
        design.section_sequence,
        [
            "hero",
            "features",
            "how_it_works",
            "pricing",
            "faq",
            "footer"
        ]
    );
    assert_eq!(design.hero.primary_cta, "Start free trial");
    assert_eq!(design.hero.secondary_cta.as_deref(), Some("Book a demo"));
    assert_eq!(design.conversion_goal, "start_trial");
    assert_eq!(design.palette.primary, "#4F46E5");
    assert_eq!(design.palette.background, "#FFFFFF");
    assert_eq!(design.palette.text, "#1F2937");
    assert_eq!(design.typography.body, "Source Sans 3");
    assert_eq!(design.typography.headings, "Fraunces");
    assert_eq!(design.languages, ["en"]);
    assert!(design.keywords.contains(&"month-end close".to_owned()));
    assert!(
        ["saas", "accounting", "fintech"].contains(&design.industry.as_str()),
        "{}",
        design.industry
    );
}

#[test]
fn a_french_bakery_page_is_read_in_its_own_terms() {
    let design = ingest::page("boulangerie", &fixture("boulangerie.html")).expect("ingests");
    valid(&design);
    assert_eq!(design.languages, ["fr"]);
    assert_eq!(
        design.section_sequence,
        ["hero", "menu", "testimonials", "contact", "footer"]
    );
    assert_eq!(design.hero.primary_cta, "Commander en ligne");
    assert_eq!(design.conversion_goal, "order_online");
    assert_eq!(design.palette.primary, "#B45309");
    assert_eq!(design.industry, "bakery_food_shop");
}

#[test]
fn pages_it_cannot_learn_from_are_refused_with_the_reason() {
    assert_eq!(
        ingest::page("x", &fixture("no-structure.html")).err(),
        Some(IngestError::NoHeadline)
    );
    assert_eq!(
        ingest::page(
            "x",
            "<title>Only a title</title><section><h2>One</h2></section>"
        )
        .err(),
        Some(IngestError::TooFewSections)
    );
    let huge = "a".repeat(ingest::MAX_PAGE_BYTES + 1);
    assert!(matches!(
        ingest::page("x", &huge),
        Err(IngestError::TooLarge(_))
    ));
}

#[test]
fn hostile_markup_never_panics_and_never_breaks_the_schema() {
    for html in [
        "<h1>\u{0}\u{202e}</h1><section></section><section></section><section></section><footer></footer>",
        "<h1>T</h1><section style='color:#12'><a class=btn>x</a></section><section style='background:#GGGGGG;font-family:'></section>",
        &format!(
            "<h1>{}</h1><section>{}</section><section></section>",
            "é".repeat(500),
            "<div>".repeat(2000)
        ),
    ] {
        if let Ok(design) = ingest::page("hostile/../../name", html) {
            valid(&design);
            assert!(!design.id.contains('/'));
        }
    }
}
