//! `POST /v1/projects/{id}/exports` as a client meets it: each format's zip (its file list kept
//! as a snapshot, its key files read), the tier and credit rules, and bad requests.

use std::collections::BTreeMap;
use std::io::Read;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use visions_api::auth::Tier;
use visions_tests::{Reply, TestApp};

const PROMPT: &str = "Rosa's Bakery, a family-run sourdough bakery in Portland. Loaves from $8. \
Pre-order for weekend pickup: call 503-555-0142. 'Best croissant in town' - Maria L., regular.";

/// A project with one generated version; returns the project id.
async fn generated(app: &TestApp, sub: &str) -> String {
    let project = app.create_project(sub, "Rosa's Bakery").await;
    let started = app
        .start_generation(sub, &project, json!({"prompt": PROMPT}), "gen-1")
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    app.drain().await;
    project
}

async fn export(app: &TestApp, sub: &str, project: &str, body: Value, key: &str) -> Reply {
    app.call(
        Method::POST,
        &format!("/v1/projects/{project}/exports"),
        Some(sub),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

/// Runs the export to its end and returns the finished job and the zip's files by path.
pub async fn exported(
    app: &TestApp,
    sub: &str,
    project: &str,
    format: &str,
) -> (Value, BTreeMap<String, Vec<u8>>) {
    let accepted = export(app, sub, project, json!({"format": format}), format).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(accepted.body["kind"], "export");
    assert_eq!(accepted.body["format"], format);
    assert_eq!(accepted.body["base_version"], 1);
    assert!(accepted.body.get("input").is_none(), "{}", accepted.body);
    app.drain().await;
    let job = app.get(sub, accepted.header("location")).await.body;
    assert_eq!(job["status"], "succeeded", "{job}");
    let url = job["export"]["url"].as_str().expect("the zip's address");
    let download = app.download(url).await;
    assert_eq!(download.0, StatusCode::OK);
    assert_eq!(download.1, "application/zip");
    assert_eq!(
        download.2.len() as u64,
        job["export"]["bytes"].as_u64().unwrap()
    );
    let files = unzip(&download.2);
    assert_eq!(files.len() as u64, job["export"]["files"].as_u64().unwrap());
    (job, files)
}

pub fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().to_owned(), content);
    }
    files
}

/// The file list with content-hashed picture names made stable, as kept in the snapshot.
fn listing(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut lines: Vec<String> = files
        .keys()
        .map(|path| match path.rsplit_once("images/") {
            Some((folder, _)) => format!("{folder}images/*.webp"),
            None => path.clone(),
        })
        .collect();
    lines.dedup();
    lines.join("\n") + "\n"
}

/// Compares with `tests/fixtures/exports/<name>.txt`; `VISIONS_UPDATE_SNAPSHOTS=1` rewrites it.
fn assert_snapshot(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/exports")
        .join(format!("{name}.txt"));
    if std::env::var_os("VISIONS_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with VISIONS_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        actual, expected,
        "{name}'s file list changed (VISIONS_UPDATE_SNAPSHOTS=1 to accept)"
    );
}

