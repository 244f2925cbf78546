//! Credits in SQLite: accounts, holds, the ledger and applied operations, each change in one
//! transaction (the connection is shared, so transactions never interleave).

use rusqlite::{OptionalExtension, Transaction, params};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteDb, backend, docs};
use visions_domain::credits::{
    Account, Adjusted, CreditStore, DayTotal, EntryKind, Hold, LedgerEntry, Settlement, day_totals,
    settlement_amounts, signed,
};
use visions_domain::ports::StoreError;
use visions_domain::tier::Tier;

#[derive(Clone)]
pub struct SqliteCreditStore {
    db: SqliteDb,
}

impl SqliteCreditStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

fn read_account(tx: &Transaction<'_>, owner: &str) -> Result<Option<Account>, StoreError> {
    let doc: Option<String> = tx
        .query_row(
            "SELECT doc FROM accounts WHERE owner = ?1",
            params![owner],
            |row| row.get(0),
        )
        .optional()
        .map_err(backend)?;
    doc.map(|doc| serde_json::from_str(&doc).map_err(backend))
        .transpose()
}

fn write_account(tx: &Transaction<'_>, owner: &str, account: &Account) -> Result<(), StoreError> {
    let doc = serde_json::to_string(account).map_err(backend)?;
    tx.execute(
        "INSERT INTO accounts (owner, doc) VALUES (?1, ?2)
         ON CONFLICT (owner) DO UPDATE SET doc = excluded.doc",
        params![owner, doc],
    )
    .map_err(backend)?;
    Ok(())
}

fn append(tx: &Transaction<'_>, owner: &str, entry: &LedgerEntry) -> Result<(), StoreError> {
    let doc = serde_json::to_string(entry).map_err(backend)?;
    tx.execute(
        "INSERT INTO ledger (owner, id, created_at, doc) VALUES (?1, ?2, ?3, ?4)",
        params![owner, entry.id.to_string(), millis(entry.created_at), doc],
    )
    .map_err(backend)?;
    Ok(())
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Opens the account inside `tx` when it has none.
fn open_in(
    tx: &Transaction<'_>,
    owner: &str,
    tier: Tier,
    grant: u64,
) -> Result<Account, StoreError> {
    if let Some(account) = read_account(tx, owner)? {
        return Ok(account);
    }
    let account = Account {
        tier,
        balance: grant,
        held: 0,
        created_at: OffsetDateTime::now_utc(),
    };
    write_account(tx, owner, &account)?;
    if grant > 0 {
        let entry = LedgerEntry::signup(grant, tier);
        append(tx, owner, &entry)?;
    }
    Ok(account)
}

/// Places `hold` inside `tx`: the job store calls this too, so a job and its hold are written
/// together or not at all.
pub(crate) fn hold_in(
    tx: &Transaction<'_>,
    owner: &str,
    hold: &Hold,
) -> Result<Account, StoreError> {
    let mut account = read_account(tx, owner)?.ok_or(StoreError::NotFound)?;
    let taken: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM holds WHERE owner = ?1 AND reference = ?2)
             OR EXISTS (SELECT 1 FROM settled WHERE owner = ?1 AND reference = ?2)",
            params![owner, hold.reference],
            |row| row.get(0),
        )
        .map_err(backend)?;
    if taken {
        return Err(StoreError::AlreadyExists);
    }
    if account.balance < hold.amount {
        return Err(StoreError::InsufficientCredits {
            balance: account.balance,
            cost: hold.amount,
        });
    }
    account.balance -= hold.amount;
    account.held += hold.amount;
    write_account(tx, owner, &account)?;
    let doc = serde_json::to_string(hold).map_err(backend)?;
    tx.execute(
        "INSERT INTO holds (owner, reference, created_at, doc) VALUES (?1, ?2, ?3, ?4)",
        params![owner, hold.reference, millis(hold.created_at), doc],
    )
    .map_err(backend)?;
    let entry = LedgerEntry::new(
        EntryKind::Hold,
        -signed(hold.amount),
        account.balance,
        &hold.reference,
        &hold.description,
    );
    append(tx, owner, &entry)?;
    Ok(account)
}

