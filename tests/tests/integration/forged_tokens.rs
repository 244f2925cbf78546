//! Every way to forge or stretch a token is a 401, and nothing it asks for happens.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use time::OffsetDateTime;
use visions_tests::TestApp;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Claims the server would accept, for `app`'s issuer and audience.
fn good_claims(app: &TestApp) -> Value {
    json!({
        "sub": "alice", "tier": "free",
        "iss": app.jwt.issuer, "aud": app.jwt.audience,
        "iat": now(), "nbf": now(), "exp": now() + 600,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, key).unwrap()
}

/// A token assembled by hand, so its header can say anything.
fn raw(header: Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

async fn status(app: &TestApp, token: &str) -> StatusCode {
    app.get_with_authorization("/v1/projects", &format!("Bearer {token}"))
        .await
        .status
}

#[tokio::test]
async fn hs256_server_refuses_every_forgery() {
    let app = TestApp::sqlite().await;
    let key = EncodingKey::from_secret(app.jwt_key().as_bytes());
    let good = good_claims(&app);
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, &key, &good)).await,
        StatusCode::OK,
        "the control token works"
    );

    let wrong_key = EncodingKey::from_secret(b"another-secret-that-is-long-enough-32b");
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).unwrap();
    let mut forgeries: Vec<(&str, String)> = vec![
        (
            "alg none",
            raw(json!({"alg": "none", "typ": "JWT"}), &good, b""),
        ),
        ("alg None", raw(json!({"alg": "None"}), &good, b"")),
        ("wrong key", sign(Algorithm::HS256, &wrong_key, &good)),
        (
            "RS256 instead of HS256",
            sign(Algorithm::RS256, &rsa, &good),
        ),
        (
            "HS512 with the right key",
            sign(Algorithm::HS512, &key, &good),
        ),
        (
            "expired",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "exp", json!(now() - 120)),
            ),
        ),
        (
            "not yet valid",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "nbf", json!(now() + 300)),
            ),
        ),
        (
            "string nbf",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "nbf", json!(now().to_string())),
            ),
        ),
        (
            "string exp",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "exp", json!((now() + 600).to_string())),
            ),
        ),
        (
            "wrong audience",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "aud", json!("someone-else")),
            ),
        ),
        (
            "wrong issuer",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "iss", json!("evil-idp")),
            ),
        ),
        (
            "unknown tier",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "tier", json!("enterprise")),
            ),
        ),
        (
            "empty sub",
            sign(
                Algorithm::HS256,
                &key,
                &with(good.clone(), "sub", json!("")),
            ),
        ),
    ];
    for claim in ["exp", "nbf", "iss", "aud", "sub", "tier"] {
        forgeries.push((
            claim,
            sign(Algorithm::HS256, &key, &without(good.clone(), claim)),
        ));
    }
    // A valid token whose payload was swapped after signing.
    let valid = sign(Algorithm::HS256, &key, &good);
    let parts: Vec<&str> = valid.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(with(good.clone(), "sub", json!("bob")).to_string()),
        parts[2]
    );
    forgeries.push(("swapped payload", swapped));
    forgeries.push(("garbage", "not.a.token".into()));
    forgeries.push(("huge", "a".repeat(20_000)));

    for (what, token) in &forgeries {
        assert_eq!(
            status(&app, token).await,
            StatusCode::UNAUTHORIZED,
            "{what} must be refused"
        );
    }
    for header in ["", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", &valid] {
        let reply = app.get_with_authorization("/v1/projects", header).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "Authorization: {header:?}"
        );
        assert_eq!(reply.problem(), "unauthorized");
    }
}

#[tokio::test]
async fn leeway_is_thirty_seconds_at_most() {
    let app = TestApp::sqlite().await;
    let key = EncodingKey::from_secret(app.jwt_key().as_bytes());
    let just_expired = with(good_claims(&app), "exp", json!(now() - 10));
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, &key, &just_expired)).await,
        StatusCode::OK
    );
    let long_expired = with(good_claims(&app), "exp", json!(now() - 45));
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, &key, &long_expired)).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn eddsa_app() -> TestApp {
    TestApp::local(&[("VISIONS_JWT_ALG", "EdDSA")], |data| {
        std::fs::create_dir_all(data.join("secrets")).unwrap();
        std::fs::write(data.join("secrets/jwt-key"), fixture("ed25519-public.pem")).unwrap();
    })
    .await
}

