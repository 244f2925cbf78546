//! The agents: layout, copywriting and image prompts. Each is a structured call to a chain of
//! models, validated against the page schema, with one repair round-trip on failure.

pub mod claims;
mod prompts;
pub mod rules;
pub mod task;
pub mod validate;

use std::sync::Arc;

use serde::de::DeserializeOwned;

use task::{AgentTask, Brief, ImageBriefs, LayoutPlan, PlannedSection, SlotRequest};
use visions_designs::Design;
use visions_domain::page::SectionContent;
use visions_domain::tier::Tier;
use visions_llm::registry::ModelRegistry;
use visions_llm::retry::{ChainError, ModelChain, complete_with_retries};
use visions_llm::{CompletionRequest, Message, ModelError, ModelName, Role, Usage};

pub use validate::section_content;

/// The three agents, as configuration names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agent {
    Layout,
    Copy,
    ImagePrompts,
}

impl Agent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Layout => "layout",
            Self::Copy => "copy",
            Self::ImagePrompts => "image_prompts",
        }
    }

    fn env(self) -> &'static str {
        match self {
            Self::Layout => "VISIONS_MODELS_LAYOUT",
            Self::Copy => "VISIONS_MODELS_COPY",
            Self::ImagePrompts => "VISIONS_MODELS_IMAGE_PROMPTS",
        }
    }
}

/// Which models each agent uses, per tier: `VISIONS_MODELS_<AGENT>_<TIER>`, else
/// `VISIONS_MODELS_<AGENT>`, else `VISIONS_MODELS`, else `local:composer`. Values are
/// comma-separated fallback chains, e.g. `anthropic:claude-3-5-sonnet-latest,openai:gpt-4o`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRouting {
    chains: Vec<((Agent, Tier), Vec<ModelName>)>,
}

impl ModelRouting {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut chains = Vec::new();
        for agent in [Agent::Layout, Agent::Copy, Agent::ImagePrompts] {
            for tier in [Tier::Free, Tier::Pro] {
                let names = lookup(&format!("{}_{}", agent.env(), tier.as_str().to_uppercase()))
                    .or_else(|| lookup(agent.env()))
                    .or_else(|| lookup("VISIONS_MODELS"))
                    .unwrap_or_else(|| ModelName::COMPOSER.to_owned());
                let parsed = names
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(ModelName::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                if parsed.is_empty() {
                    return Err(format!("{} names no model", agent.env()));
                }
                chains.push(((agent, tier), parsed));
            }
        }
        Ok(Self { chains })
    }

    /// The chain for an agent: a model named in the request is used alone, never swapped for
    /// another (least of all the offline composer); otherwise the configured chain.
    pub fn names(&self, agent: Agent, tier: Tier, requested: Option<&ModelName>) -> Vec<ModelName> {
        if let Some(model) = requested {
            return vec![model.clone()];
        }
        self.chains
            .iter()
            .find(|(key, _)| *key == (agent, tier))
            .map(|(_, names)| names.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("{agent}: {source}")]
    Models {
        agent: &'static str,
        source: ChainError,
    },
    #[error(
        "{agent}: {model} answered twice with output that does not fit the page schema: {problems}"
    )]
    Invalid {
        agent: &'static str,
        model: ModelName,
        problems: String,
    },
    #[error("{0}")]
    NotConfigured(#[from] ModelError),
}

impl AgentError {
    /// Worth retrying the job later (every model was rate limited or down).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Models { source, .. } if source.is_transient())
    }
}

/// An agent's validated answer, with who wrote it and what it cost.
#[derive(Clone, Debug)]
pub struct Answer<T> {
    pub value: T,
    pub model: ModelName,
    pub usage: Usage,
}

/// Resolved chains for one job.
pub struct Agents {
    registry: Arc<ModelRegistry>,
    /// No call, retry or fallback may end after this: the job must finish inside its function.
    deadline: tokio::time::Instant,
    layout: ModelChain,
    copy: ModelChain,
    image_prompts: ModelChain,
}

impl Agents {
    pub fn for_job(
        registry: Arc<ModelRegistry>,
        routing: &ModelRouting,
        tier: Tier,
        requested: Option<&ModelName>,
        deadline: tokio::time::Instant,
    ) -> Result<Self, AgentError> {
        let chain = |agent| registry.chain(&routing.names(agent, tier, requested));
        Ok(Self {
            layout: chain(Agent::Layout)?,
            copy: chain(Agent::Copy)?,
            image_prompts: chain(Agent::ImagePrompts)?,
            registry: registry.clone(),
            deadline,
        })
    }

    pub async fn layout(
        &self,
        brief: &Brief,
        designs: &[Design],
    ) -> Result<Answer<LayoutPlan>, AgentError> {
        let task = AgentTask::Layout {
            brief: brief.clone(),
            designs: designs.to_vec(),
        };
        let request = prompts::layout(brief, designs, task);
        self.structured(Agent::Layout, &self.layout, request, |plan: LayoutPlan| {
            validate::layout(plan)
        })
        .await
    }

