//! The generation pipeline: retrieve designs, plan the layout, write every section in parallel,
//! brief the images, render, and store a new immutable version. Each stage reports progress.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use time::OffsetDateTime;
use uuid::Uuid;

use visions_agents::task::{Brief, ImageBriefs, LayoutPlan, PlannedSection, SlotRequest};
use visions_agents::{AgentError, Agents, Answer, ModelRouting};
use visions_assets::{AssetFailure, Studio};
use visions_designs::store::LiveIndex;
use visions_designs::{Design, Filter};
use visions_domain::asset::Aspect;
use visions_domain::form::form_address;
use visions_domain::job::{CallUsage, ExportArchive, Job, JobKind, MAX_VARIANTS, Stage};
use visions_domain::page::{
    Cta, Page, Provenance, SCHEMA_VERSION, Section, SectionContent, SectionSource, SectionType,
};
use visions_domain::ports::{
    BlobStore, PageVersion, ProjectStore, SecretName, SecretStore, StoreError, VersionStore,
};
use visions_facts::{ActionKind, BriefFacts};
use visions_llm::ModelName;
use visions_llm::images::ImageRequest;
use visions_llm::registry::ModelRegistry;
use visions_page::render_page;
use visions_page::theme::{Palette, build_theme};

/// How many designs go into the prompts.
pub const TOP_DESIGNS: usize = 3;
/// Copy calls in flight at once for one job: every section of the longest plan at once.
pub const COPY_CONCURRENCY: usize = 12;
/// How long one job may run: below the worker Lambda's 900 s timeout, with room to save.
pub const JOB_BUDGET: std::time::Duration = std::time::Duration::from_secs(840);

/// What the pipeline needs; built once per process.
pub struct Pipeline {
    pub projects: Arc<dyn ProjectStore>,
    pub versions: Arc<dyn VersionStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub registry: Arc<ModelRegistry>,
    pub routing: ModelRouting,
    /// The design index (the built-in corpus, or the store's current generation).
    pub designs: Arc<LiveIndex>,
    /// Copy calls in flight at once for one job.
    pub copy_concurrency: usize,
    /// The longest one run may take; model calls are cut off to finish inside it.
    pub budget: std::time::Duration,
    /// The key that signs contact-form addresses (the cursor key).
    pub secrets: Arc<dyn SecretStore>,
    /// The API's public URL, where published pages' forms post (empty: the pages' own origin).
    pub public_api_url: String,
    /// Draws, optimizes and stores the pictures of image slots.
    pub studio: Arc<Studio>,
    /// The image model pages are illustrated with, for tiers whose plan allows it (the others
    /// get the offline generator).
    pub image_model: ModelName,
    /// What each tier may use.
    pub metering: Arc<visions_metering::Metering>,
    /// Image calls in flight at once for one job.
    pub image_concurrency: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Agent(#[from] AgentError),
    #[error("the project no longer exists")]
    ProjectGone,
    #[error("version {0} of this project does not exist")]
    VersionGone(u64),
    #[error("section {0:?} does not exist in that version")]
    SectionGone(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("secrets: {0}")]
    Secret(#[from] visions_domain::ports::SecretError),
    #[error("the export could not be packaged: {0}")]
    Export(String),
}

impl PipelineError {
    /// Worth another attempt later, rather than failing the job now.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Agent(err) => err.is_transient(),
            Self::Store(_) | Self::Secret(_) => true,
            Self::ProjectGone | Self::VersionGone(_) | Self::SectionGone(_) | Self::Export(_) => {
                false
            }
        }
    }
}

/// A section's copy with its position in the plan.
type Written = (usize, Answer<SectionContent>);
/// A copy call's outcome with its position in the plan.
type CopyCall = (usize, Result<Answer<SectionContent>, AgentError>);

/// The progress of one variant of `of`, as a share of the job's.
struct Part<'a> {
    inner: &'a dyn Progress,
    index: u8,
    of: u8,
}

#[async_trait::async_trait]
impl Progress for Part<'_> {
    async fn report(&self, stage: Stage, percent: u8) -> Result<(), StoreError> {
        let of = u32::from(self.of.max(1));
        let overall = (u32::from(self.index) * 100 + u32::from(percent)) / of;
        self.inner.report(stage, overall.min(100) as u8).await
    }
}

