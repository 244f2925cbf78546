//! Valid answers a fake model gives, keyed by the schema the request asks for: a small plan
//! (hero with a photo, features, FAQ, call to action, footer; the pipeline adds the contact
//! section), the props of each section, and the brief for the hero photo. The copy states
//! nothing the tests' brief (a small-batch roastery in Portland) does not give.

use serde_json::{Value, json};

/// The plan's sections, with the contact section the pipeline adds, for tests that count calls.
pub const PLAN_SECTIONS: usize = 6;
/// Model calls one generation makes with this plan: layout, one per section, image briefs.
pub const CALLS_PER_PAGE: usize = 1 + PLAN_SECTIONS + 1;

pub fn answer(schema_name: &str) -> Value {
    let cta = |label: &str| json!({"label": label, "href": "#contact"});
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
            "eyebrow": "Roasted in Portland", "headline": "Fresh single-origin beans, by subscription",
            "subheadline": "Acme roasts in small batches for home baristas who care where their coffee comes from.",
            "primary_cta": cta("Start my subscription"), "secondary_cta": null,
            "image": {"id": "hero-image", "alt": "Freshly roasted beans pouring from a scoop", "brief": ""}
        }),
        "features_props" => json!({
            "heading": "In every bag", "intro": "What home baristas get from Acme.",
            "items": [
                {"title": "Small batches", "body": "Roasted a little at a time in Portland."},
                {"title": "Single origin", "body": "Each bag comes from one place."},
                {"title": "By subscription", "body": "Beans arrive without you having to reorder."}
            ]
        }),
        "faq_props" => json!({
            "heading": "Questions from home baristas",
            "items": [
                {"question": "Where is Acme?", "answer": "In Portland, where every batch is roasted."},
                {"question": "What do you sell?", "answer": "Single-origin beans, by subscription."},
                {"question": "Who is it for?", "answer": "Home baristas who like to know their beans."}
            ]
        }),
        "cta_props" => {
            json!({"heading": "Ready for fresher coffee?", "body": "Send us a message and Acme will reply about your subscription.", "cta": cta("Start my subscription")})
        }
        "contact_props" => json!({
            "heading": "Talk to Acme", "intro": "Questions about beans or subscriptions? Write to us.",
            "phone": "", "email": "", "address": "", "hours": "",
            "form": {"intro": "We read every message.", "name_label": "Your name", "email_label": "Your email", "message_label": "Your message", "submit_label": "Send"}
        }),
        "footer_props" => {
            json!({"business_name": "Acme Coffee Roasters", "tagline": "Small-batch coffee from Portland.", "links": [], "legal": "© 2026 Acme Coffee Roasters"})
        }
        "image_briefs" => {
            json!({"briefs": [{"slot_id": "hero-image", "brief": "Overhead photo of dark roasted coffee beans pouring from a steel scoop, warm morning light, shallow depth of field, no text."}]})
        }
        other => panic!("no canned answer for schema {other}"),
    }
}
