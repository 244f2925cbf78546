//! Pages with real images: the worker fills every image slot through the image stage (the
//! offline generator by default, or a provider over its own wire format), the optimize code
//! makes responsive WebP widths, and the page serves them with `srcset`, sizes and a
//! placeholder. A picture that fails leaves its slot with the brief and a reason.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use visions_tests::TestApp;
use visions_tests::fake_images::{FakeImageProvider, ImageReply, ImageWire};

const BRIEF: &str = "Rosa's Bakery, a sourdough bakery in Portland, Oregon. Fresh loaves, \
    pastries and coffee every morning; order ahead at https://rosasbakery.example/order";

/// Generates one page for `alice`; returns the version body.
async fn generate(app: &TestApp) -> Value {
    let project = app.create_project("alice", "Rosa's Bakery").await;
    let accepted = app
        .start_generation("alice", &project, json!({"prompt": BRIEF}), "img")
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    app.drain().await;
    let job = app
        .get(
            "alice",
            &format!("/v1/jobs/{}", accepted.body["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(job.body["status"], "succeeded", "{}", job.body);
    app.get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await
        .body
}

fn slots(page: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for section in page["sections"].as_array().unwrap() {
        let props = &section["props"];
        if props["image"].is_object() {
            out.push(props["image"].clone());
        }
        if let Some(images) = props["images"].as_array() {
            out.extend(images.iter().cloned());
        }
    }
    out
}

async fn html(app: &TestApp, version: &Value) -> String {
    let url = version["html_url"].as_str().unwrap();
    let reply = app.call(Method::GET, url, None, None, &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body.as_str().unwrap().to_owned()
}

fn image_app_vars(
    base: &str,
    model: &str,
    key_var: &'static str,
    base_var: &'static str,
) -> Vec<(&'static str, String)> {
    vec![
        ("VISIONS_IMAGE_MODEL", model.to_owned()),
        (base_var, base.to_owned()),
        (key_var, "sk-test-key".to_owned()),
        ("VISIONS_MODEL_MAX_ATTEMPTS", "3".to_owned()),
    ]
}

async fn app_with(vars: &[(&'static str, String)]) -> TestApp {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::local(&vars, |_| {}).await
}

#[tokio::test]
async fn every_image_slot_gets_responsive_webp_widths_that_the_page_serves() {
    let app = TestApp::sqlite().await;
    let version = generate(&app).await;
    let page = &version["page"];
    let slots = slots(page);
    assert!(!slots.is_empty(), "the page has image slots");
    for slot in &slots {
        let picture = &slot["picture"];
        assert!(
            picture.is_object(),
            "slot {} has no picture: {slot}",
            slot["id"]
        );
        assert!(
            slot["brief"].as_str().unwrap().len() > 10,
            "the brief stays"
        );
        let sources = picture["sources"].as_array().unwrap();
        let widths: Vec<u64> = sources
            .iter()
            .map(|s| s["width"].as_u64().unwrap())
            .collect();
        assert!(
            widths.windows(2).all(|w| w[0] > w[1]),
            "widest first: {widths:?}"
        );
        assert!(widths.first().is_some_and(|w| *w <= 2400) && widths.contains(&320));
        assert_eq!(picture["width"], sources[0]["width"]);
        assert!(
            picture["placeholder"]
                .as_str()
                .unwrap()
                .starts_with("data:image/webp;base64,")
        );
        // Every width is served as an immutable WebP, as the CDN would.
        for source in sources {
            let url = source["url"].as_str().unwrap();
            assert!(
                url.starts_with("/assets/images/") && url.ends_with("w.webp"),
                "{url}"
            );
            let file = app.call(Method::GET, url, None, None, &[]).await;
            assert_eq!(file.status, StatusCode::OK, "{url}");
            assert_eq!(file.header("content-type"), "image/webp");
            assert!(file.header("cache-control").contains("immutable"));
        }
    }
    assert!(
        page["provenance"]["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "images=local:art")
    );

    let html = html(&app, &version).await;
    let document = scraper::Html::parse_document(&html);
    let images: Vec<_> = document
        .select(&scraper::Selector::parse("img[srcset]").unwrap())
        .collect();
    assert_eq!(images.len(), slots.len(), "one responsive img per slot");
    for (n, img) in images.iter().enumerate() {
        let attr = |name: &str| img.value().attr(name).unwrap_or("");
        assert!(attr("srcset").contains(" 320w"), "{}", attr("srcset"));
        assert!(!attr("sizes").is_empty() && !attr("alt").is_empty());
        assert!(
            attr("width").parse::<u32>().unwrap() > 0 && attr("height").parse::<u32>().unwrap() > 0
        );
        let hero_pictured = page["sections"][0]["type"] == "hero"
            && page["sections"][0]["props"]["image"].is_object();
        if n == 0 && hero_pictured {
            assert_eq!(attr("fetchpriority"), "high", "the hero loads first");
            assert_eq!(attr("loading"), "eager");
        } else {
            assert_eq!(attr("loading"), "lazy", "below the fold loads lazily");
        }
        // Its placeholder is a rule of the stylesheet, which the CSP's hash covers.
        let class = attr("class");
        assert!(class.starts_with("lq-"), "{class}");
        assert!(html.contains(&format!(".{class}{{background:url(data:image/webp;base64,")));
    }
    // The bytes between the tags, as the browser hashes them.
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css.to_owned())
        .unwrap();
    use base64::Engine;
    use sha2::Digest;
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    let csp = document
        .select(&scraper::Selector::parse("meta[http-equiv=Content-Security-Policy]").unwrap())
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap_or("")
        .to_owned();
    assert!(
        csp.contains(&format!("'sha256-{hash}'")),
        "the CSP allows the stylesheet as served: {csp}"
    );
    assert!(
        !html.contains("class=\"media r43 ph"),
        "no grey placeholder is left"
    );
}

#[tokio::test]
async fn gpt_image_1_answers_in_base64_and_dall_e_3_by_url() {
    let art = visions_imaging::png(&visions_imaging::art::paint(
        "provider art",
        &[[200, 80, 40]],
        1536,
        1024,
    ))
    .unwrap();
    for (model, by_url) in [("openai:gpt-image-1", false), ("openai:dall-e-3", true)] {
        let file = art.clone();
        let fake = FakeImageProvider::start(ImageWire::OpenAi, move |_| {
            if by_url {
                ImageReply::Url(file.clone())
            } else {
                ImageReply::Base64(file.clone())
            }
        })
        .await;
        let app = app_with(&image_app_vars(
            &fake.openai_base_url(),
            model,
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
        ))
        .await;
        let version = generate(&app).await;
        let slots = slots(&version["page"]);
        assert!(
            slots.iter().all(|s| s["picture"].is_object()),
            "{model}: {slots:?}"
        );
        let calls = fake.calls();
        assert_eq!(calls.len(), slots.len(), "{model}: one call per slot");
        for call in &calls {
            assert_eq!(call.headers["authorization"], "Bearer sk-test-key");
            let body = &call.json;
            assert_eq!(body["model"], model.trim_start_matches("openai:"));
            assert_eq!(body["n"], 1);
            assert!(body["prompt"].as_str().unwrap().len() > 10);
            if by_url {
                assert_eq!(body["response_format"], "b64_json");
                assert!(
                    ["1792x1024", "1024x1024", "1024x1792"]
                        .contains(&body["size"].as_str().unwrap())
                );
            } else {
                assert!(
                    body.get("response_format").is_none(),
                    "gpt-image-1 refuses response_format"
                );
                assert!(
                    ["1536x1024", "1024x1024", "1024x1536"]
                        .contains(&body["size"].as_str().unwrap())
                );
            }
        }
    }
}

#[tokio::test]
async fn refusals_and_answers_that_are_not_images_leave_the_slot_with_a_reason() {
    for (reply, expected) in [("policy", "refused"), ("html", "not a usable image")] {
        let fake = FakeImageProvider::start(ImageWire::OpenAi, move |_| match reply {
            "policy" => ImageReply::openai_content_policy(),
            _ => ImageReply::Base64(
                b"<!DOCTYPE html><html><body>Service unavailable</body></html>".to_vec(),
            ),
        })
        .await;
        let app = app_with(&image_app_vars(
            &fake.openai_base_url(),
            "openai:gpt-image-1",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
        ))
        .await;
        let version = generate(&app).await;
        for slot in slots(&version["page"]) {
            assert!(slot["picture"].is_null());
            assert!(
                slot["brief"].as_str().unwrap().len() > 10,
                "the brief stays for another try"
            );
            let failure = slot["failure"].as_str().unwrap();
            assert!(failure.contains(expected), "{failure}");
        }
        if reply == "policy" {
            assert_eq!(
                fake.calls().len(),
                slots(&version["page"]).len(),
                "a refusal is not retried"
            );
        }
        // The page still renders, with themed placeholders, and is publishable.
        assert_eq!(
            version["quality"]["publishable"], true,
            "{}",
            version["quality"]
        );
        let html = html(&app, &version).await;
        assert!(html.contains(" ph t"), "a themed placeholder is drawn");
    }
}

#[tokio::test]
async fn a_rate_limited_image_call_is_retried_after_the_wait_it_names() {
    let art = visions_imaging::png(&visions_imaging::art::paint("retry", &[], 640, 480)).unwrap();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let fake = FakeImageProvider::start(ImageWire::OpenAi, move |_| {
        if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            ImageReply::rate_limited(1)
        } else {
            ImageReply::Base64(art.clone())
        }
    })
    .await;
    let app = app_with(&image_app_vars(
        &fake.openai_base_url(),
        "openai:gpt-image-1",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ))
    .await;
    let version = generate(&app).await;
    let slots = slots(&version["page"]);
    assert!(slots.iter().all(|s| s["picture"].is_object()), "{slots:?}");
    assert_eq!(
        fake.calls().len(),
        slots.len() + 1,
        "one retry after the 429"
    );
}

#[tokio::test]
async fn stability_gets_a_multipart_form_and_its_content_filter_is_a_refusal() {
    let art =
        visions_imaging::png(&visions_imaging::art::paint("stability", &[], 1344, 768)).unwrap();
    let fake = FakeImageProvider::start(ImageWire::Stability, move |call| {
        if call.form.get("aspect_ratio").map(String::as_str) == Some("1:1") {
            ImageReply::Filtered
        } else {
            ImageReply::Base64(art.clone())
        }
    })
    .await;
    let app = app_with(&image_app_vars(
        &fake.url(),
        "stability:core",
        "STABILITY_API_KEY",
        "STABILITY_BASE_URL",
    ))
    .await;
    let version = generate(&app).await;
    let calls = fake.calls();
    assert!(!calls.is_empty());
    for call in &calls {
        assert_eq!(call.path, "/v2beta/stable-image/generate/core");
        assert_eq!(call.headers["accept"], "application/json");
        assert_eq!(call.headers["authorization"], "Bearer sk-test-key");
        assert!(call.headers["content-type"].starts_with("multipart/form-data; boundary="));
        assert_eq!(call.form["output_format"], "png");
        assert!(call.form["prompt"].len() > 10);
        assert!(["1:1", "3:2", "16:9", "21:9"].contains(&call.form["aspect_ratio"].as_str()));
    }
    for slot in slots(&version["page"]) {
        if slot["failure"].is_string() {
            assert!(
                slot["failure"].as_str().unwrap().contains("refused"),
                "{slot}"
            );
        } else {
            assert!(slot["picture"].is_object(), "{slot}");
        }
    }
}

#[tokio::test]
async fn regenerating_a_section_remakes_only_its_own_images() {
    let app = TestApp::sqlite().await;
    let v1 = generate(&app).await;
    let page = &v1["page"];
    let project = app.get("alice", "/v1/projects").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pictured: Vec<(String, Vec<String>)> = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let ids = slots(&json!({"sections": [s]}))
                .iter()
                .map(|slot| {
                    slot["picture"]["asset_id"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect();
            (s["id"].as_str().unwrap().to_owned(), ids)
        })
        .collect();
    let (target, _) = pictured
        .iter()
        .find(|(_, ids)| !ids.is_empty())
        .expect("a section with images");
    let accepted = app
        .call(
            Method::POST,
            &format!("/v1/projects/{project}/sections/{target}/regenerate"),
            Some("alice"),
            Some(json!({"prompt": "Make it warmer"})),
            &[("idempotency-key", "regen-1")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    app.drain().await;
    let v2 = app
        .get("alice", &format!("/v1/projects/{project}/versions/2"))
        .await
        .body;
    for section in v2["page"]["sections"].as_array().unwrap() {
        let id = section["id"].as_str().unwrap();
        let now: Vec<String> = slots(&json!({"sections": [section]}))
            .iter()
            .map(|slot| {
                slot["picture"]["asset_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        let before = &pictured.iter().find(|(s, _)| s == id).unwrap().1;
        if id == target {
            assert!(
                now.iter().all(|a| !a.is_empty() && !before.contains(a)),
                "{id}: remade"
            );
        } else {
            assert_eq!(&now, before, "{id}: kept as it was");
        }
    }
}
