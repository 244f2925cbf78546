//! The embedded adapters of the domain ports: SQLite for projects, jobs, versions and a
//! durable job queue with SQS semantics; files for blobs and secrets. The local server and
//! the tests run on them; no Lambda links this crate.

mod files;
mod secrets;
mod sqlite;
mod uploads;

pub use files::FileBlobStore;
pub use secrets::{LocalSecrets, random_secret};
pub use sqlite::{
    Delivery, FoundKey, SqliteApiKeyStore, SqliteAssetStore, SqliteCreditStore, SqliteDb,
    SqliteJobQueue, SqliteJobStore, SqliteProjectStore, SqliteSubmissionStore, SqliteVersionStore,
};
pub use uploads::LocalUploadSigner;
