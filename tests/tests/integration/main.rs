//! The integration suite, as one test binary (one link, one process): every module runs
//! against the real components — SQLite, the AWS SDK on moto, the providers' wire formats on
//! local fake servers, Chromium for Lighthouse.

mod api_keys_aws;
mod asset_store_contract;
mod blob_store_contract;
mod cors;
mod credit_store_contract;
mod designs;
mod exports_http;
mod forged_tokens;
mod forms_http;
mod generation_http;
mod generation_models;
mod images;
mod images_http;
mod job_store_contract;
mod jobs_worker;
mod labelled_briefs;
mod lambda_events;
mod lambda_sdk_config;
mod lighthouse;
mod llm_providers;
mod metering_http;
mod openapi_spec;
mod page_render;
mod projects_http;
mod queue_contract;
mod reliability;
mod rules_sent;
mod secret_store_contract;
mod secrets_aws;
mod store_contract;
mod template_consistency;
mod twenty_briefs;
mod uploads;
mod usage_events;
