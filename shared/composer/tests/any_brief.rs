//! A property: whatever the brief — sentences of the labelled set mixed across languages and
//! businesses, cut at any length, with odd characters — the composer's page passes the
//! validation and the facts check a model's answer gets. Two thousand briefs, seeded, so a
//! failure names a brief that reproduces.

#![allow(clippy::unwrap_used, clippy::panic)] // Test helpers assert by panicking.

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

/// Checks the composer's whole page for one brief; panics naming what failed.
fn compose_and_check(n: usize, prompt: &str, locale: &str) {
    let brief = Brief::new(prompt, locale, "Project", "", Default::default());
    let designs = visions_designs::closest_builtin(prompt, 3);
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
        let content = validate::section_content(section.section_type, props)
            .unwrap_or_else(|p| panic!("brief {n} ({locale}) {prompt:?}: {} {p:?}", section.id));
        let problems = claims::check(&content, &sources);
        assert!(
            problems.is_empty(),
            "brief {n} ({locale}) {prompt:?}: {} {problems:?}",
            section.id
        );
        // A section never says the same thing twice.
        let json = serde_json::to_value(&content).unwrap();
        let items = json.pointer("/props/items").and_then(|v| v.as_array());
        for (i, item) in items.into_iter().flatten().enumerate() {
            for other in items.into_iter().flatten().skip(i + 1) {
                for field in ["title", "body", "quote", "question"] {
                    let same = item.get(field).is_some_and(|v| Some(v) == other.get(field));
                    assert!(
                        !same,
                        "brief {n} ({locale}) {prompt:?}: {} repeats {item}",
                        section.id
                    );
                }
            }
        }
    }
}

/// Briefs the fuzzer found (fuzz/artifacts), kept as regressions.
#[test]
fn briefs_the_fuzzer_found() {
    let found: &[(&[u8], &str)] = &[(
        b"Bakery \xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1+\xb1\xb1\xb1\xf1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xb1\xc4\xb0y\x00\x00\x00id x",
        "fr",
    ), (
        b"\x00Lot{s\xa0Flo\xff\xff\xff\xff\xff\xff\xff\x00w Yoga is a smal~ stud))))))nner classes. Drop-in ))))\xd7\xce)))))))))))))))\x04)))))))io inLot Bus Fl",
        "en",
    ), (
        b"Vel\xf0s://maEsonsauge0\xe2\x80\x93180, ocovering\x80\x97Sat 10am\xe2\x80\x938pm, book at https://www.vagaro.com/velvetandvine/s\x01\x00\x00P\x00\x00\x01Pstylist=any.",
        "en",
    ), (
        b"Site pour Chez N\xc3\xa9n\xff\xff\xff\xff\xff\xff\xff\xff\xff\xbf\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00#\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x003\x01\x00\x00\x01\x00\x00\x00.4 27 30.",
        "fr",
    ), (
        b"Le F\x15estival des Lanternes de Nan\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\x00Nein-PrenzlacuteBer\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xae\xaetes revient du 39 aug, Sch\xc3\xb6nhauser Allee 112, 10439  14 juillet auB ",
        "fr",
    ), (
        b"Pocket Sprout is an iPhone an dAndroid app that reminds plant owners when to water, feed and  to.peDrownload it free on the App Store (https://apps.apple.com/us/app/pocket-sprout/id15882.99/month or $29.99/year. More than 250,000 23340981\xff\xffnts use it. Cheerful, a little nerdt.app&hl=en_US). Prevec piscine. y.",
        "en",
    ), (
        b"Formation en ligne \xc2 gestionnaires paie et RH, 290 \xe2\x82\xac HT ou 3 x 9? \xe2\x82\xac sans \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x85\x85\x85\x85[\x85\x85\x0acription : https://)format\xff\xff\xffgexcel-rh.fr/insariptio\xab Excel pour les RH \xc2\xbb : 12 modules vid\xc3\xa9o pour les gestionnaires paie et RH, 290 \xe2\x82\xac HT ou 3 x 9? \xe2\x82\xac sans \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x85\x85\x85\x85[\x85\x85scription : https://)format\xff\xff\xffgexcel-rh.fr/insaription.",
        "fr",
    ), (
        b"Velps://maisonsauge.fr/boutique?categorie=cheveuan Square \xe2\x80\x94 cuts from $65, color $12\xd0\x1d\x7fi180, open Tue\xe2\x80\x93Sat 10am\xe2\x80\x938pm, book at https:/owww.vagaro.com/v,lvetandvine/services?stylist=an}.",
        "en",
    ), (
        b"C\xc3\xb4t\x02ZlinksAhnarzt\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xffp&r",
        "en",
    )];
    for (n, (bytes, locale)) in found.iter().enumerate() {
        compose_and_check(n, &String::from_utf8_lossy(bytes), locale);
    }
}

#[test]
fn the_composer_passes_its_own_rules_for_any_brief() {
    let set: Vec<Labelled> =
        serde_json::from_str(include_str!("../../../tests/fixtures/labelled-briefs.json")).unwrap();
    let sentences: Vec<String> = set
        .iter()
        .flat_map(|l| l.brief.split(". ").map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let mut rng = fastrand::Rng::with_seed(20261201);
    for n in 0..2000 {
        let prompt = brief(&mut rng, &sentences);
        let locale = ["en", "fr", "de", "es"][rng.usize(..4)];
        compose_and_check(n, &prompt, locale);
    }
}
