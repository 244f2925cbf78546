//! Credits: each user's balance, the ledger that explains every change of it, and the holds
//! that reserve credits for work in progress.
//!
//! The rules every store keeps, each in one transaction:
//! - the balance never goes below zero: a hold or charge larger than it is refused;
//! - an operation is applied once: a hold is keyed by what it pays for (a job or asset id), a
//!   settlement deletes its hold (a second finds none), an adjustment is keyed by its id;
//! - at every moment `balance` equals the sum of the ledger's amounts.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ports::StoreError;
use crate::tier::Tier;

/// A user's account: their tier and what they can spend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub tier: Tier,
    /// Credits available to spend (holds already taken out).
    pub balance: u64,
    /// Credits reserved by open holds.
    pub held: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Credits granted when the account was opened.
    Signup,
    /// Credits reserved for work that has started.
    Hold,
    /// Held work finished: its cost is charged, the rest of the hold returned.
    Settle,
    /// Held work failed or was never done: the whole hold returned.
    Release,
    /// Credits added or removed by an administrator.
    Adjustment,
}

/// One change of a balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntry {
    /// UUIDv7: entries sort by time.
    pub id: Uuid,
    pub kind: EntryKind,
    /// The change of the available balance (a hold is negative, its settlement gives back
    /// what was not spent).
    pub amount: i64,
    /// The available balance after this entry.
    pub balance: u64,
    /// What the work finally cost (settlements only).
    #[serde(default)]
    pub charged: u64,
    /// What the entry is about: a job or asset id, or an adjustment's operation id.
    pub reference: String,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl LedgerEntry {
    pub fn new(
        kind: EntryKind,
        amount: i64,
        balance: u64,
        reference: &str,
        description: &str,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            kind,
            amount,
            balance,
            charged: 0,
            reference: reference.to_owned(),
            description: description.to_owned(),
            created_at: OffsetDateTime::now_utc(),
        }
    }
}

impl LedgerEntry {
    /// The signup grant of an account opened on `tier`.
    pub fn signup(grant: u64, tier: Tier) -> Self {
        Self::new(
            EntryKind::Signup,
            signed(grant),
            grant,
            "signup",
            &format!("{grant} credits granted with the {} tier", tier.as_str()),
        )
    }

    /// The end of `hold` by `settlement`, leaving `balance` available; with the amount it gives
    /// back and the amount it charges (see [`settlement_amounts`]).
    pub fn settled(hold: &Hold, settlement: &Settlement, balance: u64) -> Self {
        let (back, charged) = settlement_amounts(hold.amount, settlement);
        let kind = match settlement {
            Settlement::Settle { .. } => EntryKind::Settle,
            Settlement::Release { .. } => EntryKind::Release,
        };
        let mut entry = Self::new(
            kind,
            signed(back),
            balance,
            &hold.reference,
            &settlement_description(hold, settlement),
        );
        entry.charged = charged;
        entry
    }
}

/// Credits reserved for one piece of work until it is settled or released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Hold {
    /// The work it pays for (a job or asset id); one hold per reference, ever.
    pub reference: String,
    pub amount: u64,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When an unsettled hold is given back. Jobs have none: their worker settles or releases
    /// them however they end; a synchronous request's hold outlives it only if it crashed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
}

impl Hold {
    pub fn new(reference: impl Into<String>, amount: u64, description: impl Into<String>) -> Self {
        Self {
            reference: reference.into(),
            amount,
            description: description.into(),
            created_at: OffsetDateTime::now_utc(),
            expires_at: None,
        }
    }
}

/// How held work ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Settlement {
    /// Done: `charged` (at most the hold) is spent, the rest returned.
    Settle { charged: u64, description: String },
    /// Not done: everything returned.
    Release { reason: String },
}

/// What a stage reports once work it held credits for has ended: the meter settles the hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    pub owner: String,
    /// The hold's reference.
    pub reference: String,
    #[serde(flatten)]
    pub settlement: Settlement,
}

/// Credits spent and granted on one day (UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DayTotal {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Credits charged by settlements that day.
    pub charged: u64,
    /// Credits added that day (signup and positive adjustments).
    pub granted: u64,
    /// Credits removed by adjustments that day.
    pub removed: u64,
}

impl DayTotal {
    /// Adds `entry` to the total of its day (the caller groups entries by day).
    pub fn add(&mut self, entry: &LedgerEntry) {
        match entry.kind {
            EntryKind::Settle => self.charged += entry.charged,
            EntryKind::Signup | EntryKind::Adjustment if entry.amount > 0 => {
                self.granted += entry.amount.unsigned_abs();
            }
            EntryKind::Adjustment => self.removed += entry.amount.unsigned_abs(),
            _ => {}
        }
    }
}

