//! The offline composer writes a whole page (plan, every section's copy, image briefs) from
//! any brief, and every answer passes the validation and the facts check a model's answer
//! gets: the offline default never fails its own rules (a failure is a crash here).
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_agents::task::{AgentTask, Brief, LayoutPlan};
use visions_agents::validate;
use visions_composer::Composer;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let prompt = String::from_utf8_lossy(rest).into_owned();
    let locale = ["en", "fr", "de", "es"][usize::from(selector) % 4];
    let brief = Brief::new(&prompt, locale, "Project", "", Default::default());
    let designs = visions_designs::closest_builtin(&prompt, 3);
    let plan = Composer::answer(&AgentTask::Layout {
        brief: brief.clone(),
        designs: designs.clone(),
    });
    let plan: LayoutPlan = serde_json::from_value(plan).expect("the composer's plan parses");
    let plan = validate::layout(plan).expect("the composer's plan is valid");
    let ids: Vec<String> = plan.sections.iter().map(|s| s.id.clone()).collect();
    let sources = visions_agents::claims::Sources::of(&brief);
    for section in &plan.sections {
        let props = Composer::answer(&AgentTask::Copy {
            brief: brief.clone(),
            business_name: plan.business_name.clone(),
            section: section.clone(),
            page_sections: ids.clone(),
            designs: designs.clone(),
        });
        let content = validate::section_content(section.section_type, props)
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", section.id));
        let problems = visions_agents::claims::check(&content, &sources);
        assert!(problems.is_empty(), "{}: {problems:?}", section.id);
    }
    let slots = visions_pipeline::pipeline::planned_slots(&plan.sections);
    let _ = Composer::answer(&AgentTask::ImagePrompts {
        brief,
        business_name: plan.business_name,
        slots,
    });
});
