//! The `visions-ai` binary as a new user meets it: `token`, then `serve`, on the embedded
//! backend and on DynamoDB/Secrets Manager in the AWS emulator.

// A test asserts by unwrapping and indexing; the workspace lints are for code that handles input.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Stdio;

use base64::Engine;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use visions_tests::moto;

const BIN: &str = env!("CARGO_BIN_EXE_visions-ai");

fn command(env: &[(&str, String)]) -> Command {
    let mut command = Command::new(BIN);
    // Never the developer's own login: a folder with none, unless the test gives one.
    let no_login = std::env::temp_dir().join(format!("visions-no-login-{}", std::process::id()));
    command
        .env_remove("VISIONS_BACKEND")
        .env_remove("VISIONS_DATA_DIR")
        .env_remove("VISIONS_TOKEN")
        .env_remove("VISIONS_API_KEY")
        .env("VISIONS_CONFIG_DIR", no_login)
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs a command to completion; returns (success, stdout, stderr).
async fn run(env: &[(&str, String)], args: &[&str]) -> (bool, String, String) {
    let (code, stdout, stderr) = run_code(env, args).await;
    (code == 0, stdout, stderr)
}

/// Runs a command to completion; returns (exit code, stdout, stderr).
async fn run_code(env: &[(&str, String)], args: &[&str]) -> (i32, String, String) {
    let output = command(env).args(args).output().await.unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Runs a `--json` command that must succeed; returns its JSON.
async fn run_json(env: &[(&str, String)], args: &[&str]) -> Value {
    let (code, stdout, stderr) = run_code(env, &[args, &["--json"]].concat()).await;
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

async fn token(env: &[(&str, String)], args: &[&str]) -> String {
    let (ok, stdout, stderr) = run(env, &[&["token"], args].concat()).await;
    assert!(ok, "token failed: {stderr}");
    stdout.trim().to_owned()
}

/// A running `visions-ai serve`, stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(env: &[(&str, String)], args: &[&str]) -> Self {
        let mut child = command(env)
            .args([&["serve", "--addr", "127.0.0.1:0"], args].concat())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let banner = lines
            .next_line()
            .await
            .unwrap()
            .expect("serve printed its address");
        let base = banner
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_owned();
        Self { child, base }
    }

    async fn stop(mut self) {
        let pid = self.child.id().unwrap().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        let status = self.child.wait().await.unwrap();
        assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_with(method, path, token, body, &[]).await
    }

    async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Starts a generation for `project` and waits for the in-process worker to finish it.
async fn generate_and_wait(server: &Server, token: &str, project: &str) -> Value {
    let (status, job) = server
        .call_with(
            reqwest::Method::POST,
            &format!("/v1/projects/{project}/generate"),
            token,
            Some(json!({"prompt": "Landing page for Fern & Fig, a plant shop in Leeds selling rare houseplants to first-time plant parents."})),
            &[("idempotency-key", "cli-test")],
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        let (_, job) = server
            .call(reqwest::Method::GET, &format!("/v1/jobs/{id}"), token, None)
            .await;
        if job["status"] == "succeeded" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job did not finish within 10 s");
}

fn data_env(dir: &Path) -> Vec<(&'static str, String)> {
    vec![("VISIONS_DATA_DIR", dir.display().to_string())]
}

#[tokio::test]
async fn local_server_keeps_projects_and_tokens_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    let env = data_env(data.path());
    let alice = token(&env, &["--user", "alice"]).await;

    let server = Server::start(&env, &[]).await;
    let (status, health) = server
        .call(reqwest::Method::GET, "/healthz", "", None)
        .await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, created) = server
        .call(
            reqwest::Method::POST,
            "/v1/projects",
            &alice,
            Some(json!({"name": "Acme Coffee", "brand": {"tone": "warm"}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    server.stop().await;

    let server = Server::start(&env, &[]).await;
    let id = created["id"].as_str().unwrap();
    let (status, fetched) = server
        .call(
            reqwest::Method::GET,
            &format!("/v1/projects/{id}"),
            &alice,
            None,
        )
        .await;
    assert_eq!(status, 200, "the token and the project survive a restart");
    assert_eq!(fetched, created);
    let bob = token(&env, &["--user", "bob"]).await;
    let (status, _) = server
        .call(
            reqwest::Method::GET,
            &format!("/v1/projects/{id}"),
            &bob,
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Generation runs in the same process: queue, worker, versions, and the page itself.
    let job = generate_and_wait(&server, &alice, id).await;
    assert_eq!(
        (job["status"].as_str(), job["version"].as_u64()),
        (Some("succeeded"), Some(1)),
        "{job}"
    );
    let (_, version) = server
        .call(
            reqwest::Method::GET,
            &format!("/v1/projects/{id}/versions/1"),
            &alice,
            None,
        )
        .await;
    let page = reqwest::get(format!(
        "{}{}",
        server.base,
        version["html_url"].as_str().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap().contains("Fern &amp; Fig"),
        "the served page is the generated one"
    );
    server.stop().await;
    assert!(data.path().join("visions.db").exists());
}

#[tokio::test]
async fn data_flag_overrides_the_environment_and_tokens_carry_their_options() {
    let data = tempfile::tempdir().unwrap();
    let flag = data.path().display().to_string();
    let elsewhere = tempfile::tempdir().unwrap();
    let env = data_env(elsewhere.path());
    let pro = token(
        &env,
        &[
            "--user", "carol", "--tier", "pro", "--admin", "--ttl", "120", "--data", &flag,
        ],
    )
    .await;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(pro.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (claims["sub"].as_str(), claims["tier"].as_str()),
        (Some("carol"), Some("pro"))
    );
    assert_eq!(claims["roles"], json!(["admin"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );

    let server = Server::start(&env, &["--data", &flag]).await;
    assert_eq!(
        server
            .call(reqwest::Method::GET, "/v1/projects", &pro, None)
            .await
            .0,
        200
    );
    // A token from another data folder's secret is refused.
    let foreign = token(&env, &["--user", "carol"]).await;
    assert_eq!(
        server
            .call(reqwest::Method::GET, "/v1/projects", &foreign, None)
            .await
            .0,
        401
    );
    server.stop().await;

    for ttl in ["0", "9223372036854775807", "31622401"] {
        let (ok, _, stderr) = run(&env, &["token", "--user", "x", "--ttl", ttl]).await;
        assert!(
            !ok && stderr.contains("is not in 1..=31622400"),
            "{ttl}: {stderr}"
        );
    }
}

#[tokio::test]
async fn bad_configuration_fails_fast_with_a_clear_message() {
    let env = vec![("VISIONS_BACKEND", "aws".to_owned())];
    let (ok, _, stderr) = run(&env, &["serve", "--addr", "127.0.0.1:0"]).await;
    assert!(!ok);
    assert!(stderr.contains("VISIONS_TABLE is required"), "{stderr}");
    let (ok, _, stderr) = run(
        &[("VISIONS_BACKEND", "mysql".to_owned())],
        &["token", "--user", "x"],
    )
    .await;
    assert!(!ok && stderr.contains("VISIONS_BACKEND"), "{stderr}");
}

#[tokio::test]
async fn aws_backend_on_the_emulator() {
    let mut env = moto::env();
    let stack = moto::unique("cli");
    let (ok, exports, stderr) = run(&env, &["aws-bootstrap", "--stack", &stack]).await;
    assert!(ok, "{stderr}");
    for line in exports.lines() {
        let (name, value) = line
            .strip_prefix("export ")
            .unwrap()
            .split_once('=')
            .unwrap();
        env.push((
            Box::leak(name.to_owned().into_boxed_str()),
            value.to_owned(),
        ));
    }
    let (ok, again, _) = run(&env, &["aws-bootstrap", "--stack", &stack]).await;
    assert!(ok);
    assert_eq!(again, exports, "bootstrap is idempotent");

    let alice = token(&env, &["--user", "alice"]).await;
    let server = Server::start(&env, &[]).await;
    let (status, created) = server
        .call(
            reqwest::Method::POST,
            "/v1/projects",
            &alice,
            Some(json!({"name": "On DynamoDB"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, listed) = server
        .call(reqwest::Method::GET, "/v1/projects", &alice, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["items"][0]["name"], "On DynamoDB");
    // The job goes through SQS and the worker polls it: DynamoDB, SQS and S3 end to end.
    let job = generate_and_wait(&server, &alice, created["id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    server.stop().await;

    // The item really is in the table, under the principal's key.
    let item = moto::dynamo_client()
        .await
        .get_item()
        .table_name(format!("{stack}-Table"))
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("USER#alice".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!(
                "PROJECT#{}",
                created["id"].as_str().unwrap()
            )),
        )
        .send()
        .await
        .unwrap();
    assert!(item.item.is_some());
}

#[tokio::test]
async fn create_writes_the_page_and_its_json() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let env = data_env(data.path());
    let prompt = "Harbor Light Dental is a family dentist in Halifax for nervous patients, offering cleanings and same-day emergency care.";
    let (ok, stdout, stderr) = run(
        &env,
        &["create", prompt, "--out", &out.path().display().to_string()],
    )
    .await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Wrote") && stdout.contains("models: layout=local:composer"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("Harbor Light Dental")
            && html.contains("Halifax")
    );
    let page: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("page.json")).unwrap())
            .unwrap();
    assert_eq!(page["schema_version"], 1);
    assert_eq!(
        page["provenance"]["design_ids"].as_array().unwrap().len(),
        3
    );

    // A named model that is not configured is an error, never a silent swap for the composer.
    let (ok, _, stderr) = run(
        &env,
        &[
            "create",
            prompt,
            "--model",
            "openai:gpt-4o",
            "--out",
            &out.path().display().to_string(),
        ],
    )
    .await;
    assert!(!ok);
    assert!(
        stderr.contains("openai:gpt-4o") && stderr.contains("OPENAI_API_KEY"),
        "{stderr}"
    );
}

#[tokio::test]
async fn logs_are_json_lines_with_request_id_and_principal() {
    let data = tempfile::tempdir().unwrap();
    let env = data_env(data.path());
    let alice = token(&env, &["--user", "alice"]).await;
    let log_path = data.path().join("serve.log");
    let mut child = command(&env)
        .env("RUST_LOG", "info")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next_line().await.unwrap().unwrap();
    let base = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/projects"))
        .bearer_auth(&alice)
        .header("x-request-id", "log-test-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .await
        .unwrap();
    child.wait().await.unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let finished = entries
        .iter()
        .find(|e| {
            e["fields"]["message"] == "request finished" && e["span"]["request_id"] == "log-test-1"
        })
        .unwrap_or_else(|| panic!("no request line for log-test-1 in:\n{log}"));
    assert_eq!(finished["span"]["principal"], "alice");
    assert_eq!(finished["fields"]["status"], 200);
    assert!(!log.contains(&alice), "tokens never reach the logs");
}

#[tokio::test]
async fn the_cli_drives_a_local_server_after_login() {
    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    let server_env = data_env(data.path());
    let server = Server::start(&server_env, &[]).await;
    let alice = token(&server_env, &["--user", "alice", "--tier", "pro"]).await;
    let env = vec![("VISIONS_CONFIG_DIR", config.display().to_string())];

    // A refused token, or no server at all: clear errors, exit codes, and nothing saved.
    let (code, _, stderr) =
        run_code(&env, &["login", "--api", &server.base, "--token", "forged"]).await;
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    let (code, _, stderr) = run_code(
        &env,
        &["login", "--api", "http://127.0.0.1:9", "--token", &alice],
    )
    .await;
    assert_eq!(code, 9, "{stderr}");
    assert!(!config.join("login.json").exists());

    // Login keeps the address and token in the config folder, for the user alone.
    let (code, stdout, stderr) =
        run_code(&env, &["login", "--api", &server.base, "--token", &alice]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("pro tier"), "{stdout}");
    let file = config.join("login.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["api"], server.base.trim_end_matches('/'));

    // create: a project, its page and the static site, through the server.
    let out = work.path().join("page");
    let prompt =
        "Fern & Fig, a plant shop in Leeds selling rare houseplants to first-time plant parents";
    let created = run_json(
        &env,
        &["create", prompt, "--out", &out.display().to_string()],
    )
    .await;
    let project = created["project"]["id"].as_str().unwrap().to_owned();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Fern &amp; Fig") && html.contains("data-section-id=\"hero\""));
    assert!(out.join("styles.css").exists() && out.join("page.json").exists());
    let (_, listed) = server
        .call(reqwest::Method::GET, "/v1/projects", &alice, None)
        .await;
    assert_eq!(
        listed["items"][0]["id"],
        project.as_str(),
        "the server holds it"
    );

    // generate without waiting, then watch; versions list and restore.
    let started = run_json(&env, &["generate", &project, prompt, "--no-wait"]).await;
    let job = run_json(&env, &["jobs", "watch", started["id"].as_str().unwrap()]).await;
    assert_eq!(job["status"], "succeeded");
    assert_eq!(job["version"], 2);
    let versions = run_json(&env, &["versions", "list", &project]).await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);
    let restored = run_json(&env, &["versions", "restore", &project, "1"]).await;
    assert_eq!(restored["number"], 3);

    // export: the zip downloaded, or unpacked.
    let zip = work.path().join("site.zip");
    let exported = run_json(
        &env,
        &[
            "export",
            &project,
            "--format",
            "nextjs",
            "--out",
            &zip.display().to_string(),
        ],
    )
    .await;
    assert_eq!(exported["job"]["status"], "succeeded");
    assert_eq!(std::fs::read(&zip).unwrap().get(..2), Some(&b"PK"[..]));
    let unpacked = work.path().join("react");
    run_json(
        &env,
        &[
            "export",
            &project,
            "--format",
            "react",
            "--version",
            "1",
            "--extract",
            &unpacked.display().to_string(),
        ],
    )
    .await;
    assert!(
        unpacked.join("package.json").exists()
            && unpacked.join("src/components/page-data.ts").exists()
    );

    // credits and keys.
    let credits = run_json(&env, &["credits"]).await;
    assert_eq!(credits["tier"], "pro");
    assert!(credits["balance"].as_u64().unwrap() < 500, "{credits}");
    let key = run_json(&env, &["keys", "create", "--name", "ci"]).await;
    assert!(key["value"].as_str().unwrap().starts_with("vk_"));
    let keys = run_json(&env, &["keys", "list"]).await;
    assert_eq!(keys["items"][0]["name"], "ci");

    // A stack that requires API keys, as a deployed one does: the key is sent as x-api-key.
    let keyed = Server::start(&server_env, &["--require-api-key"]).await;
    let keyed_env = vec![(
        "VISIONS_CONFIG_DIR",
        home.path().join("keyed").display().to_string(),
    )];
    let (code, _, stderr) = run_code(
        &keyed_env,
        &["login", "--api", &keyed.base, "--token", &alice],
    )
    .await;
    assert_eq!(code, 3, "no key: {stderr}");
    assert!(stderr.contains("API key"), "{stderr}");
    let value = key["value"].as_str().unwrap();
    let (code, _, stderr) = run_code(
        &keyed_env,
        &[
            "login",
            "--api",
            &keyed.base,
            "--token",
            &alice,
            "--api-key",
            value,
        ],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let listed = run_json(&keyed_env, &["projects", "list"]).await;
    assert_eq!(listed["items"][0]["id"], project.as_str());
    keyed.stop().await;
    run_json(&env, &["keys", "revoke", key["id"].as_str().unwrap()]).await;
    assert_eq!(run_json(&env, &["keys", "list"]).await["items"], json!([]));

    // Errors keep their exit codes: not found 4, invalid 8.
    let (code, _, stderr) = run_code(&env, &["export", &project, "--version", "99"]).await;
    assert_eq!(code, 4, "{stderr}");
    let (code, _, stderr) = run_code(&env, &["generate", &project, "x"]).await;
    assert_eq!(code, 8, "{stderr}");
    assert!(stderr.contains("prompt"), "{stderr}");
    run_json(&env, &["projects", "delete", &project]).await;
    let (code, _, _) = run_code(&env, &["projects", "get", &project]).await;
    assert_eq!(code, 4);

    // A free account: the pro export is refused with exit 6, naming the tier.
    let fred = token(&server_env, &["--user", "fred", "--tier", "free"]).await;
    let (code, _, stderr) =
        run_code(&env, &["login", "--api", &server.base, "--token", &fred]).await;
    assert_eq!(code, 0, "{stderr}");
    let fred_project = run_json(
        &env,
        &[
            "create",
            prompt,
            "--out",
            &work.path().join("fred").display().to_string(),
        ],
    )
    .await;
    let (code, _, stderr) = run_code(
        &env,
        &[
            "export",
            fred_project["project"]["id"].as_str().unwrap(),
            "--format",
            "react",
        ],
    )
    .await;
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("pro tier"), "{stderr}");

    // logout: back to this machine.
    let (code, stdout, _) = run_code(&env, &["logout"]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("Logged out") && !file.exists());
    server.stop().await;
}

#[tokio::test]
async fn completions_and_usage_errors() {
    let (code, stdout, _) = run_code(&[], &["completions", "bash"]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("visions-ai") && stdout.contains("export"));
    let (code, _, stderr) = run_code(&[], &["export"]).await;
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run_code(&[], &["login", "--api", "localhost:8787"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("http://"), "{stderr}");
}