/// Receives stage and progress as the pipeline moves.
#[async_trait::async_trait]
pub trait Progress: Send + Sync {
    async fn report(&self, stage: Stage, percent: u8) -> Result<(), StoreError>;
}

/// A finished run: the stored version and what every call cost.
#[derive(Debug)]
pub struct Generated {
    /// The first version made.
    pub version: u64,
    /// Every version made, one per variant.
    pub versions: Vec<u64>,
    pub page: Page,
    pub usage: Vec<CallUsage>,
}

struct Usages(std::sync::Mutex<Vec<CallUsage>>);

impl Usages {
    fn record<T>(&self, agent: &str, answer: &Answer<T>) {
        self.push(CallUsage::new(agent, &answer.model, answer.usage));
    }

    fn push(&self, usage: CallUsage) {
        self.0.lock().expect("usage lock").push(usage);
    }
}

/// What a job made.
#[derive(Debug)]
pub enum Produced {
    /// A generation's or a section rewrite's versions.
    Pages(Box<Generated>),
    /// An export's zip.
    Export(ExportArchive),
}

impl Pipeline {
    /// Runs a job of any kind.
    pub async fn perform(
        &self,
        owner: &str,
        job: &Job,
        progress: &dyn Progress,
    ) -> Result<Produced, PipelineError> {
        match job.kind {
            JobKind::Export {
                base_version,
                format,
            } => self
                .export(owner, job, base_version, format, progress)
                .await
                .map(Produced::Export),
            JobKind::Generate | JobKind::RegenerateSection { .. } => self
                .run(owner, job, progress)
                .await
                .map(|generated| Produced::Pages(Box::new(generated))),
        }
    }

    /// Makes a generation's or a section rewrite's pages.
    async fn run(
        &self,
        owner: &str,
        job: &Job,
        progress: &dyn Progress,
    ) -> Result<Generated, PipelineError> {
        let project = self
            .projects
            .get(owner, job.project_id)
            .await?
            .ok_or(PipelineError::ProjectGone)?;
        let mut brief = Brief::new(
            &job.input.prompt,
            &job.input.locale,
            &project.name,
            &project.description,
            job.input.brand.clone().unwrap_or(project.brand.clone()),
        );
        let deadline = tokio::time::Instant::now() + self.budget;
        let agents = Agents::for_job(
            self.registry.clone(),
            &self.routing,
            job.tier,
            job.input.model.as_ref(),
            deadline,
        )?;
        let usages = Usages(Default::default());
        let mut stored: Vec<(u64, Page)> = Vec::new();
        match &job.kind {
            JobKind::Generate => {
                // Each variant is a whole page of its own, stored as its own version.
                let variants = job.input.variants.clamp(1, MAX_VARIANTS);
                brief.variants = variants;
                for variant in 0..variants {
                    brief.variant = variant;
                    let part = Part {
                        inner: progress,
                        index: variant,
                        of: variants,
                    };
                    let mut page = self.generate(&brief, &agents, &usages, &part).await?;
                    self.illustrate(&mut page, None, deadline, job, &usages, &part)
                        .await?;
                    stored.push(self.store(owner, job, &project, page, &part).await?);
                }
            }
            JobKind::RegenerateSection {
                base_version,
                section_id,
            } => {
                let base = self
                    .versions
                    .get(owner, job.project_id, *base_version)
                    .await?
                    .ok_or(PipelineError::VersionGone(*base_version))?;
                // A regeneration's prompt is an instruction; the facts are the page's brief's,
                // plus whatever the instruction adds.
                brief.read_facts(&format!(
                    "{}\n{}",
                    base.page.provenance.prompt, job.input.prompt
                ));
                let (mut page, index) = self
                    .regenerate(&brief, base.page, section_id, &agents, &usages, progress)
                    .await?;
                // Only the rewritten section's images are made again.
                self.illustrate(&mut page, Some(index), deadline, job, &usages, progress)
                    .await?;
                stored.push(self.store(owner, job, &project, page, progress).await?);
            }
            JobKind::Export { .. } => return Err(PipelineError::Export("not a page job".into())),
        }
        let usage = usages
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let versions: Vec<u64> = stored.iter().map(|(number, _)| *number).collect();
        let (version, page) = stored
            .into_iter()
            .next()
            .ok_or(PipelineError::ProjectGone)?;
        Ok(Generated {
            version,
            versions,
            page,
            usage,
        })
    }

