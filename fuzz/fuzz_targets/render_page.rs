//! The HTML renderer, given any page JSON that parses into the page model: it renders, and no
//! text reaches the HTML unescaped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_domain::page::Page;
use visions_page::render_page;

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<Page>(data) else {
        return;
    };
    let html = render_page(&page);
    assert!(
        !html.contains("<script"),
        "a page rendered a script element"
    );
});
