//! A property: whatever the brief — sentences of the labelled set mixed across languages and
//! businesses, cut at any length, with odd characters — the composer's page passes the
//! validation and the facts check a model's answer gets. Two thousand briefs, seeded, so a
//! failure names a brief that reproduces.

use visions_agents::task::{AgentTask, Brief, LayoutPlan};
use visions_agents::{claims, validate};
use visions_composer::Composer;

#[derive(serde::Deserialize)]
struct Labelled {
    brief: String,
}

const ODD: &[&str] = &[
    "🥐",
    "\u{202E}",
    "\u{200B}",
    "«",
    "»",
    "„",
    "\"",
    "'",
    "&amp;",
    "<b>",
    "{business}",
    "%s",
    "İİİ",
    "ß",
    "\t",
    "  ",
    "...",
    "—",
    "$",
    "€",
    "http://",
    "@",
    "0",
    "9,99",
    "+",
    "·",
];

fn brief(rng: &mut fastrand::Rng, sentences: &[String]) -> String {
    let mut text = String::new();
    for _ in 0..rng.usize(1..=5) {
        if let Some(sentence) = sentences.get(rng.usize(..sentences.len())) {
            text.push_str(sentence);
            text.push(' ');
        }
        if let Some(odd) = ODD.get(rng.usize(..ODD.len())).filter(|_| rng.u8(..4) == 0) {
            text.push_str(odd);
        }
    }
    // Cut anywhere, on a character boundary.
    let chars: Vec<char> = text.chars().collect();
    let keep = rng.usize(1..=chars.len().max(1));
    chars.into_iter().take(keep).collect()
}

#[test]
fn the_composer_passes_its_own_rules_for_any_brief() {
    let set: Vec<Labelled> =
        serde_json::from_str(include_str!("../../../tests/fixtures/labelled-briefs.json")).unwrap();
    let sentences: Vec<String> = set
        .iter()
        .flat_map(|l| l.brief.split(". ").map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let designs = visions_designs::builtin();
    let mut rng = fastrand::Rng::with_seed(20261201);
    for n in 0..2000 {
        let prompt = brief(&mut rng, &sentences);
        let locale = ["en", "fr", "de", "es"][rng.usize(..4)];
        let brief = Brief::new(&prompt, locale, "Project", "", Default::default());
        let designs: Vec<_> = designs
            .top(&prompt, 3)
            .into_iter()
            .map(|m| m.design.clone())
            .collect();
        let plan = Composer::answer(&AgentTask::Layout {
            brief: brief.clone(),
            designs: designs.clone(),
        });
        let plan: LayoutPlan = serde_json::from_value(plan).unwrap();
        let plan = validate::layout(plan)
            .unwrap_or_else(|p| panic!("brief {n} ({locale}) {prompt:?}: plan {p:?}"));
        let ids: Vec<String> = plan.sections.iter().map(|s| s.id.clone()).collect();
        let sources = claims::Sources::of(&brief);
        for section in &plan.sections {
            let props = Composer::answer(&AgentTask::Copy {
                brief: brief.clone(),
                business_name: plan.business_name.clone(),
                section: section.clone(),
                page_sections: ids.clone(),
                designs: designs.clone(),
            });
            let content =
                validate::section_content(section.section_type, props).unwrap_or_else(|p| {
                    panic!("brief {n} ({locale}) {prompt:?}: {} {p:?}", section.id)
                });
            let problems = claims::check(&content, &sources);
            assert!(
                problems.is_empty(),
                "brief {n} ({locale}) {prompt:?}: {} {problems:?}",
                section.id
            );
        }
    }
}
