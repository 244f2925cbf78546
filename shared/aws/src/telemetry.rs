//! JSON logs through `tracing`; each line carries the fields of its request span
//! (request id, method, path, principal). `RUST_LOG` filters; `info` by default.

use tracing_subscriber::EnvFilter;

/// `lookup` is the function's source of settings, so `RUST_LOG` is read as every other one is.
pub fn init(lookup: &dyn Fn(&str) -> Option<String>) {
    let filter = lookup("RUST_LOG")
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    // try_init: a second call (tests, or a library that already set one) is harmless.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
