//! Wiring: configuration in, adapters and application state out. Called once per cold start
//! (Lambda) or once per `visions-ai` command.

use std::sync::Arc;

use crate::auth::JwtVerifier;
use crate::config::{Backend, Config};
use crate::http::AppState;
use crate::secrets::Secrets;
use crate::store::{DynamoProjectStore, ProjectStore, SqliteProjectStore};

/// The SQLite file inside a local data folder.
pub const LOCAL_DB_FILE: &str = "visions.db";

pub async fn app_state(config: &Config) -> anyhow::Result<AppState> {
    let secrets = Arc::new(Secrets::from_config(config).await);
    let projects: Arc<dyn ProjectStore> = match &config.backend {
        Backend::Local { data_dir } => {
            Arc::new(SqliteProjectStore::open(&data_dir.join(LOCAL_DB_FILE))?)
        }
        Backend::Aws(aws) => {
            let sdk = crate::aws::sdk_config().await;
            Arc::new(DynamoProjectStore::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                &aws.table,
            ))
        }
    };
    let verifier = Arc::new(JwtVerifier::new(config.jwt.clone(), secrets.clone()));
    Ok(AppState {
        projects,
        verifier,
        secrets,
    })
}