/// The public key given as configuration (its JWK `x`), and an unusable JWT key secret beside
/// it: a server that read the secret would answer 500, not verify.
async fn eddsa_app_with_public_key() -> TestApp {
    let x = "Aq0CJH6AWz8D8FA2PkujK6Fsl9JuqC_iG4n-lyw5pco"; // of ed25519-public.pem
    TestApp::local(
        &[("VISIONS_JWT_ALG", "EdDSA"), ("VISIONS_JWT_PUBLIC_KEY", x)],
        |data| {
            std::fs::create_dir_all(data.join("secrets")).unwrap();
            std::fs::write(data.join("secrets/jwt-key"), "not a key").unwrap();
        },
    )
    .await
}

#[tokio::test]
async fn eddsa_server_accepts_its_key_and_refuses_confusion() {
    for (setup, app) in [
        ("key in the secret", eddsa_app().await),
        (
            "key in the configuration",
            eddsa_app_with_public_key().await,
        ),
    ] {
        refuses_forgeries_of_eddsa(setup, &app).await;
    }
}

async fn refuses_forgeries_of_eddsa(setup: &str, app: &TestApp) {
    let good = good_claims(app);
    let ed = EncodingKey::from_ed_pem(&fixture("ed25519-private.pem")).unwrap();
    assert_eq!(
        status(app, &sign(Algorithm::EdDSA, &ed, &good)).await,
        StatusCode::OK,
        "{setup}: the control token works"
    );

    let other = EncodingKey::from_ed_pem(&fixture("ed25519-other-private.pem")).unwrap();
    // The classic confusion attack: HMAC-sign with the public key as the shared secret.
    let public_as_secret = EncodingKey::from_secret(&fixture("ed25519-public.pem"));
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).unwrap();
    let forgeries = [
        ("another Ed25519 key", sign(Algorithm::EdDSA, &other, &good)),
        (
            "HS256 with the public key as secret",
            sign(Algorithm::HS256, &public_as_secret, &good),
        ),
        ("RS256", sign(Algorithm::RS256, &rsa, &good)),
        ("alg none", raw(json!({"alg": "none"}), &good, b"")),
        (
            "expired",
            sign(
                Algorithm::EdDSA,
                &ed,
                &with(good.clone(), "exp", json!(now() - 120)),
            ),
        ),
        (
            "string nbf",
            sign(
                Algorithm::EdDSA,
                &ed,
                &with(good.clone(), "nbf", json!(now().to_string())),
            ),
        ),
        (
            "missing exp",
            sign(Algorithm::EdDSA, &ed, &without(good.clone(), "exp")),
        ),
    ];
    for (what, token) in &forgeries {
        assert_eq!(
            status(app, token).await,
            StatusCode::UNAUTHORIZED,
            "{setup}: {what} must be refused"
        );
    }
}

#[tokio::test]
async fn a_short_hs256_secret_is_never_used() {
    let app = TestApp::local(&[], |data| {
        std::fs::create_dir_all(data.join("secrets")).unwrap();
        std::fs::write(data.join("secrets/jwt-key"), "short-secret").unwrap();
    })
    .await;
    let token = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(b"short-secret"),
        &good_claims(&app),
    );
    let reply = app
        .get_with_authorization("/v1/projects", &format!("Bearer {token}"))
        .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.problem(), "internal");
    assert!(
        !reply.body.to_string().contains("short"),
        "no internals leak: {}",
        reply.body
    );
}

/// RFC 7519 allows `aud` as an array: a token is accepted when ours is among them, and refused
/// when it is not (or when the array is empty or holds something else).
#[tokio::test]
async fn an_audience_array_must_contain_ours() {
    let app = TestApp::sqlite().await;
    let key = EncodingKey::from_secret(app.jwt_key().as_bytes());
    let ours = app.jwt.audience.clone();
    let accepted = with(good_claims(&app), "aud", json!(["another-api", ours]));
    assert_eq!(
        status(&app, &sign(Algorithm::HS256, &key, &accepted)).await,
        StatusCode::OK
    );
    for aud in [
        json!(["another-api"]),
        json!([]),
        json!([1, 2]),
        json!({"aud": ours}),
    ] {
        let claims = with(good_claims(&app), "aud", aud.clone());
        assert_eq!(
            status(&app, &sign(Algorithm::HS256, &key, &claims)).await,
            StatusCode::UNAUTHORIZED,
            "{aud}"
        );
    }
}
