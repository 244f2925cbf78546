//! A model's answer text: JSON extraction, then validation of a plan, a section's props and
//! image briefs, as the agents check every answer before any repair.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_agents::task::{ImageBriefs, LayoutPlan};
use visions_agents::validate;
use visions_domain::page::SectionType;
use visions_llm::transport::parse_answer;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let Ok(value) = parse_answer(&text) else {
        return;
    };
    if let Ok(plan) = serde_json::from_value::<LayoutPlan>(value.clone()) {
        let _ = validate::layout(plan);
    }
    if let Ok(briefs) = serde_json::from_value::<ImageBriefs>(value.clone()) {
        let _ = validate::image_briefs(briefs, &["hero-image".into(), "gallery-1".into()]);
    }
    let types = SectionType::ALL;
    if let Some(section_type) = types.get(usize::from(selector) % types.len().max(1)) {
        let _ = validate::section_content(*section_type, value);
    }
});
