//! Metering's inputs: a replacement price and tier table (`VISIONS_METERING`), a usage event
//! off the meter's queue, and a usage query's range. Any input is an error or a well-formed
//! value, and no cost computed from a table overflows or panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_api::range::time_range;
use visions_domain::credits::{UsageEvent, settlement_amounts};
use visions_domain::models::ModelName;
use visions_domain::tier::Tier;
use visions_metering::Metering;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(table) = Metering::parse(text) {
        let art = ModelName::parse("local:art").expect("a valid name");
        for tier in [Tier::Free, Tier::Pro] {
            let image = table.image_model_for(tier, &art);
            let _ = table.generation_hold(tier, None, 3, &image);
            let _ = table.section_hold(tier, None, &image);
        }
    }
    if let Ok(event) = serde_json::from_str::<UsageEvent>(text) {
        let (back, charged) = settlement_amounts(u64::MAX, &event.settlement);
        assert_eq!(back.checked_add(charged), Some(u64::MAX));
    }
    let mut parts = text.splitn(2, '\n');
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    if let Ok((from, to)) = time_range(parts.next(), parts.next(), now) {
        assert!(from < to);
    }
});