    /// One section's copy, checked against the page schema and against the brief's facts
    /// (nothing invented); `page_sections` are the ids in-page links may name.
    pub async fn copy(
        &self,
        brief: &Brief,
        business_name: &str,
        section: &PlannedSection,
        page_sections: &[String],
        designs: &[Design],
    ) -> Result<Answer<SectionContent>, AgentError> {
        let task = AgentTask::Copy {
            brief: brief.clone(),
            business_name: business_name.to_owned(),
            section: section.clone(),
            page_sections: page_sections.to_vec(),
            designs: designs.to_vec(),
        };
        let request = prompts::copy(brief, business_name, section, page_sections, designs, task);
        let section_type = section.section_type;
        let sources = claims::Sources::of(brief);
        self.structured(
            Agent::Copy,
            &self.copy,
            request,
            move |props: serde_json::Value| {
                let content = validate::section_content(section_type, props)?;
                let problems = claims::check(&content, &sources);
                if problems.is_empty() {
                    Ok(content)
                } else {
                    Err(problems)
                }
            },
        )
        .await
    }

    /// The offline composer's copy for a section (always configured), checked like a model's:
    /// what a section gets when its model still breaks the rules after the repair.
    pub async fn composed_copy(
        &self,
        brief: &Brief,
        business_name: &str,
        section: &PlannedSection,
        page_sections: &[String],
    ) -> Result<Answer<SectionContent>, AgentError> {
        let composer = ModelName::parse(ModelName::COMPOSER).map_err(ModelError::NotConfigured)?;
        let chain = self.registry.chain(&[composer])?;
        let task = AgentTask::Copy {
            brief: brief.clone(),
            business_name: business_name.to_owned(),
            section: section.clone(),
            page_sections: page_sections.to_vec(),
            designs: Vec::new(),
        };
        let request = prompts::copy(brief, business_name, section, page_sections, &[], task);
        let section_type = section.section_type;
        self.structured(
            Agent::Copy,
            &chain,
            request,
            move |props: serde_json::Value| validate::section_content(section_type, props),
        )
        .await
    }

    pub async fn image_prompts(
        &self,
        brief: &Brief,
        business_name: &str,
        slots: &[SlotRequest],
    ) -> Result<Answer<ImageBriefs>, AgentError> {
        let task = AgentTask::ImagePrompts {
            brief: brief.clone(),
            business_name: business_name.to_owned(),
            slots: slots.to_vec(),
        };
        let request = prompts::image_prompts(brief, business_name, slots, task);
        let expected: Vec<String> = slots.iter().map(|s| s.slot_id.clone()).collect();
        self.structured(
            Agent::ImagePrompts,
            &self.image_prompts,
            request,
            move |briefs: ImageBriefs| validate::image_briefs(briefs, &expected),
        )
        .await
    }

    /// Calls the chain; if the answer does not fit, tells the same model what was wrong once.
    async fn structured<T: DeserializeOwned, V>(
        &self,
        agent: Agent,
        chain: &ModelChain,
        mut request: CompletionRequest,
        check: impl Fn(T) -> Result<V, Vec<String>>,
    ) -> Result<Answer<V>, AgentError> {
        // Every call, retry and fallback ends by the job's deadline, not only the repair.
        let (model, completion) =
            chain
                .complete(&request, self.deadline)
                .await
                .map_err(|source| AgentError::Models {
                    agent: agent.as_str(),
                    source,
                })?;
        let mut usage = completion.usage;
        let problems = match parse(&completion.output).and_then(&check) {
            Ok(value) => {
                return Ok(Answer {
                    value,
                    model,
                    usage,
                });
            }
            Err(problems) => problems,
        };
        tracing::warn!(agent = agent.as_str(), %model, ?problems, "answer failed validation; asking for a repair");
        request.messages.push(Message {
            role: Role::Assistant,
            content: completion.raw,
        });
        request.messages.push(Message {
            role: Role::User,
            content: prompts::repair(&problems),
        });
        let same_model = self.registry.resolve(&model)?;
        let repaired =
            complete_with_retries(same_model.as_ref(), &request, chain.policy(), self.deadline)
                .await
                .map_err(|error| AgentError::Models {
                    agent: agent.as_str(),
                    source: ChainError {
                        failures: vec![(model.clone(), error)],
                    },
                })?;
        usage += repaired.usage;
        match parse(&repaired.output).and_then(&check) {
            Ok(value) => Ok(Answer {
                value,
                model,
                usage,
            }),
            Err(problems) => Err(AgentError::Invalid {
                agent: agent.as_str(),
                model,
                problems: problems.join("; "),
            }),
        }
    }
}

fn parse<T: DeserializeOwned>(output: &serde_json::Value) -> Result<T, Vec<String>> {
    serde_json::from_value(output.clone())
        .map_err(|err| vec![format!("the JSON does not match the schema: {err}")])
}