    /// Renders, checks and stores one page as the project's next version.
    async fn store(
        &self,
        owner: &str,
        job: &Job,
        project: &visions_domain::project::Project,
        mut page: Page,
        progress: &dyn Progress,
    ) -> Result<(u64, Page), PipelineError> {
        let key = self.secrets.get(SecretName::CursorKey).await?;
        // Where the project says the page is published; a model never decides it.
        page.seo.canonical_url = project.site_url.clone();
        set_form_actions(
            &mut page,
            &form_address(&self.public_api_url, key.as_bytes(), job.project_id),
        );
        progress.report(Stage::Rendering, 90).await?;
        let quality = visions_quality::check_page(&page);
        if !quality.publishable {
            tracing::warn!(findings = ?quality.findings, "the page is kept but not publishable");
        }
        let html = render_page(&page);
        progress.report(Stage::Storing, 95).await?;
        // An unguessable key: the page is public on the CDN, its address is not.
        let html_key = format!("pages/{}/index.html", Uuid::new_v4().simple());
        self.blobs
            .put(&html_key, html.into_bytes(), "text/html; charset=utf-8")
            .await?;
        let version = PageVersion {
            number: 0,
            project_id: job.project_id,
            job_id: job.id,
            page: page.clone(),
            html_key,
            created_at: OffsetDateTime::now_utc(),
            quality,
            restored_from: None,
        };
        let number = self.versions.append(owner, &version).await?;
        // The project may have been deleted while this job ran: leave nothing behind.
        if self.projects.get(owner, job.project_id).await?.is_none() {
            self.versions.delete_project(owner, job.project_id).await?;
            self.blobs.delete(&version.html_key).await?;
            return Err(PipelineError::ProjectGone);
        }
        Ok((number, page))
    }

    /// The closest designs to the brief, best first (each variant leads with another one).
    /// An embedder that fails (a provider down) falls back to the built-in corpus: a job
    /// never fails for want of examples.
    async fn retrieve(&self, brief: &Brief) -> Vec<Design> {
        let query = format!(
            "{} {} {}",
            brief.prompt, brief.project_name, brief.project_description
        );
        let loaded = self.designs.current().await;
        let mut designs: Vec<Design> = match loaded
            .index
            .search(
                loaded.embedder.as_ref(),
                &query,
                TOP_DESIGNS,
                &Filter::default(),
            )
            .await
        {
            Ok(found) => found.into_iter().map(|m| m.design.clone()).collect(),
            Err(error) => {
                tracing::warn!(%error, "design search failed; using the built-in corpus");
                visions_designs::closest_builtin(&query, TOP_DESIGNS)
            }
        };
        // A brief with no word the index knows still gets designs to follow.
        for design in loaded.index.designs() {
            if designs.len() >= TOP_DESIGNS {
                break;
            }
            if !designs.iter().any(|d| d.id == design.id) {
                designs.push(design.clone());
            }
        }
        if !designs.is_empty() {
            let lead = usize::from(brief.variant) % designs.len();
            designs.rotate_left(lead);
        }
        designs
    }

