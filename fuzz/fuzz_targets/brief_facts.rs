//! Brief facts extraction over any text, in each language the composer reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_agents::task::Brief;
use visions_composer::facts;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let prompt = String::from_utf8_lossy(rest).into_owned();
    let locale = ["en", "fr", "de", "es", "fr-CA", "zz"][usize::from(selector) % 6];
    let brief = Brief {
        prompt: prompt.clone(),
        locale: locale.into(),
        project_name: prompt.chars().take(40).collect(),
        project_description: String::new(),
        brand: Default::default(),
    };
    let designs = visions_designs::builtin();
    let design = designs.top(&prompt, 1).into_iter().next().map(|m| m.design);
    let _ = facts::extract(&brief, design);
    let _ = facts::fold_case(&prompt);
});
