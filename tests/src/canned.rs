//! Valid answers a fake model gives, keyed by the schema the request asks for: a small plan
//! (hero with a photo, features, FAQ, call to action, footer), the props of each section, and
//! the brief for the hero photo.

use serde_json::{Value, json};

/// The plan's sections, for tests that count calls.
pub const PLAN_SECTIONS: usize = 5;
/// Model calls one generation makes with this plan: layout, one per section, image briefs.
pub const CALLS_PER_PAGE: usize = 1 + PLAN_SECTIONS + 1;

pub fn answer(schema_name: &str) -> Value {
    let cta = |label: &str| json!({"label": label, "href": "#cta"});
    match schema_name {
        "layout_plan" => json!({
            "business_name": "Acme Coffee Roasters",
            "seo": {
                "title": "Acme Coffee Roasters — fresh beans by subscription",
                "description": "Single-origin coffee roasted in small batches in Portland and delivered to home baristas every two weeks.",
                "og_title": "Acme Coffee Roasters",
                "og_description": "Small-batch single-origin coffee, delivered fresh."
            },
            "sections": [
                {"id": "hero", "type": "hero", "variant": "split", "purpose": "State the offer beside a photo of the beans"},
                {"id": "features", "type": "features", "variant": "grid", "purpose": "Show what is in each bag"},
                {"id": "faq", "type": "faq", "variant": "accordion", "purpose": "Answer objections"},
                {"id": "cta", "type": "cta", "variant": "band", "purpose": "Ask for the subscription"},
                {"id": "footer", "type": "footer", "variant": "simple", "purpose": "Close"}
            ]
        }),
        "hero_props" => json!({
            "eyebrow": "Roasted in Portland", "headline": "Fresh single-origin beans, every two weeks",
            "subheadline": "Acme roasts to order and ships within 48 hours, so your coffee is never stale.",
            "primary_cta": cta("Start my subscription"), "secondary_cta": null,
            "image": {"id": "hero-image", "alt": "Freshly roasted beans pouring from a scoop", "brief": ""}
        }),
        "features_props" => json!({
            "heading": "In every bag", "intro": "What home baristas get from Acme.",
            "items": [
                {"title": "Roasted to order", "body": "We roast on Monday and ship on Tuesday."},
                {"title": "Single origin", "body": "Each bag names its farm and altitude."},
                {"title": "Pause any time", "body": "Skip or stop from your account in one click."}
            ]
        }),
        "faq_props" => json!({
            "heading": "Questions from home baristas",
            "items": [
                {"question": "How fresh is it?", "answer": "Roasted at most three days before it arrives."},
                {"question": "Can I pause?", "answer": "Yes, skip or cancel whenever you like."},
                {"question": "Whole bean or ground?", "answer": "Both: choose at checkout."}
            ]
        }),
        "cta_props" => {
            json!({"heading": "Your first bag ships this week", "body": "Subscribe now and the first bag is on us.", "cta": cta("Start my subscription")})
        }
        "footer_props" => {
            json!({"business_name": "Acme Coffee Roasters", "tagline": "Small-batch coffee from Portland.", "links": [], "legal": "© 2026 Acme Coffee Roasters"})
        }
        "image_briefs" => {
            json!({"briefs": [{"slot_id": "hero-image", "brief": "Overhead photo of dark roasted coffee beans pouring from a steel scoop, warm morning light, shallow depth of field, no text."}]})
        }
        other => panic!("no canned answer for schema {other}"),
    }
}
