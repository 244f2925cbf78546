//! The caller's account as every metered handler reads it: opened on first use with the
//! token's tier and that tier's signup credits; after that the stored tier is the one that
//! counts (an administrator changes it), whatever later tokens claim.

use visions_domain::credits::{Account, CreditStore, Hold, Settlement};
use visions_domain::ports::StoreError;
use visions_metering::Metering;

use crate::auth::Principal;
use crate::problem::Problem;

pub async fn account(
    credits: &dyn CreditStore,
    metering: &Metering,
    principal: &Principal,
) -> Result<Account, Problem> {
    let grant = metering.plan(principal.tier).signup_credits;
    Ok(credits.open(&principal.sub, principal.tier, grant).await?)
}

/// The header that says what a response's operation held or charged, in credits.
pub const CREDITS_HEADER: &str = "visions-credits";

/// How long a synchronous request's hold lives: far past any request (the image function
/// answers within 25 s), so only a crashed request's hold ever expires.
pub const SYNC_HOLD_TTL: time::Duration = time::Duration::minutes(10);

/// Gives back every hold of `owner` past its expiry (a request that crashed between its hold
/// and its settlement); returns how many credits came back.
pub async fn release_expired(credits: &dyn CreditStore, owner: &str) -> Result<u64, Problem> {
    let now = time::OffsetDateTime::now_utc();
    let mut released = 0;
    for hold in credits.holds(owner).await? {
        if hold.expires_at.is_some_and(|at| at <= now) {
            let release = Settlement::Release {
                reason: "the request ended without settling".into(),
            };
            if credits
                .settle(owner, &hold.reference, &release)
                .await?
                .is_some()
            {
                released += hold.amount;
            }
        }
    }
    Ok(released)
}

/// Holds credits for work a request starts, given back after `ttl` if nothing settles it;
/// when the balance is short, expired holds are given back first and the hold tried once more.
pub async fn hold_for_request(
    credits: &dyn CreditStore,
    owner: &str,
    reference: &str,
    amount: u64,
    description: &str,
    ttl: time::Duration,
) -> Result<(), Problem> {
    let mut hold = Hold::new(reference, amount, description);
    hold.expires_at = Some(hold.created_at + ttl);
    match credits.hold(owner, &hold).await {
        Err(StoreError::InsufficientCredits { .. })
            if release_expired(credits, owner).await? > 0 =>
        {
            credits.hold(owner, &hold).await?;
        }
        other => {
            other?;
        }
    }
    Ok(())
}