    async fn generate(
        &self,
        brief: &Brief,
        agents: &Agents,
        usages: &Usages,
        progress: &dyn Progress,
    ) -> Result<Page, PipelineError> {
        progress.report(Stage::Retrieving, 5).await?;
        let designs = self.retrieve(brief).await;
        progress.report(Stage::Layout, 10).await?;
        let plan = agents.layout(brief, &designs).await?;
        usages.record("layout", &plan);
        let mut models = vec![format!("layout={}", plan.model)];
        let mut plan = plan.value;
        keep_stated_sections(&mut plan, &brief.facts);

        // Copy for every section and briefs for every planned image slot, all at once: the
        // image briefs work from the plan, so they need not wait for the copy.
        progress.report(Stage::Copywriting, 30).await?;
        let slots = planned_slots(&plan.sections);
        let image_briefs = async {
            if slots.is_empty() {
                return Ok(None);
            }
            agents
                .image_prompts(brief, &plan.business_name, &slots)
                .await
                .map(Some)
        };
        let copy = self.write_sections(brief, &plan, &designs, agents, usages, progress);
        let (written, image_briefs) = futures::join!(copy, image_briefs);
        let sections = written?;
        let image_briefs = image_briefs?;
        for (_, answer) in &sections {
            let model = format!("copy={}", answer.model);
            if !models.contains(&model) {
                models.push(model);
            }
        }
        let sections: Vec<Section> = sections
            .into_iter()
            .filter_map(|(i, answer)| {
                let planned = plan.sections.get(i)?;
                let mut content = answer.value;
                normalize_image_ids(&mut content);
                Some(Section {
                    id: planned.id.clone(),
                    variant: planned.variant.clone(),
                    content,
                    source: Some(source(planned, &designs, &answer.model.to_string())),
                })
            })
            .collect();

        let palette = designs.first().map(|d| Palette {
            primary: d.palette.primary.clone(),
            accent: d.palette.accent.clone(),
            background: d.palette.background.clone(),
            text: d.palette.text.clone(),
        });
        let mut page = Page {
            schema_version: SCHEMA_VERSION,
            locale: brief.locale.clone(),
            theme: build_theme(&brief.brand, &palette.unwrap_or_default()),
            seo: plan.seo,
            sections,
            provenance: Provenance {
                prompt: brief.prompt.clone(),
                project_name: brief.project_name.clone(),
                project_description: brief.project_description.clone(),
                design_ids: designs.iter().map(|d| d.id.clone()).collect(),
                models,
            },
        };
        resolve_anchors(&mut page, &brief.facts);
        if let Some(answer) = image_briefs {
            usages.record("image_prompts", &answer);
            page.provenance
                .models
                .push(format!("image_prompts={}", answer.model));
            apply_briefs(&mut page, &answer.value);
        }
        Ok(page)
    }

    /// Copy calls with bounded concurrency; answers come back in plan order.
    async fn write_sections(
        &self,
        brief: &Brief,
        plan: &LayoutPlan,
        designs: &[Design],
        agents: &Agents,
        usages: &Usages,
        progress: &dyn Progress,
    ) -> Result<Vec<Written>, PipelineError> {
        let total = plan.sections.len();
        let ids: Vec<String> = plan.sections.iter().map(|s| s.id.clone()).collect();
        // Boxed so the stream's type names no closure lifetimes (the worker future must be Send).
        let copies: Vec<BoxFuture<'_, CopyCall>> = plan
            .sections
            .iter()
            .enumerate()
            .map(|(i, section)| {
                agents
                    .copy(brief, &plan.business_name, section, &ids, designs)
                    .map(move |r| (i, r))
                    .boxed()
            })
            .collect();
        let mut calls =
            futures::stream::iter(copies).buffer_unordered(self.copy_concurrency.max(1));
        let mut written = Vec::with_capacity(total);
        let mut done = 0;
        while let Some((i, result)) = calls.next().await {
            done += 1;
            let answer = match result {
                Ok(answer) => Some(answer),
                // A model that still invents (or breaks the schema) after its repair loses the
                // section: facts it would state are dropped, and other copy is the composer's.
                Err(AgentError::Invalid {
                    problems, model, ..
                }) => {
                    tracing::warn!(%model, %problems, "copy dropped after its repair");
                    match plan.sections.get(i) {
                        Some(section) => Some(
                            agents
                                .composed_copy(brief, &plan.business_name, section, &ids)
                                .await?,
                        ),
                        None => None,
                    }
                }
                Err(error) => return Err(error.into()),
            };
            if let Some(answer) = answer {
                usages.record("copy", &answer);
                written.push((i, answer));
            }
            progress
                .report(Stage::Copywriting, (30 + 55 * done / total) as u8)
                .await?;
        }
        written.sort_by_key(|(i, _)| *i);
        Ok(written)
    }

