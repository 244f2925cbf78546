//! What things cost and what each tier may do, in one table (`metering.json`, replaced as a
//! whole by `VISIONS_METERING`): model classes, prices in credits, and the tier feature matrix
//! (models per agent, exports, variants, projects, signup credits, and the usage plan's
//! throttle and daily quota).
//!
//! Costs come in pairs: what to hold when work starts (the most it can cost) and what it
//! finally cost (from the models and images it actually used).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use visions_domain::config::ConfigError;
use visions_domain::job::{CallUsage, IMAGES_AGENT, Job, JobKind};
use visions_domain::models::ModelName;
use visions_domain::tier::Tier;

const DEFAULT: &str = include_str!("metering.json");

/// How expensive a model is to run; prices are per class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Local,
    Standard,
    Premium,
}

/// Credits per class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByClass {
    pub local: u64,
    pub standard: u64,
    pub premium: u64,
}

impl ByClass {
    pub fn get(&self, class: Class) -> u64 {
        match class {
            Class::Local => self.local,
            Class::Standard => self.standard,
            Class::Premium => self.premium,
        }
    }
}

pub use visions_domain::job::ExportFormat;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Per page made (each variant is a page).
    pub generation: ByClass,
    /// Per section rewritten.
    pub section: ByClass,
    /// Per image generated (the offline generator is the `local` class).
    pub image: ByClass,
    /// Per uploaded image optimized.
    pub upload: u64,
    pub export: BTreeMap<ExportFormat, u64>,
    /// The most images one page is held for.
    pub images_per_page: u64,
    /// The most images one rewritten section is held for.
    pub images_per_section: u64,
}

/// Model name patterns (`*` matches any run of characters) per agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRules {
    pub layout: Vec<String>,
    pub copy: Vec<String>,
    pub image: Vec<String>,
}

/// An API Gateway usage plan's throttle: steady requests per second and the burst above it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    pub rate: f64,
    pub burst: u32,
}

/// What one tier may do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Credits granted once, when the account opens.
    pub signup_credits: u64,
    pub models: ModelRules,
    pub exports: Vec<ExportFormat>,
    pub max_variants: u8,
    pub max_projects: u64,
    /// The class a job that names no model is held at: the priciest its tier's configured
    /// chains can reach (the job settles at what actually answered).
    pub hold_class: Class,
    pub throttle: Throttle,
    pub quota_per_day: u64,
}

/// Which agent a model is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelUse {
    Layout,
    Copy,
    Image,
}

impl Plan {
    pub fn allows_model(&self, model: &ModelName, agent: ModelUse) -> bool {
        let patterns = match agent {
            ModelUse::Layout => &self.models.layout,
            ModelUse::Copy => &self.models.copy,
            ModelUse::Image => &self.models.image,
        };
        let name = model.to_string();
        patterns.iter().any(|p| wildcard(p, &name))
    }