fn text<'a>(files: &'a BTreeMap<String, Vec<u8>>, path: &str) -> &'a str {
    let bytes = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not in the zip: {:?}", files.keys()));
    std::str::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_version_exports_as_a_static_site_with_its_pictures() {
    let app = TestApp::sqlite().await;
    let project = generated(&app, "alice").await;
    let (job, files) = exported(&app, "alice", &project, "html").await;
    assert_eq!(job["credits_charged"], 1, "{job}");
    assert_snapshot("html", &listing(&files));
    let root = "rosas-bakery-html";
    let html = text(&files, &format!("{root}/index.html"));
    let document = scraper::Html::parse_document(html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    // Every section keeps its page id; the stylesheet, icon and pictures are the zip's own.
    let ids: Vec<&str> = document
        .select(&select("main > section"))
        .map(|s| s.value().attr("data-section-id").unwrap())
        .collect();
    assert!(ids.contains(&"hero"), "{ids:?}");
    assert_eq!(
        document
            .select(&select("link[rel=stylesheet]"))
            .next()
            .unwrap()
            .value()
            .attr("href"),
        Some("styles.css")
    );
    assert!(text(&files, &format!("{root}/styles.css")).starts_with(":root{"));
    assert!(text(&files, &format!("{root}/favicon.svg")).starts_with("<svg"));
    assert!(html.contains("property=\"og:title\"") && html.contains("application/ld+json"));
    assert!(
        !html.contains("/assets/"),
        "the export links back to the platform"
    );
    // The contact form posts to the platform's endpoint, and the page's CSP lets it.
    let form = document
        .select(&select("form"))
        .next()
        .expect("a contact form");
    assert!(
        form.value()
            .attr("action")
            .unwrap()
            .starts_with("/v1/forms/")
    );
    assert!(
        html.contains("form-action 'self'"),
        "the CSP blocks the form"
    );
    let images: Vec<_> = document.select(&select("img")).collect();
    assert!(!images.is_empty());
    for img in images {
        let src = img.value().attr("src").unwrap();
        assert!(
            files.contains_key(&format!("{root}/{src}")),
            "{src} is not in the zip"
        );
        assert!(!img.value().attr("alt").unwrap_or("").is_empty());
        for candidate in img.value().attr("srcset").unwrap().split(", ") {
            let (url, width) = candidate.split_once(' ').unwrap();
            assert!(width.ends_with('w'));
            assert!(
                files.contains_key(&format!("{root}/{url}")),
                "{url} is not in the zip"
            );
        }
    }
    assert_eq!(
        text(&files, &format!("{root}/robots.txt")),
        "User-agent: *\nAllow: /\n"
    );
}

#[tokio::test]
async fn a_site_url_puts_a_sitemap_in_the_export() {
    let app = TestApp::sqlite().await;
    let created = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({"name": "Rosa's Bakery", "site_url": "https://rosas.example/"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let project = created.body["id"].as_str().unwrap();
    app.start_generation("alice", project, json!({"prompt": PROMPT}), "g")
        .await;
    app.drain().await;
    let (_, files) = exported(&app, "alice", project, "html").await;
    let sitemap = text(&files, "rosas-bakery-html/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://rosas.example/</loc>"),
        "{sitemap}"
    );
    assert!(
        text(&files, "rosas-bakery-html/robots.txt")
            .contains("Sitemap: https://rosas.example/sitemap.xml")
    );
    let html = text(&files, "rosas-bakery-html/index.html");
    assert!(html.contains("<link rel=\"canonical\" href=\"https://rosas.example/\">"));
}

#[tokio::test]
async fn a_version_exports_as_react_and_nextjs_projects() {
    let app = TestApp::sqlite().await;
    let project = generated(&app, "alice").await;
    for format in ["react", "nextjs"] {
        let (job, files) = exported(&app, "alice", &project, format).await;
        assert_eq!(job["credits_charged"], 2, "{job}");
        assert_snapshot(format, &listing(&files));
        let root = format!("rosas-bakery-{format}");
        let (components, styles) = match format {
            "react" => ("src/components", "src"),
            _ => ("components", "app"),
        };
        let data = text(&files, &format!("{root}/{components}/page-data.ts"));
        assert!(data.contains("export const page: PageData = {"), "{data}");
        assert!(data.contains("\"sectionId\": \"hero\""));
        assert!(
            data.contains("images/"),
            "the pictures are the project's own"
        );
        assert!(!data.contains("/assets/"));
        assert!(text(&files, &format!("{root}/{styles}/theme.css")).contains("--p:"));
        let package: Value =
            serde_json::from_str(text(&files, &format!("{root}/package.json"))).unwrap();
        for group in ["dependencies", "devDependencies"] {
            for (name, version) in package[group].as_object().into_iter().flatten() {
                let version = version.as_str().unwrap();
                assert!(
                    version.chars().next().unwrap().is_ascii_digit(),
                    "{name}@{version} is not pinned"
                );
            }
        }
    }
}

#[tokio::test]
async fn tiers_credits_and_bad_requests_are_refused_before_anything_is_queued() {
    let mut app = TestApp::sqlite().await;
    let project = generated(&app, "alice").await;
    app.tier = Tier::Free;
    let free = generated(&app, "fred").await;

    // A free user asking for a pro export: 403 naming the tier.
    let refused = export(&app, "fred", &free, json!({"format": "react"}), "r").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.problem(), "tier-required");
    assert_eq!(refused.body["tier"], "pro");
    // The static site is theirs.
    let accepted = export(&app, "fred", &free, json!({"format": "html"}), "h").await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(accepted.header("visions-credits"), "1");
    // The same key again: the same job, nothing held twice.
    let again = export(&app, "fred", &free, json!({"format": "html"}), "h").await;
    assert_eq!(again.body["id"], accepted.body["id"]);
    app.drain().await;

    app.tier = Tier::Pro;
    let cases = [
        (json!({"format": "pdf"}), StatusCode::BAD_REQUEST),
        (
            json!({"format": "html", "version": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"format": "html", "version": 9}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"format": "html", "extra": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({}), StatusCode::BAD_REQUEST),
    ];
    for (body, status) in cases {
        let reply = export(&app, "alice", &project, body.clone(), &format!("{body}")).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.header("content-type"), "application/problem+json");
    }
    // Someone else's project, and no Idempotency-Key.
    let foreign = export(&app, "mallory", &project, json!({"format": "html"}), "x").await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let keyless = app
        .call(
            Method::POST,
            &format!("/v1/projects/{project}/exports"),
            Some("alice"),
            Some(json!({"format": "html"})),
            &[],
        )
        .await;
    assert_eq!(keyless.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.drain().await, 0, "nothing was queued");

    // A balance short of the export's price: 402 with the balance and the cost.
    let balance = app.get("fred", "/v1/credits").await.body["balance"]
        .as_i64()
        .unwrap();
    let admin = app.admin_token("root");
    let drained = app
        .call_with(
            Method::POST,
            "/v1/admin/credits",
            Some(&admin),
            Some(json!({"user": "fred", "amount": -balance, "reason": "test: empty the balance"})),
            &[("idempotency-key", "empty-fred")],
        )
        .await;
    assert!(drained.status.is_success(), "{}", drained.body);
    let short = export(&app, "fred", &free, json!({"format": "html"}), "short").await;
    assert_eq!(short.status, StatusCode::PAYMENT_REQUIRED, "{}", short.body);
    assert_eq!(short.body["cost"], 1);
    assert_eq!(short.body["balance"], 0);
    assert_eq!(app.drain().await, 0);
}

#[tokio::test]
async fn on_aws_the_zip_is_stored_in_s3_under_its_address() {
    let app = TestApp::dynamo().await;
    let project = generated(&app, "alice").await;
    let accepted = export(&app, "alice", &project, json!({"format": "nextjs"}), "n").await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(app.drain().await, 1);
    let job = app.get("alice", accepted.header("location")).await.body;
    assert_eq!(job["status"], "succeeded", "{job}");
    let url = job["export"]["url"].as_str().unwrap();
    // The CDN's address on AWS; here, with no CDN configured, the emulator's bucket.
    assert!(url.ends_with("/rosas-bakery-nextjs.zip"), "{url}");
    // The stored job names the S3 object; it is the zip the URL serves.
    let id = uuid::Uuid::parse_str(job["id"].as_str().unwrap()).unwrap();
    let stored = app
        .stack
        .adapters
        .jobs
        .get("alice", id)
        .await
        .unwrap()
        .unwrap();
    let key = stored.export.expect("the archive").key;
    assert!(url.ends_with(&key), "{url} {key}");
    let bytes = app
        .stack
        .adapters
        .blobs
        .get(&key)
        .await
        .unwrap()
        .expect("in S3");
    assert_eq!(bytes.len() as u64, job["export"]["bytes"].as_u64().unwrap());
    let files = unzip(&bytes);
    assert!(files.contains_key("rosas-bakery-nextjs/app/layout.tsx"));
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("rosas-bakery-nextjs/public/images/"))
    );
}
