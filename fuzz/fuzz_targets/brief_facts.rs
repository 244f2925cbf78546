//! Reading a brief's facts over any text (visions-facts), and the composer's reading of them in
//! each language it writes.
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
    let name: String = prompt.chars().take(40).collect();
    let brief = Brief::new(&prompt, locale, &name, "", Default::default());
    let _ = brief.facts.actions();
    let _ = brief.facts.allowed_hrefs();
    let designs = visions_designs::closest_builtin(&prompt, 1);
    let _ = facts::extract(&brief, designs.first());
    let _ = visions_facts::prose::fold_case(&prompt);
});
