//! The offline composer writes a whole page (plan, every section's copy, image briefs) from
//! any brief, and each answer goes through the validation a model's answer gets.
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
    let brief = Brief {
        prompt: prompt.clone(),
        locale: ["en", "fr", "de", "es"][usize::from(selector) % 4].into(),
        project_name: "Project".into(),
        project_description: String::new(),
        brand: Default::default(),
    };
    let designs: Vec<_> = visions_designs::builtin()
        .top(&prompt, 3)
        .into_iter()
        .map(|m| m.design.clone())
        .collect();
    let plan = Composer::answer(&AgentTask::Layout {
        brief: brief.clone(),
        designs: designs.clone(),
    });
    let Ok(plan) = serde_json::from_value::<LayoutPlan>(plan) else {
        return;
    };
    let Ok(plan) = validate::layout(plan) else {
        return;
    };
    for section in &plan.sections {
        let props = Composer::answer(&AgentTask::Copy {
            brief: brief.clone(),
            business_name: plan.business_name.clone(),
            section: section.clone(),
            designs: designs.clone(),
        });
        let _ = validate::section_content(section.section_type, props);
    }
    let slots = visions_pipeline::pipeline::planned_slots(&plan.sections);
    let _ = Composer::answer(&AgentTask::ImagePrompts {
        brief,
        business_name: plan.business_name,
        slots,
    });
});