    async fn regenerate(
        &self,
        brief: &Brief,
        mut page: Page,
        section_id: &str,
        agents: &Agents,
        usages: &Usages,
        progress: &dyn Progress,
    ) -> Result<(Page, usize), PipelineError> {
        let index = page
            .sections
            .iter()
            .position(|s| s.id == section_id)
            .ok_or_else(|| PipelineError::SectionGone(section_id.to_owned()))?;
        progress.report(Stage::Retrieving, 5).await?;
        let designs = self.retrieve(brief).await;
        let old = page
            .sections
            .get(index)
            .ok_or_else(|| PipelineError::SectionGone(section_id.to_owned()))?;
        let planned = PlannedSection {
            id: old.id.clone(),
            section_type: old.content.section_type(),
            variant: old.variant.clone(),
            purpose: format!("Rewrite this section: {}", brief.prompt),
        };
        let business = business_name(&page).unwrap_or_else(|| brief.project_name.clone());
        progress.report(Stage::Copywriting, 30).await?;
        let ids: Vec<String> = page.sections.iter().map(|s| s.id.clone()).collect();
        let answer = match agents
            .copy(brief, &business, &planned, &ids, &designs)
            .await
        {
            Err(AgentError::Invalid {
                problems, model, ..
            }) => {
                tracing::warn!(%model, %problems, "section regeneration fell back to the composer");
                agents
                    .composed_copy(brief, &business, &planned, &ids)
                    .await?
            }
            other => other?,
        };
        usages.record("copy", &answer);
        page.provenance
            .models
            .push(format!("copy={}", answer.model));
        let section = page
            .sections
            .get_mut(index)
            .ok_or_else(|| PipelineError::SectionGone(section_id.to_owned()))?;
        section.content = answer.value;
        normalize_image_ids(&mut section.content);
        section.source = Some(source(&planned, &designs, &answer.model.to_string()));
        resolve_anchors(&mut page, &brief.facts);
        self.brief_images(brief, &business, &mut page, index, agents, usages, progress)
            .await?;
        Ok((page, index))
    }

    /// Makes the picture of every briefed image slot (of one section, or of all), a few at a
    /// time. A picture that fails leaves its slot with the brief and the reason; the page
    /// renders a themed placeholder there and the job goes on.
    /// Each picture made is recorded in `usages` (agent `images`): what the job is charged for.
    #[allow(clippy::too_many_arguments)]
    async fn illustrate(
        &self,
        page: &mut Page,
        only: Option<usize>,
        deadline: tokio::time::Instant,
        job: &Job,
        usages: &Usages,
        progress: &dyn Progress,
    ) -> Result<(), PipelineError> {
        let image_model = self.metering.image_model_for(job.tier, &self.image_model);
        let palette = palette_of(&page.theme);
        let mut work = Vec::new();
        for (section_index, section) in page.sections.iter().enumerate() {
            if only.is_some_and(|o| o != section_index) {
                continue;
            }
            let aspect = aspect_of(section);
            for (slot_index, slot) in section.content.image_slots().into_iter().enumerate() {
                if slot.brief.trim().is_empty() {
                    continue;
                }
                work.push((
                    section_index,
                    slot_index,
                    ImageRequest {
                        prompt: slot.brief.clone(),
                        aspect,
                        style: None,
                        palette: palette.clone(),
                    },
                ));
            }
        }
        if work.is_empty() {
            return Ok(());
        }
        progress.report(Stage::Images, 86).await?;
        let image_model = &image_model;
        let made: Vec<_> = futures::stream::iter(work)
            .map(|(section, slot, request)| async move {
                let asset = Uuid::now_v7();
                let made = tokio::time::timeout_at(
                    deadline,
                    self.studio.generate(image_model, &request, asset),
                )
                .await
                .unwrap_or_else(|_| {
                    Err(AssetFailure::Model(
                        "the image was not ready before the job's deadline".into(),
                    ))
                });
                (section, slot, made)
            })
            .buffer_unordered(self.image_concurrency.max(1))
            .collect()
            .await;
        for (section, slot, made) in made {
            let Some(slot) = page
                .sections
                .get_mut(section)
                .and_then(|s| s.content.image_slots_mut().into_iter().nth(slot))
            else {
                continue;
            };
            match made {
                Ok(picture) => {
                    slot.picture = Some(picture);
                    slot.failure = None;
                    usages.push(CallUsage::new(
                        visions_domain::job::IMAGES_AGENT,
                        image_model,
                        visions_domain::models::Usage::default(),
                    ));
                }
                Err(failure) => {
                    tracing::warn!(slot = %slot.id, %failure, "an image slot keeps its placeholder");
                    slot.picture = None;
                    slot.failure = Some(failure.to_string());
                }
            }
        }
        let model = format!("images={image_model}");
        if !page.provenance.models.contains(&model) {
            page.provenance.models.push(model);
        }
        Ok(())
    }

