//! A page as one self-contained HTML5 document.
//!
//! The output needs nothing else: one inline `<style>` (only the rules the page's sections
//! use), no script but an inert JSON-LD block, no font, no third-party request. It is built to
//! score 100 in every Lighthouse category on a phone:
//!
//! - landmarks (`header`, `main`, `footer`), a skip link, one `h1` — the first section's
//!   heading, which is the hero's headline on a page that opens with its hero — then `h2` per
//!   section and `h3` per item, never skipping a level;
//! - colours from the theme, re-checked here so that every text colour meets WCAG AA on the
//!   background it actually sits on, even for a hand-edited theme;
//! - every string the page carries is model-written data: it is escaped by `maud`, control
//!   characters are dropped, and URLs pass an allow-list (`safe_href`, `safe_image_src`)
//!   or become `#`. A Content-Security-Policy (`default-src 'none'`, the stylesheet by hash)
//!   backs this up in the browser.

mod css;
mod document;
mod i18n;
mod links;
mod sections;
pub mod theme;
pub mod view;

pub use document::{Head, Options, favicon_svg, render_page, render_page_with, stylesheet_parts};
pub use links::{is_descriptive_link_text, safe_href, safe_image_src};
