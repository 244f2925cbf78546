use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use time::OffsetDateTime;
use visions_domain::job::{Job, JobKind, JobMessage, JobStatus};
use visions_domain::ports::{Created, Idempotency};
use visions_domain::project::{NewProject, Project};
use visions_domain::tier::Tier;
use visions_generate::GenerateRequest;
use visions_pipeline::worker::{JOB_LEASE, Outcome, Worker};

use crate::stack::Stack;

#[derive(clap::Args)]
pub struct Args {
    /// What the page is for, in your own words.
    prompt: String,
    /// `provider:model` for every agent, e.g. `openai:gpt-4o`; the configured chain otherwise.
    #[arg(long)]
    model: Option<String>,
    /// Folder to write `index.html` and `page.json` into.
    #[arg(long, default_value = "visions-page")]
    out: PathBuf,
    /// Language of the page (BCP 47); the prompt's language when absent.
    #[arg(long)]
    locale: Option<String>,
    /// Project name; read from the prompt when absent.
    #[arg(long)]
    name: Option<String>,
    /// The user the project belongs to in the data folder.
    #[arg(long, default_value = "local")]
    user: String,
    /// Data folder of the embedded backend.
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = super::config(args.data)?;
    let stack = Stack::build(&config).await?;
    // The same rules as `POST /v1/projects/{id}/generate`: a bad locale or an unavailable
    // model is refused before anything is stored.
    let request = GenerateRequest {
        prompt: args.prompt.clone(),
        model: args.model.clone(),
        brand: None,
        locale: args.locale.clone(),
        variants: None,
    };
    let input = visions_generate::job_input(&request, &stack.models).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("--{}: {}", e.field, e.message))
            .collect();
        // The API does not tell its clients how the server is configured; here the caller is
        // the operator, who needs to know which variable to set.
        let hint = args
            .model
            .as_deref()
            .and_then(|raw| visions_domain::models::ModelName::parse(raw).ok())
            .and_then(|name| stack.models.endpoint(&name).err());
        match hint {
            Some(hint) => anyhow::anyhow!("{} ({hint})", lines.join("; ")),
            None => anyhow::anyhow!("{}", lines.join("; ")),
        }
    })?;
    let name = args.name.clone().unwrap_or_else(|| {
        visions_facts::extract(&args.prompt, visions_facts::Context::default())
            .business_name
            .unwrap_or_else(|| "Untitled page".into())
    });
    let new: NewProject = serde_json::from_value(serde_json::json!({"name": name}))?;
    let project = Project::create(new, OffsetDateTime::now_utc())
        .map_err(|errors| anyhow::anyhow!("invalid project: {errors:?}"))?;
    let adapters = &stack.adapters;
    adapters.projects.insert(&args.user, &project).await?;

    // The operator's own machine: the job runs unmetered (it holds no credits).
    let job = Job::new(
        project.id,
        JobKind::Generate,
        input,
        Tier::Pro,
        OffsetDateTime::now_utc(),
    );
    let idempotency = Idempotency {
        key: job.id.to_string(),
        fingerprint: String::new(),
        ttl: Duration::from_secs(3600),
    };
    let Created::New(job) = adapters.jobs.create(&args.user, &job, &idempotency).await? else {
        anyhow::bail!("the job could not be created");
    };

    let bar = ProgressBar::new(100);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos:>3}% {msg}")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let observed = bar.clone();
    let mut worker = Worker::new(
        adapters.jobs.clone(),
        stack.worker.pipeline.clone(),
        stack.worker.usage.clone(),
        JOB_LEASE,
    );
    worker.observer = Some(Arc::new(move |job: &Job| {
        observed.set_position(job.progress as u64);
        observed.set_message(format!("{:?}", job.stage).to_lowercase().replace('_', " "));
    }));
    // Run in this process, straight from the job: no queue between a command and its result.
    let outcome = worker
        .handle(&JobMessage {
            owner: args.user.clone(),
            job_id: job.id,
        })
        .await;
    bar.finish_and_clear();
    let job = adapters
        .jobs
        .get(&args.user, job.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the job vanished"))?;
    match (outcome, job.status, job.version) {
        (_, JobStatus::Succeeded, Some(number)) => {
            let version = adapters
                .versions
                .get(&args.user, project.id, number)
                .await?
                .ok_or_else(|| anyhow::anyhow!("version {number} is missing"))?;
            let html = adapters
                .blobs
                .get(&version.html_key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the page HTML is missing"))?;
            std::fs::create_dir_all(&args.out)?;
            // The pictures beside the page, so the folder opens as it is, from disk.
            let mut copied = 0;
            for slot in version
                .page
                .sections
                .iter()
                .flat_map(|s| s.content.image_slots())
            {
                for source in slot.picture.iter().flat_map(|p| &p.sources) {
                    let Some(key) = source.url.strip_prefix("/assets/") else {
                        continue;
                    };
                    let Some(name) = key.strip_prefix("images/") else {
                        continue;
                    };
                    if let Some(bytes) = adapters.blobs.get(key).await? {
                        std::fs::create_dir_all(args.out.join("images"))?;
                        std::fs::write(args.out.join("images").join(name), bytes)?;
                        copied += 1;
                    }
                }
            }
            let html = String::from_utf8_lossy(&html).replace("/assets/images/", "images/");
            std::fs::write(args.out.join("index.html"), &html)?;
            if copied > 0 {
                println!(
                    "Wrote {copied} image files to {}",
                    args.out.join("images").display()
                );
            }
            std::fs::write(
                args.out.join("page.json"),
                serde_json::to_vec_pretty(&version.page)?,
            )?;
            println!(
                "Wrote {} ({} KB) and page.json",
                args.out.join("index.html").display(),
                html.len().div_ceil(1024)
            );
            println!(
                "Project {} \"{}\", version {number}; designs: {}; models: {}",
                project.id,
                project.name,
                version.page.provenance.design_ids.join(", "),
                version.page.provenance.models.join(", ")
            );
            Ok(())
        }
        (Outcome::Retry(_), _, _) => anyhow::bail!(
            "generation failed for now (every model was unavailable); try again shortly"
        ),
        _ => anyhow::bail!(
            "generation failed: {}",
            job.error.unwrap_or_else(|| "unknown reason".into())
        ),
    }
}