    /// Fills the `brief` of every image slot (of one section, or of all) in one call.
    #[allow(clippy::too_many_arguments)]
    async fn brief_images(
        &self,
        brief: &Brief,
        business: &str,
        page: &mut Page,
        only: usize,
        agents: &Agents,
        usages: &Usages,
        progress: &dyn Progress,
    ) -> Result<(), PipelineError> {
        progress.report(Stage::ImagePrompts, 82).await?;
        let slots: Vec<SlotRequest> = page
            .sections
            .iter()
            .enumerate()
            .filter(|(i, _)| *i == only)
            .flat_map(|(_, s)| {
                s.content
                    .image_slots()
                    .into_iter()
                    .map(move |slot| SlotRequest {
                        slot_id: slot.id.clone(),
                        section_type: s.content.section_type(),
                        alt: slot.alt.clone(),
                    })
            })
            .collect();
        if slots.is_empty() {
            return Ok(());
        }
        let answer = agents.image_prompts(brief, business, &slots).await?;
        usages.record("image_prompts", &answer);
        let model = format!("image_prompts={}", answer.model);
        if !page.provenance.models.contains(&model) {
            page.provenance.models.push(model);
        }
        apply_briefs(page, &answer.value);
        Ok(())
    }
}

/// Every button goes somewhere real: an in-page link names a section of the page other than
/// its own, an outside link is one the brief gives. Anything else goes to the brief's best
/// target (its booking, demo or shop link, phone, email), or to the contact form.
fn resolve_anchors(page: &mut Page, facts: &BriefFacts) {
    let ids: Vec<String> = page.sections.iter().map(|s| s.id.clone()).collect();
    let has_contact = page
        .sections
        .iter()
        .any(|s| s.content.section_type() == SectionType::Contact);
    let contact_href = page
        .sections
        .iter()
        .find(|s| s.content.section_type() == SectionType::Contact)
        .map(|s| format!("#{}", s.id));
    let allowed = facts.allowed_hrefs();
    let best = facts
        .actions()
        .into_iter()
        .find(|a| a.kind != ActionKind::Form)
        .map(|a| a.href)
        .or(contact_href.filter(|_| has_contact));
    for section in &mut page.sections {
        let own = section.id.clone();
        for cta in ctas_mut(&mut section.content) {
            let fine = match cta.href.strip_prefix('#') {
                Some(anchor) => anchor != own && ids.iter().any(|id| id == anchor),
                None => allowed.iter().any(|h| h == &cta.href),
            };
            if !fine {
                if let Some(best) = &best {
                    cta.href = best.clone();
                }
            }
        }
    }
}

/// Which retrieved design a planned section follows (the first with that section type, the
/// same variant preferred) and which model wrote it.
fn source(planned: &PlannedSection, designs: &[Design], model: &str) -> SectionSource {
    let found = designs.iter().find_map(|d| {
        let sections = d.sections();
        let same_variant = sections
            .iter()
            .position(|s| s.section_type == planned.section_type && s.variant == planned.variant);
        let same_type = || {
            sections
                .iter()
                .position(|s| s.section_type == planned.section_type)
        };
        let at = same_variant.or_else(same_type)?;
        sections.into_iter().nth(at).map(|s| (d.id.clone(), s))
    });
    SectionSource {
        design_id: found.as_ref().map(|(id, _)| id.clone()),
        pattern: found
            .map(|(_, s)| format!("{}:{} — {}", s.section_type.as_str(), s.variant, s.purpose)),
        model: model.to_owned(),
    }
}

/// Points every contact form of the page at the project's form address.
pub(crate) fn set_form_actions(page: &mut Page, address: &str) {
    for section in &mut page.sections {
        if let SectionContent::Contact(contact) = &mut section.content {
            if let Some(form) = &mut contact.form {
                form.action = address.to_owned();
            }
        }
    }
}

