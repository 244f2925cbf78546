//! Jobs and idempotency keys in DynamoDB.
//!
//! A job item holds the job as JSON (`doc`) plus `lease_owner`, `lease_until` (ms) and `rev`,
//! a counter every write bumps: a claim is a read followed by a put conditioned on the `rev`
//! it read, so two workers can never both win.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use uuid::Uuid;

use visions_domain::clock::now_millis;
use visions_domain::job::Job;
use visions_domain::ports::{Claim, Created, Idempotency, JobStore, StoreError};

use super::{backend, condition_failed, item, n, record, s, user_pk};

/// Jobs and keys are kept 30 days, then DynamoDB's TTL removes them.
const RETENTION_SECS: i64 = 30 * 24 * 3600;

#[derive(Clone)]
pub struct DynamoJobStore {
    client: Client,
    table: String,
}

impl DynamoJobStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn key(owner: &str, sk: String) -> HashMap<String, AttributeValue> {
        HashMap::from([("PK".to_owned(), user_pk(owner)), ("SK".to_owned(), s(sk))])
    }

    async fn read(&self, owner: &str, id: Uuid) -> Result<Option<StoredJob>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(owner, format!("JOB#{id}"))))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(StoredJob::from_item).transpose()
    }

    fn job_item(
        owner: &str,
        job: &Job,
        lease: Option<(&str, i64)>,
        rev: i64,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item = item(user_pk(owner), s(format!("JOB#{}", job.id)), "job", job)?;
        // Lets a project's deletion find its jobs.
        item.insert("project_id".into(), s(job.project_id.to_string()));
        item.insert("rev".into(), n(rev));
        item.insert(
            "expires_at".into(),
            n(job.created_at.unix_timestamp() + RETENTION_SECS),
        );
        if let Some((worker, until)) = lease {
            item.insert("lease_owner".into(), s(worker));
            item.insert("lease_until".into(), n(until));
        }
        Ok(item)
    }

    async fn put_if_rev(
        &self,
        item: HashMap<String, AttributeValue>,
        rev: i64,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("rev = :rev")
            .expression_attribute_values(":rev", n(rev))
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::VersionConflict))?;
        Ok(())
    }
}

struct StoredJob {
    job: Job,
    lease_owner: Option<String>,
    lease_until: i64,
    rev: i64,
}

impl StoredJob {
    fn from_item(item: HashMap<String, AttributeValue>) -> Result<Self, StoreError> {
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        let number = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
        };
        Ok(Self {
            job: record(&item)?,
            lease_owner: text("lease_owner"),
            lease_until: number("lease_until").unwrap_or(0),
            rev: number("rev").unwrap_or(0),
        })
    }
}

/// Tries of the job-and-key transaction when DynamoDB reports a conflicting transaction.
const IDEMPOTENCY_ATTEMPTS: u32 = 5;

/// Whether a cancelled transaction names `code` among its cancellation reasons.
fn cancellation_has<R>(
    err: &aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, R>,
    code: &str,
) -> bool {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
            .cancellation_reasons()
            .iter()
            .any(|reason| reason.code() == Some(code)),
        _ => false,
    }
}

