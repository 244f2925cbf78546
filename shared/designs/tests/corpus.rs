//! The built-in corpus: every record valid by the schema, enough of them across industries
//! and goals, and no invented measurement presented as a fact.

use std::collections::HashSet;

use visions_designs::corpus;

#[test]
fn every_record_matches_the_schema_and_parses() {
    let problems = corpus::validate(corpus::RECORDS);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let records = corpus::records().expect("the records parse");
    assert!(records.len() >= 150, "{} records", records.len());
    let industries: HashSet<&str> = records.iter().map(|d| d.industry.as_str()).collect();
    let goals: HashSet<&str> = records.iter().map(|d| d.conversion_goal.as_str()).collect();
    assert!(industries.len() >= 25, "{} industries", industries.len());
    assert!(goals.len() >= 15, "{} goals", goals.len());
}

#[test]
fn the_validator_names_the_record_and_the_fault() {
    let mut records: Vec<serde_json::Value> = serde_json::from_str(corpus::RECORDS).expect("json");
    let first = records.first_mut().expect("a record");
    first["palette"]["primary"] = "blue".into();
    first["section_sequence"] = serde_json::json!(["pricing", "hero", "faq", "footer"]);
    let copy = records.first().cloned().expect("a record");
    records.push(copy);
    let problems = corpus::validate(&serde_json::to_string(&records).expect("json"));
    let id = records.first().and_then(|r| r["id"].as_str()).expect("id");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(id) && p.contains("/palette/primary")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("/section_sequence/0")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("used twice")),
        "{problems:?}"
    );
    assert_eq!(corpus::validate("{").len(), 1);
}

#[test]
fn records_describe_mechanisms_not_invented_measurements() {
    // A percentage, a multiplier or "N% more" in why a page converts would be a measurement
    // nobody made for this corpus.
    let measured =
        regex::Regex::new(r"(?i)\d+(\.\d+)?\s*(%|percent|x\b|times (more|higher|better))")
            .expect("regex");
    for design in corpus::records().expect("records") {
        for text in [
            &design.why_it_converts,
            &design.layout_notes,
            &design.offer_pattern,
        ]
        .into_iter()
        .chain(&design.proof_elements)
        {
            assert!(!measured.is_match(text), "{}: {text}", design.id);
        }
    }
}

#[test]
fn every_design_maps_onto_the_page_catalogue_starting_with_its_hero() {
    for design in corpus::records().expect("records") {
        let sections = design.sections();
        assert_eq!(
            sections.first().map(|s| s.section_type),
            Some(visions_domain::page::SectionType::Hero),
            "{}",
            design.id
        );
        assert!(sections.len() >= 3, "{}", design.id);
        for section in &sections {
            assert!(
                section
                    .section_type
                    .variants()
                    .contains(&section.variant.as_str())
            );
        }
    }
}

#[test]
fn labelled_queries_name_only_designs_that_exist() {
    let ids: HashSet<String> = corpus::records()
        .expect("records")
        .into_iter()
        .map(|d| d.id)
        .collect();
    let queries = corpus::queries(corpus::QUERIES).expect("queries parse");
    assert!(queries.len() >= 80);
    assert!(queries.iter().filter(|q| q.lang != "en").count() >= 20);
    for query in &queries {
        assert!(!query.relevant.is_empty(), "{}", query.id);
        for id in &query.relevant {
            assert!(ids.contains(id), "{} names unknown {id}", query.id);
        }
    }
}
