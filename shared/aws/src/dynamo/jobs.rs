//! Jobs and idempotency keys in DynamoDB.
//!
//! A job item holds the job as JSON (`doc`) plus `lease_owner`, `lease_until` (ms) and `rev`,
//! a counter every write bumps: a claim is a read followed by a put conditioned on the `rev`
//! it read, so two workers can never both win.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use uuid::Uuid;

use visions_domain::clock::now_millis;
use visions_domain::job::Job;
use visions_domain::ports::{Claim, Created, Idempotency, JobStore, StoreError};

use super::credits::{ATTEMPTS, Cancelled, DynamoCreditStore, HoldCancelled, backoff};
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

    /// The answer to a request whose idempotency key was taken: the earlier job when the request
    /// is the same, `KeyReused` otherwise.
    async fn replay(&self, owner: &str, idempotency: &Idempotency) -> Result<Created, StoreError> {
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
                    "idempotency key still contended after {ATTEMPTS} attempts"
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
        let job_items = [
            TransactWriteItem::builder().put(put_job).build(),
            TransactWriteItem::builder().put(put_key).build(),
        ];
        // The job's hold rides in the same transaction: the job is stored with its hold or not
        // at all. Two requests at once (the same key, or the same account) make DynamoDB cancel
        // one with `TransactionConflict`, or fail the account's condition on the balance it
        // read: build the writes again from a fresh read and retry briefly.
        let credits = DynamoCreditStore::new(self.client.clone(), &self.table);
        let hold = job.hold();
        let mut key_taken = false;
        for attempt in 0..ATTEMPTS {
            backoff(attempt).await;
            let hold_writes = match &hold {
                Some(hold) => Some(credits.hold_writes(owner, hold).await?),
                None => None,
            };
            let mut items = job_items.to_vec();
            if let Some(writes) = &hold_writes {
                items.extend(writes.items.iter().cloned());
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(Created::New(job.clone())),
                Err(err) => err,
            };
            let Some(cancelled) = Cancelled::of(&err) else {
                return Err(backend(err));
            };
            // The key was taken first: whatever else failed, this is a replay (a retried
            // request is never refused for credits its first attempt already held).
            if cancelled.failed(1) {
                key_taken = true;
                break;
            }
            if cancelled.conflict_in(0..2) {
                key_taken = true;
                continue;
            }
            match hold_writes.and_then(|writes| writes.cancelled(&cancelled, job_items.len())) {
                Some(HoldCancelled::Retry) => continue,
                Some(HoldCancelled::Refused(refused)) => return Err(refused),
                None => return Err(backend(err)),
            }
        }
        if !key_taken {
            return Err(StoreError::Backend(anyhow::anyhow!(
                "the job's credit account is still contended after {ATTEMPTS} attempts"
            )));
        }
        self.replay(owner, idempotency).await
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
