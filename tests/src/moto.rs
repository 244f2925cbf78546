//! One moto server (the AWS emulator) per test process, on a free loopback port.
//!
//! It is started on first use (installing `moto[server]` with pip if it is missing) and stopped
//! by its pid when the test process ends: a small watchdog shell polls this process's pid and
//! kills moto once it is gone, however the tests end.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};

pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY: &str = "testing";

static ENDPOINT: OnceLock<String> = OnceLock::new();
static SERIAL_ENDPOINT: OnceLock<String> = OnceLock::new();

/// The emulator's base URL, e.g. `http://127.0.0.1:41234`.
pub fn endpoint() -> &'static str {
    ENDPOINT.get_or_init(|| start("moto_server -H 127.0.0.1 -p {port}"))
}

/// A second emulator that answers one request at a time, for tests of concurrent
/// transactions: moto's threaded server runs `TransactWriteItems` without isolation (a
/// cancelled transaction restores a copy of the whole table, over other threads' writes), where
/// DynamoDB's transactions are serializable. Answering one at a time restores that.
pub fn serial_endpoint() -> &'static str {
    SERIAL_ENDPOINT.get_or_init(|| {
        start(
            "python3 -c 'import sys; from werkzeug.serving import run_simple; \
             from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app; \
             run_simple(\"127.0.0.1\", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False)' {port}",
        )
    })
}

/// The SDK configuration of the serial emulator ([`serial_endpoint`]).
pub async fn serial_sdk_config() -> aws_config::SdkConfig {
    config_for(serial_endpoint()).await
}

/// A DynamoDB client of the serial emulator ([`serial_endpoint`]) and a fresh table on it.
pub async fn serial_table() -> (aws_sdk_dynamodb::Client, String) {
    let config = serial_sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = unique("serial");
    visions_aws::create_table(&client, &name).await.unwrap();
    (client, name)
}

/// Environment variables that point an AWS SDK process at the emulator.
pub fn env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint().to_owned()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", ACCESS_KEY.to_owned()),
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    config_for(endpoint()).await
}

async fn config_for(endpoint: &str) -> aws_config::SdkConfig {
    let endpoint = endpoint.to_owned();
    aws_config::defaults(BehaviorVersion::latest())
        // moto answers some concurrent transactions with a 500 of its own; retried as the SDK
        // retries DynamoDB's (rare) internal errors, a little more patiently.
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            ACCESS_KEY, ACCESS_KEY, None, None, "tests",
        ))
        .load()
        .await
}

pub async fn dynamo_client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}

/// A fresh table with the production schema and a unique name, so tests run in parallel.
pub async fn table() -> String {
    let name = unique("visions");
    visions_aws::create_table(&dynamo_client().await, &name)
        .await
        .unwrap();
    name
}

/// A new secret holding `value`, under a unique name; its ARN.
pub async fn secret(client: &aws_sdk_secretsmanager::Client, value: &str) -> String {
    client
        .create_secret()
        .name(unique("secret"))
        .secret_string(value)
        .send()
        .await
        .unwrap()
        .arn
        .unwrap()
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Starts `command` (with `{port}` replaced by a free port) under a watchdog.
fn start(command: &str) -> String {
    ensure_installed();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let command = command.replace("{port}", &port.to_string());
    let watchdog = format!(
        "{command} >/dev/null 2>&1 & moto=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 0.5; done; \
         kill $moto 2>/dev/null",
        parent = std::process::id()
    );
    // Never waited for: the watchdog outlives this process on purpose, and init reaps it.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .spawn()
        .expect("starting moto_server");
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_until_ready(port);
    endpoint
}

fn ensure_installed() {
    let found = Command::new("sh")
        .args(["-c", "command -v moto_server"])
        .stdout(Stdio::null())
        .status();
    if found.is_ok_and(|status| status.success()) {
        return;
    }
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .status()
        .expect("running pip");
    assert!(status.success(), "pip install moto[server] failed");
}

/// Waits for moto to answer an HTTP request (not just accept connections).
fn wait_until_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let request = "GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            let mut head = [0u8; 12];
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_exact(&mut head).is_ok()
                && head.starts_with(b"HTTP/1.")
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("moto_server did not answer on port {port} within 60 s");
}
