//! The function's cold start on AWS: its adapters and settings, read from the variables the
//! template sets on it (and only those; see the template test in `tests/`).

use std::sync::Arc;

use visions_assets::{ImageModels, Studio};
use visions_aws::Aws;
use visions_domain::config::ConfigError;
use visions_llm::images::ProviderImageModels;
use visions_metering::Metering;
use visions_model_config::ModelSettings;

pub fn ports(aws: &Aws) -> Result<crate::Ports, ConfigError> {
    let settings = ModelSettings::from_lookup(aws.lookup())?;
    Ok(crate::Ports {
        assets: aws.assets()?,
        originals: aws.uploads()?,
        studio: Arc::new(Studio::new(
            ImageModels::new(ProviderImageModels::new(settings, aws.secrets(&[])?)),
            aws.blobs()?,
        )),
        metering: Arc::new(Metering::from_lookup(aws.lookup())?),
        usage: aws.usage_events()?,
    })
}
