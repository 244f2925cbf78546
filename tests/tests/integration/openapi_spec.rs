//! The OpenAPI document, the router and the SAM template describe the same routes.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use visions_tests::TestApp;

const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/forms/{token}"),
];

fn spec_routes() -> BTreeSet<(String, String)> {
    let spec = serde_json::to_value(visions_ai::stack::openapi()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// `Path:`/`Method:` pairs of the template's Api events, in the order they are written.
fn template_routes() -> BTreeSet<(String, String)> {
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let mut routes = BTreeSet::new();
    let mut path = None;
    for line in template.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Path: ") {
            path = Some(value.to_owned());
        } else if let (Some(method), Some(p)) = (line.strip_prefix("Method: "), path.take()) {
            routes.insert((method.to_uppercase(), p));
        }
    }
    routes
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let app = TestApp::sqlite().await;
    let routes = spec_routes();
    assert!(routes.len() >= 7, "{routes:?}");
    for (method, path) in &routes {
        let uri = path.replace("{id}", "0190c5a0-0000-7000-8000-000000000001");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply = app
            .call(
                method.clone(),
                &uri,
                Some("alice"),
                Some(serde_json::json!({})),
                &[],
            )
            .await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_ne!(
            reply.body["detail"], "no such route",
            "{method} {path} is documented but not routed"
        );
    }
}

#[tokio::test]
async fn undocumented_methods_are_not_served() {
    let app = TestApp::sqlite().await;
    let routes = spec_routes();
    let paths: BTreeSet<_> = routes.iter().map(|(_, path)| path.clone()).collect();
    for path in paths {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if routes.contains(&(method.to_owned(), path.clone())) {
                continue;
            }
            let uri = path.replace("{id}", "0190c5a0-0000-7000-8000-000000000001");
            let reply = app
                .call(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    &uri,
                    Some("alice"),
                    None,
                    &[],
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} answers but is not documented"
            );
        }
    }
}

#[tokio::test]
async fn served_document_is_the_built_one_and_marks_auth() {
    let app = TestApp::sqlite().await;
    let served = app
        .call(Method::GET, "/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(served.status, StatusCode::OK);
    let built = serde_json::to_value(visions_ai::stack::openapi()).unwrap();
    assert_eq!(
        served.body, built,
        "shared/api/openapi.json is stale: run `visions-ai openapi > shared/api/openapi.json`"
    );
    for (method, path) in spec_routes() {
        let operation = &built["paths"][&path][method.to_lowercase()];
        let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
        assert_eq!(
            operation["security"].is_array(),
            !public,
            "{method} {path}: security must match auth"
        );
    }
    assert!(built["components"]["schemas"]["Project"].is_object());
    assert!(built["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn sam_template_routes_match_the_document() {
    let (preflights, routes): (BTreeSet<_>, BTreeSet<_>) = template_routes()
        .into_iter()
        .partition(|(method, _)| method == "OPTIONS");
    assert_eq!(routes, spec_routes());
    // Every path a browser calls with a token needs its CORS preflight routed to the function;
    // API Gateway would otherwise answer it with a 404 of its own.
    let authenticated: BTreeSet<_> = spec_routes()
        .into_iter()
        .filter(|(method, path)| !PUBLIC.contains(&(method.as_str(), path.as_str())))
        .map(|(_, path)| ("OPTIONS".to_owned(), path))
        .collect();
    assert_eq!(preflights, authenticated);
}

/// The document states the limits the server enforces, with the server's own numbers, so a
/// client (or schemathesis) that follows it is never refused, and one that does not is.
#[test]
fn documented_limits_are_the_servers() {
    use visions_domain::project::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_TONE_CHARS};
    use visions_generate::MAX_PROMPT_CHARS;
    let spec = serde_json::to_value(visions_ai::stack::openapi()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let max =
        |schema: &str, field: &str| schemas[schema]["properties"][field]["maxLength"].as_u64();
    assert_eq!(max("NewProject", "name"), Some(MAX_NAME_CHARS as u64));
    assert_eq!(
        max("NewProject", "description"),
        Some(MAX_DESCRIPTION_CHARS as u64)
    );
    assert_eq!(max("BrandKit", "tone"), Some(MAX_TONE_CHARS as u64));
    assert_eq!(
        max("GenerateRequest", "prompt"),
        Some(MAX_PROMPT_CHARS as u64)
    );
    assert_eq!(
        max("RegenerateRequest", "prompt"),
        Some(MAX_PROMPT_CHARS as u64)
    );
    assert_eq!(schemas["NewProject"]["properties"]["name"]["minLength"], 1);
    for (path, method) in [
        ("/v1/projects", "post"),
        ("/v1/projects/{id}", "patch"),
        ("/v1/projects/{id}/generate", "post"),
        ("/v1/projects/{id}/sections/{section_id}/regenerate", "post"),
    ] {
        let operation = &spec["paths"][path][method];
        assert!(
            operation["responses"]["415"].is_object(),
            "{method} {path}: 415"
        );
        assert!(
            operation["responses"]["413"].is_object(),
            "{method} {path}: 413"
        );
    }
    let key = spec["paths"]["/v1/projects/{id}/generate"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap();
    assert_eq!(key["required"], true);
    assert_eq!(key["schema"]["maxLength"], 255);
    let limit = spec["paths"]["/v1/projects"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
}

/// API Gateway asks for an API key on every method but those the template opens, which are
/// the preflights and exactly the routes the local server's `--require-api-key` opens.
#[test]
fn the_template_opens_exactly_the_open_routes() {
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let mut open = BTreeSet::new();
    let (mut path, mut last) = (None, None);
    for line in template.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Path: ") {
            path = Some(value.to_owned());
        } else if let (Some(method), Some(p)) = (line.strip_prefix("Method: "), path.take()) {
            last = Some((method.to_uppercase(), p));
        } else if line == "ApiKeyRequired: false" {
            open.insert(
                last.take()
                    .expect("ApiKeyRequired follows an event's Method"),
            );
        }
    }
    let (preflights, routes): (BTreeSet<_>, BTreeSet<_>) = open
        .into_iter()
        .partition(|(method, _)| method == "OPTIONS");
    let expected: BTreeSet<_> = visions_api::OPEN_ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(routes, expected);
    let all_preflights: BTreeSet<_> = template_routes()
        .into_iter()
        .filter(|(method, _)| method == "OPTIONS")
        .collect();
    assert_eq!(preflights, all_preflights, "every preflight is open");
}
