//! The optimize function: an upload's `ObjectCreated` notification, delivered by S3 to SQS,
//! becomes the asset's responsive WebP widths on the CDN. The key names the owner and the
//! asset (`visions_domain::asset::original_key`); the bytes decide what the file is.
//!
//! A file that is not a usable image fails its asset with the reason and the message is done;
//! only a storage failure reports the message for another delivery (`ReportBatchItemFailures`).
//! A redelivered message for an asset that is already ready does nothing.

pub mod lambda;

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::FutureExt;
use time::OffsetDateTime;

use visions_assets::{AssetFailure, Studio};
use visions_domain::asset::{Asset, AssetStatus, AssetStore, parse_original_key};
use visions_domain::credits::{Settlement, UsageEvent, UsageEvents};
use visions_domain::ports::{BlobStore, StoreError};
use visions_metering::Metering;

pub struct Ports {
    pub assets: Arc<dyn AssetStore>,
    /// Uploaded originals (private).
    pub originals: Arc<dyn BlobStore>,
    pub studio: Arc<Studio>,
    /// What an optimized upload costs (the hold placed when its form was signed).
    pub metering: Arc<Metering>,
    /// Where the upload's settlement goes (the meter's queue).
    pub usage: Arc<dyn UsageEvents>,
}

/// A failure worth another delivery.
#[derive(Debug)]
pub struct Transient(pub String);

impl From<StoreError> for Transient {
    fn from(error: StoreError) -> Self {
        Transient(error.to_string())
    }
}

/// Every message of the batch; the response lists only those to deliver again. A panic while
/// handling one fails that message only.
pub async fn handle_batch(ports: &Ports, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let outcome = std::panic::AssertUnwindSafe(handle_message(ports, message.body.as_deref()))
            .catch_unwind()
            .await;
        let failed = match outcome {
            Ok(Ok(())) => false,
            Ok(Err(Transient(reason))) => {
                tracing::warn!(message_id = %id, %reason, "upload not optimized; it will be delivered again");
                true
            }
            Err(_) => {
                tracing::error!(message_id = %id, "optimizing an upload panicked");
                true
            }
        };
        if failed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn handle_message(ports: &Ports, body: Option<&str>) -> Result<(), Transient> {
    let Some(body) = body else {
        tracing::warn!("an empty message");
        return Ok(());
    };
    // S3 sends `s3:TestEvent` when the notification is set up; it names no object.
    let Ok(event) = serde_json::from_str::<Notification>(body) else {
        tracing::info!("a message that is not an S3 event notification is dropped");
        return Ok(());
    };
    for record in event.records {
        if !record.event_name.starts_with("ObjectCreated:") {
            continue;
        }
        optimize_original(ports, &notification_key(&record.s3.object.key)).await?;
    }
    Ok(())
}

/// The fields of an S3 event notification this function reads. Only these are required, so
/// a notification without the optional ones (`userIdentity`, `requestParameters`…) is read.
#[derive(serde::Deserialize)]
struct Notification {
    #[serde(rename = "Records")]
    records: Vec<NotificationRecord>,
}

#[derive(serde::Deserialize)]
struct NotificationRecord {
    #[serde(rename = "eventName")]
    event_name: String,
    s3: NotificationS3,
}

#[derive(serde::Deserialize)]
struct NotificationS3 {
    object: NotificationObject,
}

#[derive(serde::Deserialize)]
struct NotificationObject {
    key: String,
}

/// An S3 notification's key: URL-encoded, with spaces as `+`.
pub fn notification_key(raw: &str) -> String {
    percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Optimizes the upload at `key` into its asset's widths. The same code runs behind the local
/// server's upload URL.
pub async fn optimize_original(ports: &Ports, key: &str) -> Result<(), Transient> {
    let Some((owner, id)) = parse_original_key(key) else {
        tracing::warn!(%key, "an object that is not an upload is ignored");
        return Ok(());
    };
    let Some(mut asset) = ports.assets.get(&owner, id).await? else {
        tracing::warn!(asset_id = %id, "an upload without its asset is ignored");
        return Ok(());
    };
    if asset.status == AssetStatus::Ready {
        return settle(ports, &owner, &asset).await;
    }
    let made = match ports.originals.get(key).await? {
        None => Err(AssetFailure::Image("the uploaded file is gone".into())),
        Some(bytes) => ports.studio.optimize(bytes, id).await,
    };
    match made {
        Ok(picture) => {
            asset.status = AssetStatus::Ready;
            asset.picture = Some(picture);
            asset.failure = None;
        }
        Err(AssetFailure::Storage(reason)) => return Err(Transient(reason)),
        Err(failure) => {
            tracing::info!(asset_id = %id, %failure, "upload refused");
            asset.status = AssetStatus::Failed;
            asset.failure = Some(failure.to_string());
        }
    }
    asset.updated_at = OffsetDateTime::now_utc();
    ports.assets.save(&owner, &asset).await?;
    // Settled after the asset is saved: a failed send is retried with the message (the asset
    // is ready by then, so only the settlement is sent again).
    settle(ports, &owner, &asset).await
}

/// Sends the settlement of an upload's hold, if the price table makes uploads cost anything:
/// charged when the picture is ready, given back when the file was refused.
async fn settle(ports: &Ports, owner: &str, asset: &Asset) -> Result<(), Transient> {
    let price = ports.metering.prices.upload;
    if price == 0 {
        return Ok(());
    }
    let settlement = match asset.status {
        AssetStatus::Ready => Settlement::Settle {
            charged: price,
            description: "upload optimized".into(),
        },
        _ => Settlement::Release {
            reason: asset.failure.clone().unwrap_or_default(),
        },
    };
    let event = UsageEvent {
        owner: owner.to_owned(),
        reference: asset.id.to_string(),
        settlement,
    };
    Ok(ports.usage.emit(&event).await?)
}
