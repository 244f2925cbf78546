//! `local:composer`: the built-in offline model. It needs no key and no network, reads the
//! typed task rather than the prose prompt, and writes specific copy from the brief's facts
//! and the retrieved designs through a multilingual phrasebook.

pub mod facts;
mod phrasebook;
mod write;

use visions_agents::task::AgentTask;
use visions_llm::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName, Usage};

pub struct Composer {
    name: ModelName,
}

impl Default for Composer {
    fn default() -> Self {
        Self {
            name: ModelName::parse(ModelName::COMPOSER).expect("the composer's name is valid"),
        }
    }
}

impl Composer {
    /// Answers a task directly (what `complete` does, without the JSON round trip).
    pub fn answer(task: &AgentTask) -> serde_json::Value {
        match task {
            AgentTask::Layout { brief, designs } => {
                let facts = facts::extract(brief, designs.first());
                serde_json::to_value(write::layout(&brief.seed(), &facts, designs))
                    .expect("plans serialize")
            }
            AgentTask::Copy {
                brief,
                section,
                page_sections,
                designs,
                ..
            } => {
                let facts = facts::extract(brief, designs.first());
                write::section(&brief.seed(), &facts, section, page_sections)
            }
            AgentTask::ImagePrompts { brief, slots, .. } => {
                let facts = facts::extract(brief, None);
                serde_json::to_value(write::image_briefs(&brief.seed(), &facts, slots))
                    .expect("briefs serialize")
            }
        }
    }
}

#[async_trait::async_trait]
impl LanguageModel for Composer {
    fn name(&self) -> &ModelName {
        &self.name
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ModelError> {
        let task: AgentTask = serde_json::from_value(request.task.clone()).map_err(|err| {
            ModelError::Malformed(format!("the composer cannot read this task: {err}"))
        })?;
        let output = Self::answer(&task);
        let raw = output.to_string();
        // The composer uses no tokens; report a size so usage is never silently zero-cost data.
        Ok(Completion {
            output,
            raw,
            usage: Usage::default(),
        })
    }
}
