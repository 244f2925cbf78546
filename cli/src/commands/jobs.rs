//! `visions-ai generate` (a new page for a project) and `visions-ai jobs watch`.

use axum::http::Method;
use serde_json::{Value, json};

use super::common::{Common, field, idempotency_key, text, watch};
use super::projects::urlencode;
use crate::client::{ApiError, Client};

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// The project (`visions-ai projects list`).
    project: String,
    /// What the page is for, in your own words.
    prompt: String,
    #[command(flatten)]
    options: PageOptions,
    /// Answer with the job at once instead of following it.
    #[arg(long)]
    no_wait: bool,
    #[command(flatten)]
    common: Common,
}

/// What a generation may ask for besides its prompt.
#[derive(clap::Args, Clone, Debug)]
pub struct PageOptions {
    /// `provider:model` for every agent, e.g. `openai:gpt-4o`; the configured chain otherwise.
    #[arg(long)]
    pub model: Option<String>,
    /// Language of the page (BCP 47); the prompt's language when absent.
    #[arg(long)]
    pub locale: Option<String>,
    /// Distinct pages to make (1 to 3), each its own version.
    #[arg(long)]
    pub variants: Option<u8>,
}

impl PageOptions {
    fn body(&self, prompt: &str) -> Value {
        json!({
            "prompt": prompt,
            "model": self.model,
            "locale": self.locale,
            "variants": self.variants,
        })
    }
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Follow a job to its end with a progress bar; exits non-zero when it fails.
    Watch {
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

/// Starts a generation for `project` and, unless `wait` is false, follows it to its end.
pub async fn generate(
    client: &Client,
    common: &Common,
    project: &str,
    prompt: &str,
    options: &PageOptions,
    wait: bool,
) -> Result<Value, ApiError> {
    let started = client
        .call(
            Method::POST,
            &format!("/v1/projects/{}/generate", urlencode(project)),
            Some(&options.body(prompt)),
            Some(&idempotency_key()),
        )
        .await
        .map_err(|err| with_operator_hint(client, options, err))?;
    if !wait {
        return Ok(started.body);
    }
    watch(client, common, text(&started.body, "id")).await
}

/// Without a login the user is the operator: a model refused for want of configuration is
/// explained with the variable to set (the API itself never tells clients how it is set up).
fn with_operator_hint(client: &Client, options: &PageOptions, mut err: ApiError) -> ApiError {
    let hint = client
        .local_stack()
        .zip(options.model.as_deref())
        .and_then(|(stack, raw)| {
            let name = visions_domain::models::ModelName::parse(raw).ok()?;
            stack.models.endpoint(&name).err()
        });
    if let Some(hint) = hint {
        err.message = format!("{} ({hint})", err.message);
    }
    err
}

pub async fn run_generate(args: GenerateArgs) -> anyhow::Result<()> {
    let result = args
        .common
        .with_client(async |client| {
            generate(
                client,
                &args.common,
                &args.project,
                &args.prompt,
                &args.options,
                !args.no_wait,
            )
            .await
        })
        .await;
    let job = result?;
    args.common.print(&job, describe);
    Ok(())
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Watch { id, common } => {
            let result = common
                .with_client(async |client| watch(client, &common, &id).await)
                .await;
            common.print(&result?, describe);
        }
    }
    Ok(())
}

/// One line about a job.
pub fn describe(job: &Value) -> String {
    let id = text(job, "id");
    let status = text(job, "status");
    let charged = job
        .get("credits_charged")
        .and_then(Value::as_u64)
        .map(|c| format!(", {c} credits"))
        .unwrap_or_default();
    match (text(job, "kind"), status) {
        ("export", "succeeded") => format!(
            "Export {id} succeeded{charged}: {}",
            text(field(job, "export"), "url")
        ),
        (_, "succeeded") => {
            let versions: Vec<String> = job
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
                .map(|v| v.to_string())
                .collect();
            format!(
                "Job {id} succeeded{charged}: version {}",
                versions.join(", ")
            )
        }
        (_, status) => format!(
            "Job {id} is {status} ({}, {}%)",
            text(job, "stage"),
            job.get("progress").and_then(Value::as_u64).unwrap_or(0)
        ),
    }
}