/// The UTC day of `at`, as ledger totals group it.
pub fn day_of(at: OffsetDateTime) -> String {
    let date = at.to_offset(time::UtcOffset::UTC).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Folds entries (oldest first) into per-day totals.
pub fn day_totals<'a>(entries: impl Iterator<Item = &'a LedgerEntry>) -> Vec<DayTotal> {
    let mut days: Vec<DayTotal> = Vec::new();
    for entry in entries {
        let day = day_of(entry.created_at);
        if days.last().is_none_or(|total| total.day != day) {
            days.push(DayTotal {
                day,
                charged: 0,
                granted: 0,
                removed: 0,
            });
        }
        if let Some(total) = days.last_mut() {
            total.add(entry);
        }
    }
    days
}

/// What an adjustment came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adjusted {
    Applied(Account),
    /// The operation id was applied before; nothing changed.
    Repeated(Account),
}

#[async_trait::async_trait]
pub trait CreditStore: Send + Sync + 'static {
    /// The owner's account, opened with `tier` and a signup grant of `grant` credits (a ledger
    /// entry) the first time it is asked for.
    async fn open(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError>;
    async fn account(&self, owner: &str) -> Result<Option<Account>, StoreError>;
    /// Open holds, oldest first.
    async fn holds(&self, owner: &str) -> Result<Vec<Hold>, StoreError>;
    /// Reserves `hold.amount` credits of an opened account. A reference already held (or
    /// settled) is `Store(AlreadyExists)`.
    async fn hold(&self, owner: &str, hold: &Hold) -> Result<Account, StoreError>;
    /// Ends the hold on `reference`; `None` when there is none (settled before: a redelivered
    /// event). A settlement never charges more than was held.
    async fn settle(
        &self,
        owner: &str,
        reference: &str,
        settlement: &Settlement,
    ) -> Result<Option<LedgerEntry>, StoreError>;
    /// Adds (or removes, down to zero at most) credits, once per `operation` id; opens the
    /// account with `tier_if_new` and no signup grant when there is none.
    async fn adjust(
        &self,
        owner: &str,
        operation: &str,
        amount: i64,
        description: &str,
        tier_if_new: Tier,
    ) -> Result<Adjusted, StoreError>;
    /// Sets the tier, opening the account (with `grant`) when there is none.
    async fn set_tier(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError>;
    /// Up to `limit` entries created in `[from, to)`, newest first, older than `before` when
    /// given.
    async fn ledger(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Per-day totals of `[from, to)`, oldest day first.
    async fn daily(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<DayTotal>, StoreError>;
}

/// Where stages send [`UsageEvent`]s: the meter's queue on AWS, the meter itself in one
/// process.
#[async_trait::async_trait]
pub trait UsageEvents: Send + Sync + 'static {
    async fn emit(&self, event: &UsageEvent) -> Result<(), StoreError>;
}

/// Usage events settled in the sending process (the local server and tests): a failure reaches
/// the sender, which retries as it would a failed queue send.
pub struct SettleNow(pub std::sync::Arc<dyn CreditStore>);

#[async_trait::async_trait]
impl UsageEvents for SettleNow {
    async fn emit(&self, event: &UsageEvent) -> Result<(), StoreError> {
        self.0
            .settle(&event.owner, &event.reference, &event.settlement)
            .await
            .map(|_| ())
    }
}

/// The amount a settlement gives back and the amount it charges, for a hold of `held`.
pub fn settlement_amounts(held: u64, settlement: &Settlement) -> (u64, u64) {
    match settlement {
        Settlement::Settle { charged, .. } => {
            let charged = (*charged).min(held);
            (held - charged, charged)
        }
        Settlement::Release { .. } => (held, 0),
    }
}

/// The text of a settlement's ledger entry.
pub fn settlement_description(hold: &Hold, settlement: &Settlement) -> String {
    match settlement {
        Settlement::Settle { description, .. } => description.clone(),
        Settlement::Release { reason } => format!("{} — released: {reason}", hold.description),
    }
}

/// Converts a signed amount for the ledger (amounts are far below `i64::MAX`).
pub fn signed(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settlement_never_charges_more_than_was_held() {
        let settle = |charged| Settlement::Settle {
            charged,
            description: String::new(),
        };
        assert_eq!(settlement_amounts(5, &settle(2)), (3, 2));
        assert_eq!(settlement_amounts(5, &settle(9)), (0, 5));
        assert_eq!(
            settlement_amounts(5, &Settlement::Release { reason: "x".into() }),
            (5, 0)
        );
    }

    #[test]
    fn days_are_utc() {
        let at = time::macros::datetime!(2026-12-01 23:30 -02:00);
        assert_eq!(day_of(at), "2026-12-02");
    }
}