#[async_trait::async_trait]
impl JobStore for DynamoJobStore {
    async fn create(
        &self,
        owner: &str,
        job: &Job,
        idempotency: &Idempotency,
    ) -> Result<Created, StoreError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut key_item = Self::key(owner, format!("IDEMPOTENCY#{}", idempotency.key));
        key_item.insert("entity".into(), s("idempotency"));
        key_item.insert("fingerprint".into(), s(&idempotency.fingerprint));
        key_item.insert("job_id".into(), s(job.id.to_string()));
        key_item.insert("project_id".into(), s(job.project_id.to_string()));
        key_item.insert(
            "expires_at".into(),
            n(now + idempotency.ttl.as_secs() as i64),
        );
        let put_job = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::job_item(owner, job, None, 1)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Backend(e.into()))?;
        // An expired key may be reused (TTL deletion lags by up to days).
        let put_key = Put::builder()
            .table_name(&self.table)
            .set_item(Some(key_item))
            .condition_expression("attribute_not_exists(PK) OR expires_at < :now")
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(|e| StoreError::Backend(e.into()))?;
        let items = [
            TransactWriteItem::builder().put(put_job).build(),
            TransactWriteItem::builder().put(put_key).build(),
        ];
        // Two requests with the same key at once: DynamoDB cancels one with
        // `TransactionConflict`. Retry it briefly; by then the other has either written the key
        // (answered below as a replay) or given up.
        let mut attempt = 0u32;
        let result = loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.to_vec()))
                .send()
                .await;
            attempt += 1;
            let conflict = result
                .as_ref()
                .err()
                .is_some_and(|err| cancellation_has(err, "TransactionConflict"));
            if !conflict || attempt >= IDEMPOTENCY_ATTEMPTS {
                break result;
            }
            let ceiling = 20u64.saturating_mul(1 << attempt);
            tokio::time::sleep(Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))).await;
        };
        match result {
            Ok(_) => Ok(Created::New(job.clone())),
            Err(err) => {
                let key_taken = cancellation_has(&err, "ConditionalCheckFailed")
                    || cancellation_has(&err, "TransactionConflict");
                if !key_taken {
                    return Err(backend(err));
                }
                let earlier = self
                    .client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(
                        owner,
                        format!("IDEMPOTENCY#{}", idempotency.key),
                    )))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(backend)?
                    .item
                    .ok_or_else(|| {
                        StoreError::Backend(anyhow::anyhow!(
                            "idempotency key still contended after {IDEMPOTENCY_ATTEMPTS} attempts"
                        ))
                    })?;
                let field = |name: &str| {
                    earlier
                        .get(name)
                        .and_then(|v| v.as_s().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                if field("fingerprint") != idempotency.fingerprint {
                    return Ok(Created::KeyReused);
                }
                let job_id =
                    Uuid::parse_str(&field("job_id")).map_err(|e| StoreError::Backend(e.into()))?;
                let stored = self
                    .read(owner, job_id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                Ok(Created::Existing(stored.job))
            }
        }
    }

    async fn get_with_lease(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Option<(Job, Option<i64>)>, StoreError> {
        Ok(self.read(owner, id).await?.map(|stored| {
            let lease = Some(stored.lease_until).filter(|until| *until > 0);
            (stored.job, lease)
        }))
    }

    async fn claim(
        &self,
        owner: &str,
        id: Uuid,
        worker: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let Some(stored) = self.read(owner, id).await? else {
            return Ok(Claim::Missing);
        };
        let now = now_millis();
        let job = match stored.job.take(Some(stored.lease_until), now) {
            Claim::Claimed(job) => job,
            other => return Ok(other),
        };
        let item = Self::job_item(
            owner,
            &job,
            Some((worker, now + lease.as_millis() as i64)),
            stored.rev + 1,
        )?;
        match self.put_if_rev(item, stored.rev).await {
            Ok(()) => Ok(Claim::Claimed(job)),
            // Another worker claimed it between our read and write.
            Err(StoreError::VersionConflict) => Ok(Claim::Busy),
            Err(err) => Err(err),
        }
    }

    async fn save(
        &self,
        owner: &str,
        job: &Job,
        worker: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let stored = self
            .read(owner, job.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if stored.lease_owner.as_deref() != Some(worker) {
            return Err(StoreError::VersionConflict);
        }
        let lease =
            (!job.status.is_final()).then(|| (worker, now_millis() + lease.as_millis() as i64));
        self.put_if_rev(
            Self::job_item(owner, job, lease, stored.rev + 1)?,
            stored.rev,
        )
        .await
    }

    async fn release(&self, owner: &str, id: Uuid, worker: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(owner, format!("JOB#{id}"))))
            .update_expression("SET lease_until = :zero, rev = rev + :one")
            .condition_expression("lease_owner = :worker")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":worker", s(worker))
            .send()
            .await;
        match result.map_err(|err| condition_failed(err, StoreError::VersionConflict)) {
            Ok(_) | Err(StoreError::VersionConflict) => Ok(()),
            Err(err) => Err(err),
        }
    }

    async fn delete_project(&self, owner: &str, project_id: Uuid) -> Result<(), StoreError> {
        let project = project_id.to_string();
        for prefix in ["IDEMPOTENCY#", "JOB#"] {
            super::delete_all(
                &self.client,
                &self.table,
                super::user_pk(owner),
                prefix,
                Some(("project_id", &project)),
            )
            .await?;
        }
        Ok(())
    }
}
