//! What every API command shares: where it runs (`--data`, `--user` without a login), `--json`,
//! the job follower with its progress bar, and printing.

use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::client::{ApiError, Client};

#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    /// Print the API's JSON answer on stdout instead of text (for scripts).
    #[arg(long)]
    pub json: bool,
    /// Without a login: the data folder the commands run over, in this process.
    #[arg(long, env = "VISIONS_DATA_DIR")]
    pub data: Option<PathBuf>,
    /// Without a login: whose projects (the `sub` of the local stack).
    #[arg(long, default_value = "local")]
    pub user: String,
}

impl Common {
    /// Runs `work` on a client opened for it, then closes the client (stopping the
    /// in-process worker once the jobs it runs have ended).
    pub async fn with_client<T, E>(
        &self,
        work: impl AsyncFnOnce(&Client) -> Result<T, E>,
    ) -> anyhow::Result<T>
    where
        anyhow::Error: From<E>,
    {
        let client = Client::open(self.data.clone(), &self.user).await?;
        let result = work(&client).await;
        client.close().await;
        Ok(result?)
    }

    /// Prints `value` as JSON with `--json`, else the text `human` makes of it.
    pub fn print(&self, value: &Value, human: impl FnOnce(&Value) -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
            );
        } else {
            let text = human(value);
            if !text.is_empty() {
                println!("{text}");
            }
        }
    }

    /// A progress bar on the terminal (hidden with `--json` or when stderr is not one).
    pub fn bar(&self, length: u64, template: &str) -> ProgressBar {
        let bar = if self.json {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(length)
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    }
}

/// A JSON field, `null` when absent.
pub fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

/// The text of a JSON field (empty when absent).
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    field(value, key).as_str().unwrap_or_default()
}

/// A fresh `Idempotency-Key`: one per command run, so a retry inside the run is safe.
pub fn idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Follows a job until it ends, drawing its stage and progress; a failed job is an error with
/// its reason.
pub async fn watch(client: &Client, common: &Common, job_id: &str) -> Result<Value, ApiError> {
    let bar = common.bar(
        100,
        "{spinner} [{elapsed_precise}] {bar:30} {pos:>3}% {msg}",
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let path = format!("/v1/jobs/{job_id}");
    let mut pause = Duration::from_millis(250);
    let job = loop {
        let job = client.get(&path).await?;
        bar.set_position(job.get("progress").and_then(Value::as_u64).unwrap_or(0));
        bar.set_message(text(&job, "stage").replace('_', " "));
        match text(&job, "status") {
            "succeeded" | "failed" => break job,
            _ => {}
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(2));
    };
    bar.finish_and_clear();
    if text(&job, "status") == "failed" {
        let reason = match text(&job, "error") {
            "" => "no reason given",
            reason => reason,
        };
        let mut error = ApiError::failed(format!("job {job_id} failed: {reason}"));
        error.problem = Some(job);
        return Err(error);
    }
    Ok(job)
}