#[async_trait::async_trait]
impl CreditStore for SqliteCreditStore {
    async fn open(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let account = open_in(&tx, &owner, tier, grant)?;
                tx.commit().map_err(backend)?;
                Ok(account)
            })
            .await
    }

    async fn account(&self, owner: &str) -> Result<Option<Account>, StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                read_account(&tx, &owner)
            })
            .await
    }

    async fn holds(&self, owner: &str) -> Result<Vec<Hold>, StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                docs(
                    conn,
                    "SELECT doc FROM holds WHERE owner = ?1 ORDER BY created_at, reference",
                    params![owner],
                )
            })
            .await
    }

    async fn hold(&self, owner: &str, hold: &Hold) -> Result<Account, StoreError> {
        let (owner, hold) = (owner.to_owned(), hold.clone());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let account = hold_in(&tx, &owner, &hold)?;
                tx.commit().map_err(backend)?;
                Ok(account)
            })
            .await
    }

    async fn settle(
        &self,
        owner: &str,
        reference: &str,
        settlement: &Settlement,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        let (owner, reference, settlement) =
            (owner.to_owned(), reference.to_owned(), settlement.clone());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let doc: Option<String> = tx
                    .query_row(
                        "SELECT doc FROM holds WHERE owner = ?1 AND reference = ?2",
                        params![owner, reference],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(backend)?;
                let Some(doc) = doc else {
                    return Ok(None);
                };
                let hold: Hold = serde_json::from_str(&doc).map_err(backend)?;
                let mut account = read_account(&tx, &owner)?.ok_or(StoreError::NotFound)?;
                let (back, _) = settlement_amounts(hold.amount, &settlement);
                account.balance += back;
                account.held = account.held.saturating_sub(hold.amount);
                write_account(&tx, &owner, &account)?;
                tx.execute(
                    "DELETE FROM holds WHERE owner = ?1 AND reference = ?2",
                    params![owner, reference],
                )
                .map_err(backend)?;
                tx.execute(
                    "INSERT INTO settled (owner, reference) VALUES (?1, ?2)",
                    params![owner, reference],
                )
                .map_err(backend)?;
                let entry = LedgerEntry::settled(&hold, &settlement, account.balance);
                append(&tx, &owner, &entry)?;
                tx.commit().map_err(backend)?;
                Ok(Some(entry))
            })
            .await
    }

    async fn adjust(
        &self,
        owner: &str,
        operation: &str,
        amount: i64,
        description: &str,
        tier_if_new: Tier,
    ) -> Result<Adjusted, StoreError> {
        let (owner, operation, description) = (
            owner.to_owned(),
            operation.to_owned(),
            description.to_owned(),
        );
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let mut account = open_in(&tx, &owner, tier_if_new, 0)?;
                let inserted = tx
                    .execute(
                        "INSERT OR IGNORE INTO operations (owner, id) VALUES (?1, ?2)",
                        params![owner, operation],
                    )
                    .map_err(backend)?;
                if inserted == 0 {
                    return Ok(Adjusted::Repeated(account));
                }
                // A removal takes the balance to zero at most.
                let applied = amount.max(-signed(account.balance));
                account.balance = account.balance.saturating_add_signed(applied);
                write_account(&tx, &owner, &account)?;
                let entry = LedgerEntry::new(
                    EntryKind::Adjustment,
                    applied,
                    account.balance,
                    &operation,
                    &description,
                );
                append(&tx, &owner, &entry)?;
                tx.commit().map_err(backend)?;
                Ok(Adjusted::Applied(account))
            })
            .await
    }

    async fn set_tier(&self, owner: &str, tier: Tier, grant: u64) -> Result<Account, StoreError> {
        let owner = owner.to_owned();
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let mut account = open_in(&tx, &owner, tier, grant)?;
                account.tier = tier;
                write_account(&tx, &owner, &account)?;
                tx.commit().map_err(backend)?;
                Ok(account)
            })
            .await
    }

    async fn ledger(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let owner = owner.to_owned();
        // UUIDv7 ids sort as their creation times; past the last one is past everything.
        let before = before.map_or_else(|| "~".to_owned(), |id| id.to_string());
        self.db
            .with_conn(move |conn| {
                docs(
                    conn,
                    "SELECT doc FROM ledger WHERE owner = ?1 AND created_at >= ?2 AND created_at < ?3 AND id < ?4
                     ORDER BY id DESC LIMIT ?5",
                    params![owner, millis(from), millis(to), before, limit as i64],
                )
            })
            .await
    }

    async fn daily(
        &self,
        owner: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<DayTotal>, StoreError> {
        let entries = self.ledger(owner, from, to, usize::MAX >> 2, None).await?;
        Ok(day_totals(entries.iter().rev()))
    }
}
