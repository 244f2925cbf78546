//! Credits in DynamoDB: each account, its holds and its ledger in the owner's partition.
//!
//! The account's `balance`, `held` and `tier` are typed attributes: every update sets them and
//! every read returns them (`doc` keeps the account as opened, for `created_at`). Every change
//! is one transaction computed from a consistent read of the account: it writes the new
//! `balance` and `held` on condition that both are still what was read, together with the
//! ledger entry recording them, so an entry's `balance` is exact. A transaction that lost a
//! race is computed again from a fresh read.
//!
//! Settling a hold deletes it and leaves a `SETTLED#{reference}` marker that taking a hold
//! checks, so a reference is held once, ever.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update,
};
use time::OffsetDateTime;
use uuid::Uuid;

use visions_domain::credits::{
    Account, Adjusted, CreditStore, DayTotal, EntryKind, Hold, LedgerEntry, Settlement, day_totals,
    settlement_amounts, signed,
};
use visions_domain::ports::StoreError;
use visions_domain::tier::Tier;

use super::{backend, condition_failed, item, n, record, s, user_pk};

type Item = HashMap<String, AttributeValue>;

const ACCOUNT: &str = "ACCOUNT";
const LEDGER: &str = "LEDGER#";

/// Tries of a transaction that lost a race for the account: each loss means another change
/// won, so a burst of N concurrent holds costs a loser at most N tries.
pub(crate) const ATTEMPTS: u32 = 12;

/// The reason code DynamoDB gives an item whose condition failed.
const CONDITION_FAILED: &str = "ConditionalCheckFailed";

#[derive(Clone)]
pub struct DynamoCreditStore {
    client: Client,
    table: String,
}

fn key(owner: &str, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_owned(), user_pk(owner)), ("SK".to_owned(), s(sk))])
}

fn invalid(what: &str) -> StoreError {
    StoreError::Backend(anyhow::anyhow!("a credits item with {what}"))
}

fn built<T, E: std::error::Error + Send + Sync + 'static>(
    result: Result<T, E>,
) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Backend(e.into()))
}

fn whole(item: &Item, name: &str) -> Result<u64, StoreError> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| invalid(&format!("no whole number in `{name}`")))
}

/// The account an item holds: its typed attributes over the `doc` written when it opened.
fn account_of(item: &Item) -> Result<Account, StoreError> {
    let mut account: Account = record(item)?;
    account.balance = whole(item, "balance")?;
    account.held = whole(item, "held")?;
    let tier = item
        .get("tier")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| invalid("no `tier`"))?;
    account.tier = serde_json::from_value(serde_json::Value::String(tier.clone()))
        .map_err(|_| invalid(&format!("the unknown tier `{tier}`")))?;
    Ok(account)
}

/// The smallest ledger sort key of an entry created at or after `at`: a UUIDv7 starts with
/// its millisecond timestamp in 12 hex digits (`xxxxxxxx-xxxx`).
fn ledger_bound(at: OffsetDateTime) -> String {
    let ms = at.unix_timestamp_nanos() / 1_000_000;
    let ms = u64::try_from(ms.clamp(0, (1 << 48) - 1)).unwrap_or(0);
    format!("{LEDGER}{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

/// Sleeps before retry `attempt` (none before the first), longer and jittered each time, up
/// to 640 ms.
pub(crate) async fn backoff(attempt: u32) {
    if attempt > 0 {
        let ceiling = 10u64.saturating_mul(1 << attempt.min(6));
        tokio::time::sleep(Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))).await;
    }
}

fn contended() -> StoreError {
    StoreError::Backend(anyhow::anyhow!(
        "the credit account is still contended after {ATTEMPTS} attempts"
    ))
}

/// Why DynamoDB cancelled a transaction: each item's reason code, in the order written.
pub(crate) struct Cancelled(Vec<String>);

impl Cancelled {
    /// The reasons of a cancelled transaction; `None` for any other error.
    pub(crate) fn of<R>(err: &SdkError<TransactWriteItemsError, R>) -> Option<Self> {
        match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => Some(Self(
                cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| reason.code().unwrap_or("None").to_owned())
                    .collect(),
            )),
            _ => None,
        }
    }

    /// Whether the condition of the item at `at` failed.
    pub(crate) fn failed(&self, at: usize) -> bool {
        self.0.get(at).is_some_and(|code| code == CONDITION_FAILED)
    }

    /// Whether another transaction on one of the items at `range` was in flight.
    pub(crate) fn conflict_in(&self, range: std::ops::Range<usize>) -> bool {
        self.0
            .get(range)
            .is_some_and(|codes| codes.iter().any(|code| code == "TransactionConflict"))
    }

    fn conflict(&self) -> bool {
        self.conflict_in(0..self.0.len())
    }

    fn into_error(self) -> StoreError {
        StoreError::Backend(anyhow::anyhow!(
            "credits transaction cancelled: {}",
            self.0.join(", ")
        ))
    }
}

