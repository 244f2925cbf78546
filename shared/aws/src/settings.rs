//! Where a deployment's AWS resources are, read once per cold start from the variables the
//! SAM template sets on every function.

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