    pub fn allows_export(&self, format: ExportFormat) -> bool {
        self.exports.contains(&format)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Classes {
    local: Vec<String>,
    premium: Vec<String>,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metering {
    classes: Classes,
    pub prices: Prices,
    tiers: BTreeMap<String, Plan>,
}

/// The offline image generator, used for tiers whose plan does not allow the configured model.
pub const OFFLINE_IMAGES: &str = "local:art";

impl Metering {
    /// `VISIONS_METERING` (the whole table as JSON) when set, else the built-in table.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = lookup("VISIONS_METERING").unwrap_or_else(|| DEFAULT.to_owned());
        Self::parse(&text).map_err(|reason| ConfigError::Invalid {
            name: "VISIONS_METERING",
            value: reason,
            reason: "expected a metering table shaped as shared/metering/src/metering.json",
        })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let table: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for tier in [Tier::Free, Tier::Pro] {
            let plan = table
                .tiers
                .get(tier.as_str())
                .ok_or_else(|| format!("no plan for the {} tier", tier.as_str()))?;
            if !(plan.throttle.rate > 0.0 && plan.throttle.rate.is_finite()) {
                return Err(format!(
                    "the {} tier's throttle rate must be positive",
                    tier.as_str()
                ));
            }
            if plan.max_variants == 0 {
                return Err(format!("the {} tier allows no page", tier.as_str()));
            }
        }
        Ok(table)
    }

    pub fn builtin() -> Self {
        Self::parse(DEFAULT).expect("the built-in metering table is valid (tested)")
    }

    pub fn plan(&self, tier: Tier) -> &Plan {
        // `parse` checked that both tiers have a plan.
        self.tiers
            .get(tier.as_str())
            .or_else(|| self.tiers.values().next())
            .expect("a parsed table has plans")
    }

    /// The first tier whose plan passes `check`: the tier a refused request needs.
    pub fn tier_needed(&self, check: impl Fn(&Plan) -> bool) -> Option<Tier> {
        [Tier::Free, Tier::Pro]
            .into_iter()
            .find(|tier| check(self.plan(*tier)))
    }

    pub fn class_of(&self, model: &ModelName) -> Class {
        let name = model.to_string();
        let any = |patterns: &[String]| patterns.iter().any(|p| wildcard(p, &name));
        if model.is_local() || any(&self.classes.local) {
            Class::Local
        } else if any(&self.classes.premium) {
            Class::Premium
        } else {
            Class::Standard
        }
    }

    /// The class text work is held at: the requested model's, else the tier's `hold_class`.
    fn top_text_class(&self, tier: Tier, requested: Option<&ModelName>) -> Class {
        requested.map_or(self.plan(tier).hold_class, |model| self.class_of(model))
    }

    /// The image model `tier` illustrates pages with: the configured one when its plan allows
    /// it, else the offline generator.
    pub fn image_model_for(&self, tier: Tier, configured: &ModelName) -> ModelName {
        if self.plan(tier).allows_model(configured, ModelUse::Image) {
            configured.clone()
        } else {
            ModelName::parse(OFFLINE_IMAGES).expect("a valid name")
        }
    }

    /// The most a generation can cost: every variant at the priciest class the tier may use
    /// (or the requested model's), each with a full page of images.
    pub fn generation_hold(
        &self,
        tier: Tier,
        requested: Option<&ModelName>,
        variants: u8,
        image_model: &ModelName,
    ) -> u64 {
        let page = self
            .prices
            .generation
            .get(self.top_text_class(tier, requested));
        let images = self
            .prices
            .images_per_page
            .saturating_mul(self.image_cost(image_model));
        u64::from(variants).saturating_mul(page.saturating_add(images))
    }

    /// What a generation cost: each page made at the priciest class that answered, plus the
    /// pictures made (recorded as `images` calls).
    pub fn generation_cost(&self, usage: &[CallUsage], pages: usize) -> u64 {
        let pages = u64::try_from(pages).unwrap_or(u64::MAX);
        pages
            .saturating_mul(self.prices.generation.get(self.used_class(usage)))
            .saturating_add(self.images_cost(usage))
    }

    pub fn section_hold(
        &self,
        tier: Tier,
        requested: Option<&ModelName>,
        image_model: &ModelName,
    ) -> u64 {
        self.prices
            .section
            .get(self.top_text_class(tier, requested))
            .saturating_add(
                self.prices
                    .images_per_section
                    .saturating_mul(self.image_cost(image_model)),
            )
    }

    pub fn section_cost(&self, usage: &[CallUsage]) -> u64 {
        self.prices
            .section
            .get(self.used_class(usage))
            .saturating_add(self.images_cost(usage))
    }

    /// What a finished job cost, from what it recorded.
    pub fn job_cost(&self, job: &Job) -> u64 {
        match job.kind {
            JobKind::Generate => self.generation_cost(&job.usage, job.versions.len()),
            JobKind::RegenerateSection { .. } => self.section_cost(&job.usage),
            JobKind::Export { format, .. } => self.export_cost(format),
        }
    }

    fn images_cost(&self, usage: &[CallUsage]) -> u64 {
        usage
            .iter()
            .filter(|call| call.agent == IMAGES_AGENT)
            .filter_map(|call| ModelName::parse(&call.model).ok())
            .map(|model| self.image_cost(&model))
            .fold(0, u64::saturating_add)
    }

    pub fn image_cost(&self, model: &ModelName) -> u64 {
        self.prices.image.get(self.class_of(model))
    }

    pub fn export_cost(&self, format: ExportFormat) -> u64 {
        self.prices.export.get(&format).copied().unwrap_or(0)
    }

    /// The priciest class among the models that answered (the offline composer's calls report
    /// `local:composer`; no call at all is the composer too).
    fn used_class(&self, usage: &[CallUsage]) -> Class {
        usage
            .iter()
            .filter(|call| call.agent != IMAGES_AGENT)
            .filter_map(|call| ModelName::parse(&call.model).ok())
            .map(|model| self.class_of(&model))
            .max()
            .unwrap_or(Class::Local)
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let middle = parts.get(1..parts.len() - 1).unwrap_or(&[]);
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> ModelName {
        ModelName::parse(s).unwrap()
    }

    #[test]
    fn wildcards_match_as_globs() {
        assert!(wildcard("*", "openai:gpt-4o"));
        assert!(wildcard("local:*", "local:composer"));
        assert!(wildcard(
            "anthropic:*haiku*",
            "anthropic:claude-3-5-haiku-latest"
        ));
        assert!(!wildcard("anthropic:*haiku*", "anthropic:claude-sonnet-4"));
        assert!(wildcard("openai:gpt-4o", "openai:gpt-4o"));
        assert!(!wildcard("openai:gpt-4o", "openai:gpt-4o-mini"));
        assert!(!wildcard("a*b*c", "ac"));
        assert!(wildcard("a*b*c", "abc"));
        assert!(!wildcard("ab*ba", "aba"));
    }

    #[test]
    fn the_builtin_table_parses_and_classes_models() {
        let table = Metering::builtin();
        assert_eq!(table.class_of(&name("local:composer")), Class::Local);
        assert_eq!(table.class_of(&name("openai:gpt-4o-mini")), Class::Standard);
        assert_eq!(table.class_of(&name("openai:gpt-4o")), Class::Premium);
        assert_eq!(
            table.class_of(&name("anthropic:claude-sonnet-4-5")),
            Class::Premium
        );
        assert_eq!(table.class_of(&name("ollama:llama3.1")), Class::Standard);
    }

    #[test]
    fn free_may_not_use_premium_models_or_provider_images() {
        let table = Metering::builtin();
        let free = table.plan(Tier::Free);
        assert!(free.allows_model(&name("local:composer"), ModelUse::Layout));
        assert!(free.allows_model(&name("openai:gpt-4o-mini"), ModelUse::Copy));
        assert!(!free.allows_model(&name("openai:gpt-4o"), ModelUse::Layout));
        assert!(!free.allows_model(&name("openai:gpt-image-1"), ModelUse::Image));
        assert_eq!(
            table.tier_needed(|plan| plan.allows_model(&name("openai:gpt-4o"), ModelUse::Layout)),
            Some(Tier::Pro)
        );
        assert_eq!(
            table.image_model_for(Tier::Free, &name("openai:gpt-image-1")),
            name("local:art")
        );
        assert_eq!(
            table.image_model_for(Tier::Pro, &name("openai:gpt-image-1")),
            name("openai:gpt-image-1")
        );
    }

    #[test]
    fn holds_cover_the_most_a_job_can_cost_and_costs_follow_what_ran() {
        let table = Metering::builtin();
        let art = name("local:art");
        // Free: the priciest text class it may use is standard; local art is free.
        assert_eq!(table.generation_hold(Tier::Free, None, 1, &art), 2);
        // Pro may use premium models; three variants with provider images.
        let image = name("openai:gpt-image-1");
        assert_eq!(
            table.generation_hold(Tier::Pro, None, 3, &image),
            3 * (5 + 6 * 3)
        );
        assert_eq!(
            table.generation_hold(Tier::Pro, Some(&name("local:composer")), 1, &art),
            1
        );
        let composer = [CallUsage::new(
            "layout",
            &name("local:composer"),
            Default::default(),
        )];
        let art_call = CallUsage::new(IMAGES_AGENT, &art, Default::default());
        assert_eq!(
            table.generation_cost(&[composer[0].clone(), art_call], 1),
            1
        );
        let image_call = CallUsage::new(IMAGES_AGENT, &image, Default::default());
        let premium = [
            CallUsage::new("copy", &name("openai:gpt-4o"), Default::default()),
            image_call.clone(),
            image_call,
        ];
        assert_eq!(table.generation_cost(&premium, 2), 2 * 5 + 2 * 3);
        assert!(
            table.generation_cost(&premium, 1) <= table.generation_hold(Tier::Pro, None, 1, &image)
        );
        assert_eq!(table.section_hold(Tier::Free, None, &art), 1);
        assert_eq!(table.section_cost(&composer), 1);
    }

    #[test]
    fn a_bad_table_is_refused_with_its_reason() {
        let err = Metering::from_lookup(|_| Some("{\"classes\": {}}".into())).unwrap_err();
        assert!(err.to_string().contains("VISIONS_METERING"), "{err}");
        let mut table: serde_json::Value = serde_json::from_str(DEFAULT).unwrap();
        table["tiers"]["free"]["throttle"]["rate"] = 0.into();
        assert!(
            Metering::parse(&table.to_string())
                .unwrap_err()
                .contains("rate")
        );
    }
}