/// The writes that take a hold, for a transaction of the caller's: `DynamoJobStore::create`
/// adds them to its job and idempotency key so a job is stored with its hold or not at all.
pub(crate) struct HoldWrites {
    /// [`HOLD_WRITES`] items, in this order: the account update (conditioned on the account as
    /// read, and on its balance covering the hold), the hold put (the reference never held),
    /// the check that the reference was never settled, the ledger entry put.
    pub(crate) items: Vec<TransactWriteItem>,
    /// The account once the transaction succeeds.
    pub(crate) account: Account,
    /// The balance the account update is conditioned on.
    pub(crate) seen: u64,
    cost: u64,
}

/// How many items [`HoldWrites::items`] has.
pub(crate) const HOLD_WRITES: usize = 4;

/// What a cancelled transaction means for the hold it carried.
pub(crate) enum HoldCancelled {
    /// The account changed since it was read, or another transaction was on these items: build
    /// the writes again (a fresh read) and retry.
    Retry,
    /// Refused for good: `AlreadyExists` or `InsufficientCredits`.
    Refused(StoreError),
}

impl HoldWrites {
    /// What `cancelled` means for the hold, whose items the transaction carried from index
    /// `offset` on; `None` when they are not why it was cancelled.
    pub(crate) fn cancelled(&self, cancelled: &Cancelled, offset: usize) -> Option<HoldCancelled> {
        if cancelled.failed(offset + 1) || cancelled.failed(offset + 2) {
            return Some(HoldCancelled::Refused(StoreError::AlreadyExists));
        }
        if cancelled.failed(offset) {
            // A balance short of the cost as read fails the condition whatever else happened.
            return Some(if self.seen < self.cost {
                HoldCancelled::Refused(StoreError::InsufficientCredits {
                    balance: self.seen,
                    cost: self.cost,
                })
            } else {
                HoldCancelled::Retry
            });
        }
        cancelled
            .conflict_in(offset..offset + HOLD_WRITES)
            .then_some(HoldCancelled::Retry)
    }
}

impl DynamoCreditStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn get(&self, owner: &str, sk: String) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(output.item)
    }

    async fn read_account(&self, owner: &str) -> Result<Option<Account>, StoreError> {
        self.get(owner, ACCOUNT.to_owned())
            .await?
            .as_ref()
            .map(account_of)
            .transpose()
    }

    /// Runs one transaction: `Ok(Err(_))` when DynamoDB cancelled it, with its reasons.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Cancelled>, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Ok(())),
            Err(err) => match Cancelled::of(&err) {
                Some(cancelled) => Ok(Err(cancelled)),
                None => Err(backend(err)),
            },
        }
    }

    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_condition_expression(condition.map(str::to_owned))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A put of `entry` into the owner's ledger.
    fn ledger_put(
        &self,
        owner: &str,
        entry: &LedgerEntry,
    ) -> Result<TransactWriteItem, StoreError> {
        let sk = s(format!("{LEDGER}{}", entry.id));
        self.put(item(user_pk(owner), sk, "ledger", entry)?, None)
    }

    /// Writes `after`'s balance and held on condition that the account is still `seen` (and,
    /// with `cost`, that its balance covers it).
    fn account_update(
        &self,
        owner: &str,
        seen: &Account,
        after: &Account,
        cost: Option<u64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut condition = "#balance = :seen_balance AND #held = :seen_held".to_owned();
        let mut values = HashMap::from([
            (":balance".to_owned(), n(after.balance)),
            (":held".to_owned(), n(after.held)),
            (":seen_balance".to_owned(), n(seen.balance)),
            (":seen_held".to_owned(), n(seen.held)),
        ]);
        if let Some(cost) = cost {
            condition.push_str(" AND #balance >= :cost");
            values.insert(":cost".to_owned(), n(cost));
        }
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(owner, ACCOUNT)))
                .update_expression("SET #balance = :balance, #held = :held")
                .condition_expression(condition)
                .expression_attribute_names("#balance", "balance")
                .expression_attribute_names("#held", "held")
                .set_expression_attribute_values(Some(values))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The writes that take `hold` from the owner's account as it is now (a consistent read):
    /// `NotFound` without an account. A balance short of the cost is found when the
    /// transaction is cancelled ([`HoldWrites::cancelled`]), so that a reference already held
    /// is still told apart.
    pub(crate) async fn hold_writes(
        &self,
        owner: &str,
        hold: &Hold,
    ) -> Result<HoldWrites, StoreError> {
        let seen = self
            .read_account(owner)
            .await?
            .ok_or(StoreError::NotFound)?;
        let after = Account {
            balance: seen.balance.saturating_sub(hold.amount),
            held: seen.held.saturating_add(hold.amount),
            ..seen.clone()
        };
        let entry = LedgerEntry::new(
            EntryKind::Hold,
            -signed(hold.amount),
            after.balance,
            &hold.reference,
            &hold.description,
        );
        let sk = s(format!("HOLD#{}", hold.reference));
        let mut hold_item = item(user_pk(owner), sk, "hold", hold)?;
        hold_item.insert("amount".into(), n(hold.amount));
        // Not `expires_at`: the table's TTL would delete the hold without giving it back.
        if let Some(at) = hold.expires_at {
            hold_item.insert("hold_expires_at".into(), n(at.unix_timestamp()));
        }
        let never_settled = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(owner, format!("SETTLED#{}", hold.reference))))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        let items = vec![
            self.account_update(owner, &seen, &after, Some(hold.amount))?,
            self.put(hold_item, Some("attribute_not_exists(PK)"))?,
            TransactWriteItem::builder()
                .condition_check(never_settled)
                .build(),
            self.ledger_put(owner, &entry)?,
        ];
        Ok(HoldWrites {
            items,
            account: after,
            seen: seen.balance,
            cost: hold.amount,
        })
    }

    /// Every ledger item of the owner with a sort key in `[lo, hi]`, in `forward` order.
    fn ledger_query(
        &self,
        owner: &str,
        lo: String,
        hi: String,
        forward: bool,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", user_pk(owner))
            .expression_attribute_values(":lo", s(lo))
            .expression_attribute_values(":hi", s(hi))
            .scan_index_forward(forward)
            .consistent_read(true)
    }
}

