//! Lighthouse (mobile, headless Chromium) on rendered pages: every category at 95 or more.
//!
//! The page is served by a tiny axum server on a free loopback port and audited by
//! `scripts/lighthouse`, which installs Chromium and Lighthouse when they are missing.
//! Set `VISIONS_SKIP_LIGHTHOUSE=1` to skip on a machine that cannot run a browser.

use std::path::PathBuf;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use visions_domain::page::Page;
use visions_domain::project::{BrandColors, BrandFonts, BrandKit};
use visions_page::render_page;
use visions_page::theme::{Palette, build_theme};

const MIN_SCORE: &str = "0.95";

/// One audit at a time, and never beside the suite's CPU-heavy tests: on two cores they
/// would measure each other, not the page.
use visions_tests::CPU_HEAVY as AUDIT;

/// Serves `html` at `/` (and a permissive robots.txt) until the returned handle is dropped.
async fn serve(html: String) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route(
            "/",
            get(move || {
                let html = html.clone();
                async move {
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
                }
            }),
        )
        .route(
            "/robots.txt",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "User-agent: *\nAllow: /\n",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/"), server)
}

/// Lighthouse on `url`. The performance score is a timing: a second audit absorbs a moment
/// when the machine was busy elsewhere; a page that is slow fails both.
async fn audit(url: &str) -> std::process::Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/lighthouse");
    let mut output = None;
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        }
        let run = tokio::process::Command::new(&script)
            .arg(url)
            .arg(MIN_SCORE)
            .output()
            .await
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        let passed = run.status.success();
        output = Some(run);
        if passed {
            break;
        }
    }
    output.expect("at least one audit ran")
}

async fn assert_lighthouse_passes(name: &str, page: &Page) {
    if std::env::var_os("VISIONS_SKIP_LIGHTHOUSE").is_some() {
        eprintln!("VISIONS_SKIP_LIGHTHOUSE is set: not auditing {name}");
        return;
    }
    let _turn = AUDIT.lock().await;
    let html = render_page(page);
    println!("{name}: {} bytes of HTML", html.len());
    let (url, server) = serve(html).await;
    let output = audit(&url).await;
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{name}:\n{stdout}");
    assert!(
        output.status.success(),
        "Lighthouse below {MIN_SCORE} for {name} ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

fn sample() -> Page {
    serde_json::from_str(include_str!("../../fixtures/sample-page.json")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_page_scores_at_least_95_in_every_category() {
    assert_lighthouse_passes("sample-page.json", &sample()).await;
    // The same content with every type's other variant (centred hero, feature list, benefit
    // cards, spotlight testimonial, CTA card) on a dark theme built from a difficult brand kit.
    let mut page = sample();
    for section in &mut page.sections {
        let variants = section.content.section_type().variants();
        section.variant = variants[variants.len() - 1].to_owned();
    }
    let brand = BrandKit {
        colors: BrandColors {
            primary: Some("#8B5CF6".into()),
            accent: Some("#22D3EE".into()),
            background: Some("#0B1020".into()),
            text: Some("#333344".into()),
            ..Default::default()
        },
        fonts: BrandFonts {
            heading: Some("Space Grotesk".into()),
            body: Some("Inter".into()),
        },
        ..Default::default()
    };
    page.theme = build_theme(&brand, &Palette::default());
    assert_lighthouse_passes("sample-page.json, other variants, dark brand", &page).await;
}

/// Pages the pipeline generated (offline composer), served by the local server itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_pages_served_by_the_local_server_score_at_least_95() {
    if std::env::var_os("VISIONS_SKIP_LIGHTHOUSE").is_some() {
        eprintln!("VISIONS_SKIP_LIGHTHOUSE is set: not auditing generated pages");
        return;
    }
    use serde_json::json;
    let app = visions_tests::TestApp::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let briefs = [
        (
            "Landing page for Rosa's Bakery, a family-run sourdough bakery in Portland. We bake naturally leavened loaves, croissants and custom birthday cakes every morning and want neighbours to pre-order for weekend pickup. Warm, friendly tone please.",
            "en",
        ),
        (
            "Le Petit Zinc est un bistrot de quartier à Lyon, dans le 4e arrondissement : cuisine lyonnaise de saison, vins nature et menu du midi à 19 €. On veut plus de réservations le soir, avec un ton convivial et gourmand.",
            "fr",
        ),
    ];
    for (i, (prompt, locale)) in briefs.into_iter().enumerate() {
        let project = app.create_project("alice", "Page").await;
        app.start_generation(
            "alice",
            &project,
            json!({"prompt": prompt, "locale": locale}),
            &format!("lh-{i}"),
        )
        .await;
        app.drain().await;
        let version = app
            .get("alice", &format!("/v1/projects/{project}/versions/1"))
            .await;
        let url = format!("{base}{}", version.body["html_url"].as_str().unwrap());
        // Audited with its pictures: responsive WebP widths from the image stage.
        let html = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(
            html.contains("srcset=\"/assets/images/"),
            "generated page {i} has no pictures to audit"
        );
        let _turn = AUDIT.lock().await;
        let output = audit(&url).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("generated page {i} ({locale}):\n{stdout}");
        assert!(
            output.status.success(),
            "Lighthouse below {MIN_SCORE} for generated page {i}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    server.abort();
}
