//! Jobs (generations, section rewrites, exports): what was asked, where it stands, and who
//! holds it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::{ModelName, Usage};
use crate::project::BrandKit;
use crate::tier::Tier;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// Pipeline stages, in order; each reports progress on the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Queued,
    Retrieving,
    Layout,
    Copywriting,
    ImagePrompts,
    Images,
    Rendering,
    /// An export job packaging a version.
    Exporting,
    Storing,
    Done,
}

/// What a job does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobKind {
    /// A whole new page.
    Generate,
    /// One section of an existing version rewritten; the rest kept.
    RegenerateSection {
        base_version: u64,
        section_id: String,
    },
    /// A version packaged as a site or a codebase to download.
    Export {
        base_version: u64,
        format: ExportFormat,
    },
}

/// What a version can be exported as.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A static site: `index.html`, CSS, WebP images, favicon, robots.txt, sitemap.xml.
    Html,
    /// A Vite + React + TypeScript project, pre-rendered at build time.
    React,
    /// A Next.js App Router project with static export.
    Nextjs,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [Self::Html, Self::React, Self::Nextjs];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::React => "react",
            Self::Nextjs => "nextjs",
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finished export: the zip in the blob store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportArchive {
    /// Blob key of the zip.
    pub key: String,
    pub bytes: u64,
    /// Files in the zip.
    pub files: u32,
}

/// The request, as accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JobInput {
    pub prompt: String,
    #[schema(value_type = Option<String>, example = "openai:gpt-4o")]
    pub model: Option<ModelName>,
    pub brand: Option<BrandKit>,
    pub locale: String,
    /// Distinct pages to make (1 to 3), each its own version.
    #[serde(default = "one_variant")]
    #[schema(minimum = 1, maximum = 3)]
    pub variants: u8,
}

/// The most variants one job makes.
pub const MAX_VARIANTS: u8 = 3;

fn one_variant() -> u8 {
    1
}

/// The agent name under which each picture a job made is recorded in its usage.
pub const IMAGES_AGENT: &str = "images";

/// Tokens one agent call used, as the provider reported them (a picture: one `images` entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallUsage {
    pub agent: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl CallUsage {
    pub fn new(agent: &str, model: &ModelName, usage: Usage) -> Self {
        Self {
            agent: agent.into(),
            model: model.to_string(),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    pub project_id: Uuid,
    #[serde(flatten)]
    pub kind: JobKind,
    pub input: JobInput,
    /// The requester's tier when the job was accepted; it picks the model chains.
    pub tier: Tier,
    pub status: JobStatus,
    pub stage: Stage,
    /// 0 to 100.
    pub progress: u8,
    /// Why the job failed, in words a user can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The project version this job produced (the first, when it made variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Every version this job produced, one per variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<u64>,
    #[serde(default)]
    pub usage: Vec<CallUsage>,
    /// The zip an export job made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportArchive>,
    /// Credits reserved when the job was accepted (its most it can cost); the store takes
    /// them from the balance with the job, in one transaction.
    #[serde(default)]
    pub credits_held: u64,
    /// What the job cost, once it ended (the rest of the hold was returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_charged: Option<u64>,
    /// How many times a worker has claimed the job.
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Job {
    pub fn new(
        project_id: Uuid,
        kind: JobKind,
        input: JobInput,
        tier: Tier,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            project_id,
            kind,
            input,
            tier,
            status: JobStatus::Queued,
            stage: Stage::Queued,
            progress: 0,
            error: None,
            version: None,
            versions: Vec::new(),
            usage: Vec::new(),
            export: None,
            credits_held: 0,
            credits_charged: None,
            attempts: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Job {
    /// The hold a job is accepted with (none when it is free): the store places it in the same
    /// transaction as the job.
    pub fn hold(&self) -> Option<crate::credits::Hold> {
        let description = match &self.kind {
            JobKind::Generate if self.input.variants > 1 => {
                format!("generate {} pages", self.input.variants)
            }
            JobKind::Generate => "generate a page".to_owned(),
            JobKind::RegenerateSection { section_id, .. } => {
                format!("regenerate section {section_id}")
            }
            JobKind::Export {
                base_version,
                format,
            } => format!("export version {base_version} as {format}"),
        };
        (self.credits_held > 0)
            .then(|| crate::credits::Hold::new(self.id.to_string(), self.credits_held, description))
    }

    /// The usage event that settles a finished job's hold (none for a job that held nothing or
    /// has not finished): its cost charged on success, everything returned on failure.
    pub fn settlement(&self, owner: &str) -> Option<crate::credits::UsageEvent> {
        use crate::credits::{Settlement, UsageEvent};
        let hold = self.hold()?;
        let settlement = match self.status {
            JobStatus::Succeeded => {
                let mut models: Vec<&str> = self.usage.iter().map(|u| u.model.as_str()).collect();
                models.sort_unstable();
                models.dedup();
                Settlement::Settle {
                    charged: self.credits_charged.unwrap_or(hold.amount),
                    description: format!("{} ({})", hold.description, models.join(", ")),
                }
            }
            JobStatus::Failed => Settlement::Release {
                reason: self
                    .error
                    .clone()
                    .unwrap_or_else(|| "the job failed".into()),
            },
            JobStatus::Queued | JobStatus::Running => return None,
        };
        Some(UsageEvent {
            owner: owner.to_owned(),
            reference: hold.reference,
            settlement,
        })
    }

    /// The claim rule every store applies: a finished job is left alone, a running job under a
    /// live lease (`lease_until` in ms) belongs to its worker; otherwise the job starts another
    /// attempt, returned as `Claimed` for the store to write under the new lease.
    pub fn take(mut self, lease_until: Option<i64>, now_ms: i64) -> Claim {
        if self.status.is_final() {
            return Claim::Finished(self);
        }
        if self.status == JobStatus::Running && lease_until.is_some_and(|until| until > now_ms) {
            return Claim::Busy;
        }
        self.status = JobStatus::Running;
        self.attempts += 1;
        self.updated_at = OffsetDateTime::now_utc();
        Claim::Claimed(self)
    }
}

#[derive(Debug, PartialEq)]
/// What a worker's claim on a job came to.
pub enum Claim {
    /// This worker now holds the job's lease.
    Claimed(Job),
    /// The job already succeeded or failed: nothing to do.
    Finished(Job),
    /// Another worker holds a live lease.
    Busy,
    Missing,
}

/// What travels on the queue: enough to find the job, nothing a consumer must trust.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMessage {
    pub owner: String,
    pub job_id: Uuid,
}
