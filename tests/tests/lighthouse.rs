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
use visions_shared::page::model::Page;
use visions_shared::page::render::render_page;

const MIN_SCORE: &str = "0.95";

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

async fn assert_lighthouse_passes(name: &str, page: &Page) {
    if std::env::var_os("VISIONS_SKIP_LIGHTHOUSE").is_some() {
        eprintln!("VISIONS_SKIP_LIGHTHOUSE is set: not auditing {name}");
        return;
    }
    let html = render_page(page);
    println!("{name}: {} bytes of HTML", html.len());
    let (url, server) = serve(html).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/lighthouse");
    let output = tokio::process::Command::new(&script)
        .arg(&url)
        .arg(MIN_SCORE)
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_page_scores_at_least_95_in_every_category() {
    let page: Page = serde_json::from_str(include_str!("../fixtures/sample-page.json")).unwrap();
    assert_lighthouse_passes("sample-page.json", &page).await;
}
