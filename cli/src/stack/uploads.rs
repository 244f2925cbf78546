//! `POST /v1/uploads/{token}` on the local server: what S3 does with a presigned POST on AWS.
//! It takes the same form (the signed fields, then the file), refuses what the signed grant
//! does not allow (another key or type, an empty or larger file, an expired URL), stores the
//! original privately and runs the optimize stage on it, as S3's notification does on AWS.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use time::OffsetDateTime;

use visions_api::problem::{Problem, ProblemKind};
use visions_domain::asset::{MAX_UPLOAD_BYTES, UploadGrant};
use visions_domain::ports::{SecretName, SecretStore};

/// The form's fields and the largest file.
pub const MAX_FORM_BYTES: usize = MAX_UPLOAD_BYTES as usize + 64 * 1024;
const MAX_FIELD_BYTES: usize = 8 * 1024;

#[derive(Clone)]
pub struct Receiver {
    pub secrets: Arc<dyn SecretStore>,
    pub optimize: Arc<visions_optimize::Ports>,
}

fn refused(detail: &str) -> Problem {
    Problem::new(ProblemKind::Forbidden).detail(detail.to_owned())
}

pub async fn receive(
    State(receiver): State<Receiver>,
    Path(token): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<StatusCode, Problem> {
    let secret = receiver
        .secrets
        .get(SecretName::CursorKey)
        .await
        .map_err(Problem::internal)?;
    let grant = UploadGrant::verify(secret.as_bytes(), &token, OffsetDateTime::now_utc())
        .ok_or_else(|| refused("the upload URL is invalid or has expired; ask for a new one"))?;
    let mut form = form.map_err(|e| {
        Problem::new(ProblemKind::UnsupportedMediaType)
            .detail(format!("send multipart/form-data: {e}"))
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        Problem::new(ProblemKind::InvalidBody).detail(e.body_text())
    };
    let mut fields = BTreeMap::new();
    let mut file = None;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        let cap = if name == "file" {
            grant.max_bytes as usize
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > cap {
                return Err(Problem::new(ProblemKind::PayloadTooLarge).detail(format!(
                    "{name} is larger than the {cap} bytes this upload allows"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "file" {
            // As S3: the file is the last field; anything after it is ignored.
            file = Some(bytes);
            break;
        }
        fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
    }
    if fields.get("key") != Some(&grant.key)
        || fields.get("Content-Type") != Some(&grant.content_type)
    {
        return Err(refused(
            "the form's key or Content-Type is not the one this upload was signed for",
        ));
    }
    let file = file.filter(|f| !f.is_empty()).ok_or_else(|| {
        Problem::new(ProblemKind::InvalidBody)
            .detail("the form has no file (a non-empty field named `file`, last)")
    })?;
    receiver
        .optimize
        .originals
        .put(&grant.key, file, &grant.content_type)
        .await?;
    visions_optimize::optimize_original(&receiver.optimize, &grant.key)
        .await
        .map_err(|e| Problem::internal(e.0))?;
    Ok(StatusCode::NO_CONTENT)
}
