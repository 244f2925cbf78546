//! Export jobs: a stored version packaged as a site or a codebase, its pictures copied in from
//! the blob store, zipped and stored for download.

use futures::StreamExt;
use uuid::Uuid;

use visions_domain::form::form_address;
use visions_domain::job::{ExportArchive, ExportFormat, Job, Stage};
use visions_domain::ports::SecretName;
use visions_export::{File, Picture};

use crate::pipeline::{Pipeline, PipelineError, Progress, set_form_actions};

/// Pictures fetched from the blob store at once.
const FETCH_CONCURRENCY: usize = 8;

impl Pipeline {
    pub async fn export(
        &self,
        owner: &str,
        job: &Job,
        base_version: u64,
        format: ExportFormat,
        progress: &dyn Progress,
    ) -> Result<ExportArchive, PipelineError> {
        self.projects
            .get(owner, job.project_id)
            .await?
            .ok_or(PipelineError::ProjectGone)?;
        let version = self
            .versions
            .get(owner, job.project_id, base_version)
            .await?
            .ok_or(PipelineError::VersionGone(base_version))?;
        progress.report(Stage::Exporting, 10).await?;
        let mut page = version.page;
        // An exported page is hosted elsewhere: its form must post to the API's own address.
        if !self.public_api_url.is_empty() {
            let key = self.secrets.get(SecretName::CursorKey).await?;
            set_form_actions(
                &mut page,
                &form_address(&self.public_api_url, key.as_bytes(), job.project_id),
            );
        }
        let wanted = visions_export::pictures_of(&page);
        let total = wanted.len().max(1);
        let mut fetches = futures::stream::iter(wanted)
            .map(|picture| async move {
                let bytes = self.blobs.get(&picture.key).await;
                (picture, bytes)
            })
            .buffer_unordered(FETCH_CONCURRENCY);
        let mut copied: Vec<Picture> = Vec::new();
        let mut files: Vec<File> = Vec::new();
        let mut done = 0;
        while let Some((picture, bytes)) = fetches.next().await {
            done += 1;
            // A width that is gone is left out of its picture (see `localize`).
            if let Some(bytes) = bytes? {
                files.push(File {
                    path: picture.path.clone(),
                    bytes,
                });
                copied.push(picture);
            }
            if done % 4 == 0 {
                progress
                    .report(Stage::Exporting, (10 + 70 * done / total) as u8)
                    .await?;
            }
        }
        drop(fetches);
        // The same order whatever order the fetches finished in: the same zip every time.
        files.sort_by(|a, b| a.path.cmp(&b.path));
        visions_export::localize(&mut page, &copied);
        let bundle = visions_export::package(&page, format, files);
        let count = u32::try_from(bundle.files.len()).unwrap_or(u32::MAX);
        let name = format!("{}.zip", bundle.root);
        let zip = tokio::task::spawn_blocking(move || visions_export::zip(&bundle))
            .await
            .map_err(|e| PipelineError::Export(e.to_string()))?
            .map_err(|e| PipelineError::Export(e.to_string()))?;
        progress.report(Stage::Storing, 95).await?;
        // An unguessable folder: the zip is served like the pages, by address.
        let key = format!(
            "exports/{}/{}/{name}",
            job.project_id.simple(),
            Uuid::new_v4().simple()
        );
        let bytes = zip.len() as u64;
        self.blobs.put(&key, zip, "application/zip").await?;
        Ok(ExportArchive {
            key,
            bytes,
            files: count,
        })
    }
}