/// Drops planned sections whose facts the brief does not give (testimonials without quotes,
/// pricing without prices, figures without figures, client logos), and makes sure the page
/// ends with a contact section before its footer.
fn keep_stated_sections(plan: &mut LayoutPlan, facts: &BriefFacts) {
    use visions_facts::ProofKind;
    let quotes = facts.proof.iter().any(|p| p.kind == ProofKind::Quote);
    let figures = facts
        .proof
        .iter()
        .filter(|p| matches!(p.kind, ProofKind::Rating | ProofKind::CustomerCount))
        .count()
        >= 2;
    plan.sections.retain(|s| match s.section_type {
        SectionType::Testimonials => quotes,
        SectionType::Pricing => !facts.prices.is_empty(),
        SectionType::Stats => figures,
        SectionType::Logos => false,
        _ => true,
    });
    if !plan
        .sections
        .iter()
        .any(|s| s.section_type == SectionType::Contact)
    {
        let at = plan
            .sections
            .iter()
            .position(|s| s.section_type == SectionType::Footer)
            .unwrap_or(plan.sections.len());
        let mut id = "contact".to_owned();
        while plan.sections.iter().any(|s| s.id == id) {
            id.push_str("-1");
        }
        plan.sections.insert(
            at,
            PlannedSection {
                id,
                section_type: SectionType::Contact,
                variant: "split".into(),
                purpose: "How to reach the business: the brief's details and a message form".into(),
            },
        );
    }
}

fn ctas_mut(content: &mut SectionContent) -> Vec<&mut Cta> {
    match content {
        SectionContent::Hero(p) => std::iter::once(&mut p.primary_cta)
            .chain(p.secondary_cta.as_mut())
            .collect(),
        SectionContent::Pricing(p) => p.plans.iter_mut().map(|plan| &mut plan.cta).collect(),
        SectionContent::Cta(p) => vec![&mut p.cta],
        SectionContent::Footer(p) => p.links.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// The image slots a plan implies: their ids are fixed here, and copy is made to use them.
pub fn planned_slots(sections: &[PlannedSection]) -> Vec<SlotRequest> {
    let mut slots = Vec::new();
    for section in sections {
        slots.extend(
            section
                .image_slot_ids()
                .into_iter()
                .map(|slot_id| SlotRequest {
                    slot_id,
                    section_type: section.section_type,
                    alt: section.purpose.clone(),
                }),
        );
    }
    slots
}

/// Gives images the ids [`planned_slots`] promised, whatever the model called them.
fn normalize_image_ids(content: &mut SectionContent) {
    match content {
        SectionContent::Hero(p) => p.image.iter_mut().for_each(|i| i.id = "hero-image".into()),
        SectionContent::Benefits(p) => p
            .image
            .iter_mut()
            .for_each(|i| i.id = "benefits-image".into()),
        SectionContent::Gallery(p) => p
            .images
            .iter_mut()
            .enumerate()
            .for_each(|(n, i)| i.id = format!("gallery-{}", n + 1)),
        _ => {}
    }
}

fn apply_briefs(page: &mut Page, briefs: &ImageBriefs) {
    for section in page.sections.iter_mut() {
        for slot in section.content.image_slots_mut() {
            if let Some(b) = briefs.briefs.iter().find(|b| b.slot_id == slot.id) {
                slot.brief = b.brief.clone();
            }
        }
    }
}

fn business_name(page: &Page) -> Option<String> {
    page.sections.iter().find_map(|s| match &s.content {
        SectionContent::Footer(footer) => Some(footer.business_name.clone()),
        _ => None,
    })
}

/// The page's colours, for generators that paint with them: primary, accent, then the rest.
fn palette_of(theme: &visions_domain::page::Theme) -> Vec<[u8; 3]> {
    [
        &theme.primary,
        &theme.accent,
        &theme.surface,
        &theme.background,
    ]
    .into_iter()
    .filter_map(|hex| visions_page::theme::rgb(hex))
    .collect()
}

/// The shape the renderer draws a section's pictures in (sections.rs `Shape`).
fn aspect_of(section: &Section) -> Aspect {
    match &section.content {
        SectionContent::Hero(_) if section.variant == "centered" => Aspect::Wide,
        SectionContent::Hero(_) => Aspect::Landscape,
        SectionContent::Benefits(_) => Aspect::Panorama,
        SectionContent::Gallery(_) => Aspect::Square,
        _ => Aspect::Landscape,
    }
}