#[async_trait::async_trait]
impl CreditStore for DynamoCreditStore {
    async fn open(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError> {
        for attempt in 0..ATTEMPTS {
            backoff(attempt).await;
            if let Some(account) = self.read_account(owner).await? {
                return Ok(account);
            }
            let account = Account {
                tier,
                balance: grant,
                held: 0,
                created_at: OffsetDateTime::now_utc(),
            };
            let mut account_item = item(user_pk(owner), s(ACCOUNT), "account", &account)?;
            account_item.insert("balance".into(), n(grant));
            account_item.insert("held".into(), n(0));
            account_item.insert("tier".into(), s(tier.as_str()));
            let mut items = vec![self.put(account_item, Some("attribute_not_exists(PK)"))?];
            if grant > 0 {
                let entry = LedgerEntry::signup(grant, tier);
                items.push(self.ledger_put(owner, &entry)?);
            }
            match self.transact(items).await? {
                Ok(()) => return Ok(account),
                // Opened concurrently: the next round reads it.
                Err(cancelled) if cancelled.failed(0) || cancelled.conflict() => {}
                Err(cancelled) => return Err(cancelled.into_error()),
            }
        }
        Err(contended())
    }

    async fn account(&self, owner: &str) -> Result<Option<Account>, StoreError> {
        self.read_account(owner).await
    }

    async fn holds(&self, owner: &str) -> Result<Vec<Hold>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", user_pk(owner))
            .expression_attribute_values(":prefix", s("HOLD#"))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
        let mut holds = items.iter().map(record).collect::<Result<Vec<Hold>, _>>()?;
        holds.sort_by_key(|hold| hold.created_at);
        Ok(holds)
    }

    async fn hold(&self, owner: &str, hold: &Hold) -> Result<Account, StoreError> {
        for attempt in 0..ATTEMPTS {
            backoff(attempt).await;
            let mut writes = self.hold_writes(owner, hold).await?;
            match self.transact(std::mem::take(&mut writes.items)).await? {
                Ok(()) => return Ok(writes.account),
                Err(cancelled) => match writes.cancelled(&cancelled, 0) {
                    Some(HoldCancelled::Retry) => {}
                    Some(HoldCancelled::Refused(err)) => return Err(err),
                    None => return Err(cancelled.into_error()),
                },
            }
        }
        Err(contended())
    }

