//! Every AWS resource of a deployment at once, for the local server on the AWS backend (a
//! Lambda reads only its own through [`crate::Aws`]).

use std::time::Duration;

use visions_domain::config::{ConfigError, parse_u64};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsSettings {
    pub table: String,
    /// The SQS queue generation jobs go on.
    pub queue_url: String,
    /// The S3 bucket for pages and images, and the CDN URL in front of it.
    pub assets_bucket: String,
    pub assets_url: String,
    /// The private bucket of design-index generations, for the functions that search them.
    pub index_bucket: Option<String>,
    /// The private bucket of uploaded originals, for the functions that read or sign them.
    pub uploads_bucket: Option<String>,
    /// The meter's queue of usage events, for the functions that settle holds.
    pub usage_queue_url: Option<String>,
    /// The tiers' usage plans, for the function that manages API keys.
    pub usage_plans: Option<UsagePlans>,
    pub jwt_key_arn: String,
    pub cursor_key_arn: String,
    pub secret_ttl: Duration,
}

impl AwsSettings {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| lookup(name).ok_or(ConfigError::Missing { name });
        Ok(Self {
            table: required("VISIONS_TABLE")?,
            queue_url: required("VISIONS_QUEUE_URL")?,
            assets_bucket: required("VISIONS_ASSETS_BUCKET")?,
            assets_url: required("VISIONS_ASSETS_URL")?,
            index_bucket: lookup("VISIONS_INDEX_BUCKET").filter(|b| !b.is_empty()),
            uploads_bucket: lookup("VISIONS_UPLOADS_BUCKET").filter(|b| !b.is_empty()),
            usage_queue_url: lookup("VISIONS_USAGE_QUEUE_URL").filter(|q| !q.is_empty()),
            usage_plans: UsagePlans::from_lookup(&lookup)?,
            jwt_key_arn: required("VISIONS_JWT_KEY_ARN")?,
            cursor_key_arn: required("VISIONS_CURSOR_KEY_ARN")?,
            secret_ttl: Duration::from_secs(parse_u64(&lookup, "VISIONS_SECRET_TTL_SECS", 300)?),
        })
    }

    /// These settings as the variables they were read from, for [`crate::Aws::new`].
    pub fn lookup(&self) -> crate::Lookup {
        let settings = self.clone();
        std::sync::Arc::new(move |name: &str| {
            let s = &settings;
            match name {
                "VISIONS_TABLE" => Some(s.table.clone()),
                "VISIONS_QUEUE_URL" => Some(s.queue_url.clone()),
                "VISIONS_ASSETS_BUCKET" => Some(s.assets_bucket.clone()),
                "VISIONS_ASSETS_URL" => Some(s.assets_url.clone()),
                "VISIONS_INDEX_BUCKET" => s.index_bucket.clone(),
                "VISIONS_UPLOADS_BUCKET" => s.uploads_bucket.clone(),
                "VISIONS_USAGE_QUEUE_URL" => s.usage_queue_url.clone(),
                "VISIONS_USAGE_PLAN_FREE_NAME" => s.usage_plans.as_ref().map(|p| p.free.clone()),
                "VISIONS_USAGE_PLAN_PRO_NAME" => s.usage_plans.as_ref().map(|p| p.pro.clone()),
                "VISIONS_JWT_KEY_ARN" => Some(s.jwt_key_arn.clone()),
                "VISIONS_CURSOR_KEY_ARN" => Some(s.cursor_key_arn.clone()),
                "VISIONS_SECRET_TTL_SECS" => Some(s.secret_ttl.as_secs().to_string()),
                _ => None,
            }
        })
    }
}

/// The usage plan of each tier, by name (`VISIONS_USAGE_PLAN_FREE_NAME`,
/// `VISIONS_USAGE_PLAN_PRO_NAME`). Names, not ids: the plans depend on the API's stage, which
/// depends on this function, so the template cannot hand the function the ids. They are looked
/// up once, at the first key operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsagePlans {
    pub free: String,
    pub pro: String,
}

impl UsagePlans {
    /// Both names, or neither (a function that manages no keys).
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        match (
            lookup("VISIONS_USAGE_PLAN_FREE_NAME"),
            lookup("VISIONS_USAGE_PLAN_PRO_NAME"),
        ) {
            (Some(free), Some(pro)) => Ok(Some(Self { free, pro })),
            (None, None) => Ok(None),
            (Some(_), None) => Err(ConfigError::Missing {
                name: "VISIONS_USAGE_PLAN_PRO_NAME",
            }),
            (None, Some(_)) => Err(ConfigError::Missing {
                name: "VISIONS_USAGE_PLAN_FREE_NAME",
            }),
        }
    }
}
