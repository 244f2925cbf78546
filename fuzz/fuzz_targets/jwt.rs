//! Bearer tokens: anything a client may put in `Authorization` is verified or refused.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use visions_api::auth::JwtSettings;
use visions_api::auth::JwtVerifier;
use visions_local::LocalSecrets;

struct Verifier {
    runtime: tokio::runtime::Runtime,
    verifier: JwtVerifier,
    _data: tempfile::TempDir,
}

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let data = tempfile::tempdir().expect("a temporary folder");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let settings = JwtSettings {
        algorithm: jsonwebtoken::Algorithm::HS256,
        issuer: "visions-ai".into(),
        audience: "visions-ai-api".into(),
        leeway_secs: 30,
        public_key: None,
    };
    let verifier = JwtVerifier::new(settings, Arc::new(LocalSecrets::new(data.path())));
    Verifier {
        runtime,
        verifier,
        _data: data,
    }
});

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let verifier = &*VERIFIER;
    let result = verifier.runtime.block_on(verifier.verifier.verify(&token));
    assert!(result.is_err(), "a token forged by the fuzzer was accepted");
});