    async fn settle(
        &self,
        owner: &str,
        reference: &str,
        settlement: &Settlement,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        for attempt in 0..ATTEMPTS {
            backoff(attempt).await;
            let Some(hold_item) = self.get(owner, format!("HOLD#{reference}")).await? else {
                return Ok(None);
            };
            let hold: Hold = record(&hold_item)?;
            let seen = self
                .read_account(owner)
                .await?
                .ok_or(StoreError::NotFound)?;
            let (back, _) = settlement_amounts(hold.amount, settlement);
            let after = Account {
                balance: seen.balance.saturating_add(back),
                held: seen.held.saturating_sub(hold.amount),
                ..seen.clone()
            };
            let entry = LedgerEntry::settled(&hold, settlement, after.balance);
            let delete = built(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(owner, format!("HOLD#{reference}"))))
                    .condition_expression("attribute_exists(PK)")
                    .build(),
            )?;
            let mut settled = key(owner, format!("SETTLED#{reference}"));
            settled.insert("entity".into(), s("settled"));
            settled.insert("ledger_id".into(), s(entry.id.to_string()));
            let items = vec![
                TransactWriteItem::builder().delete(delete).build(),
                self.put(settled, None)?,
                self.account_update(owner, &seen, &after, None)?,
                self.ledger_put(owner, &entry)?,
            ];
            match self.transact(items).await? {
                Ok(()) => return Ok(Some(entry)),
                // Settled concurrently (a redelivered event).
                Err(cancelled) if cancelled.failed(0) => return Ok(None),
                Err(cancelled) if cancelled.failed(2) || cancelled.conflict() => {}
                Err(cancelled) => return Err(cancelled.into_error()),
            }
        }
        Err(contended())
    }

    async fn adjust(
        &self,
        owner: &str,
        operation: &str,
        amount: i64,
        description: &str,
        tier_if_new: Tier,
    ) -> Result<Adjusted, StoreError> {
        let mut opened = Some(self.open(owner, tier_if_new, 0).await?);
        for attempt in 0..ATTEMPTS {
            backoff(attempt).await;
            let seen = match opened.take() {
                Some(account) => account,
                None => self
                    .read_account(owner)
                    .await?
                    .ok_or(StoreError::NotFound)?,
            };
            // Removing more than the balance empties it.
            let applied = amount.max(-signed(seen.balance));
            let after = Account {
                balance: seen.balance.saturating_add_signed(applied),
                ..seen.clone()
            };
            let entry = LedgerEntry::new(
                EntryKind::Adjustment,
                applied,
                after.balance,
                operation,
                description,
            );
            let mut op = key(owner, format!("OP#{operation}"));
            op.insert("entity".into(), s("operation"));
            op.insert("ledger_id".into(), s(entry.id.to_string()));
            let items = vec![
                self.put(op, Some("attribute_not_exists(PK)"))?,
                self.account_update(owner, &seen, &after, None)?,
                self.ledger_put(owner, &entry)?,
            ];
            match self.transact(items).await? {
                Ok(()) => return Ok(Adjusted::Applied(after)),
                Err(cancelled) if cancelled.failed(0) => {
                    let account = self.read_account(owner).await?;
                    return Ok(Adjusted::Repeated(account.ok_or(StoreError::NotFound)?));
                }
                Err(cancelled) if cancelled.failed(1) || cancelled.conflict() => {}
                Err(cancelled) => return Err(cancelled.into_error()),
            }
        }
        Err(contended())
    }

    async fn set_tier(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError> {
        let account = self.open(owner, tier, grant).await?;
        if account.tier == tier {
            return Ok(account);
        }
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(owner, ACCOUNT)))
            .update_expression("SET #tier = :tier")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#tier", "tier")
            .expression_attribute_values(":tier", s(tier.as_str()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|err| condition_failed(err, StoreError::NotFound))?;
        output
            .attributes
            .as_ref()
            .map(account_of)
            .ok_or(StoreError::NotFound)?
    }

    async fn ledger(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let lo = ledger_bound(from);
        // Inclusive: no entry's key is a bare bound, and the `before` entry is skipped below.
        let mut hi = ledger_bound(to);
        if let Some(before) = before {
            hi = hi.min(format!("{LEDGER}{before}"));
        }
        if limit == 0 || lo > hi {
            return Ok(Vec::new());
        }
        let page = i32::try_from(limit.saturating_add(1))
            .unwrap_or(i32::MAX)
            .min(1000);
        let mut items = self
            .ledger_query(owner, lo, hi, false)
            .limit(page)
            .into_paginator()
            .items()
            .send();
        let mut entries = Vec::new();
        while entries.len() < limit {
            let Some(item) = items.try_next().await.map_err(backend)? else {
                break;
            };
            let entry: LedgerEntry = record(&item)?;
            if Some(entry.id) != before {
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    async fn daily(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<DayTotal>, StoreError> {
        let (lo, hi) = (ledger_bound(from), ledger_bound(to));
        if lo > hi {
            return Ok(Vec::new());
        }
        let items: Vec<Item> = self
            .ledger_query(owner, lo, hi, true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
        let entries = items
            .iter()
            .map(record::<LedgerEntry>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(day_totals(entries.iter()))
    }
}
