//! Bounded retries with full-jitter backoff, and fallback chains across models.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls to one model at most, the first included.
    pub max_attempts: u32,
    /// Backoff before retry `n` is drawn from `0..=min(max_delay, base_delay · 2^(n-1))`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A provider's `Retry-After` is honoured up to this; asked to wait longer, we fail now
    /// (and let the chain move on) rather than hold a worker.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait after failed attempt `attempt` (1-based) before the next, or `None` to
    /// stop: the error is final, attempts are used up, or the provider asks for too long a wait.
    pub fn delay_after(&self, attempt: u32, error: &ModelError) -> Option<Duration> {
        if !error.is_retryable() || attempt >= self.max_attempts {
            return None;
        }
        match error.retry_after() {
            // The provider knows its own limits better than our backoff does.
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }

    /// Full jitter: a uniform draw below the exponential ceiling, so that workers hit by the
    /// same outage do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }

    /// The longest one model can take under this policy, given the per-call timeout.
    pub fn worst_case(&self, call_timeout: Duration) -> Duration {
        let attempts = self.max_attempts.max(1);
        let wait = self.max_delay.max(self.max_retry_after);
        call_timeout.saturating_mul(attempts) + wait.saturating_mul(attempts - 1)
    }
}

/// Calls `model` until it succeeds, fails for good, or the policy says stop.
pub async fn complete_with_retries(
    model: &dyn LanguageModel,
    request: &CompletionRequest,
    policy: &RetryPolicy,
) -> Result<Completion, ModelError> {
    complete_by(model, request, policy, None).await
}

/// As [`complete_with_retries`], and never past `deadline`: a call still running then is cut
/// short (`Timeout`), and a retry whose wait would end past it is not made.
pub async fn complete_with_retries_by(
    model: &dyn LanguageModel,
    request: &CompletionRequest,
    policy: &RetryPolicy,
    deadline: Instant,
) -> Result<Completion, ModelError> {
    complete_by(model, request, policy, Some(deadline)).await
}

async fn complete_by(
    model: &dyn LanguageModel,
    request: &CompletionRequest,
    policy: &RetryPolicy,
    deadline: Option<Instant>,
) -> Result<Completion, ModelError> {
    let mut attempt = 1;
    loop {
        let outcome = match deadline {
            None => model.complete(request).await,
            Some(deadline) => {
                let budget = deadline.saturating_duration_since(Instant::now());
                tokio::time::timeout_at(deadline, model.complete(request))
                    .await
                    .unwrap_or(Err(ModelError::Timeout(budget)))
            }
        };
        let error = match outcome {
            Ok(completion) => return Ok(completion),
            Err(error) => error,
        };
        let delay = policy
            .delay_after(attempt, &error)
            .filter(|delay| deadline.is_none_or(|d| Instant::now() + *delay < d));
        let Some(delay) = delay else {
            tracing::warn!(model = %model.name(), attempt, error = %error, "model call failed");
            return Err(error);
        };
        tracing::info!(
            model = %model.name(),
            attempt,
            error = %error,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "model call failed; retrying"
        );
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Models tried in order, each with retries; the first answer wins.
#[derive(Clone)]
pub struct ModelChain {
    models: Vec<Arc<dyn LanguageModel>>,
    policy: RetryPolicy,
}

impl ModelChain {
    pub fn new(models: Vec<Arc<dyn LanguageModel>>, policy: RetryPolicy) -> Self {
        Self { models, policy }
    }

    pub fn names(&self) -> impl Iterator<Item = &ModelName> {
        self.models.iter().map(|m| m.name())
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The first success, with the model that produced it; otherwise every model's last error.
    pub async fn complete(
        &self,
        request: &CompletionRequest,
    ) -> Result<(ModelName, Completion), ChainError> {
        self.run(request, None).await
    }

    /// As [`Self::complete`], within `deadline` (e.g. the worker's own, less a margin to record
    /// the failure). Models not reached by then are not tried and not listed in the error.
    pub async fn complete_by(
        &self,
        request: &CompletionRequest,
        deadline: Instant,
    ) -> Result<(ModelName, Completion), ChainError> {
        self.run(request, Some(deadline)).await
    }

    async fn run(
        &self,
        request: &CompletionRequest,
        deadline: Option<Instant>,
    ) -> Result<(ModelName, Completion), ChainError> {
        let mut failures = Vec::with_capacity(self.models.len());
        for model in &self.models {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            match complete_by(model.as_ref(), request, &self.policy, deadline).await {
                Ok(completion) => {
                    if !failures.is_empty() {
                        tracing::info!(model = %model.name(), skipped = failures.len(), "answered by a fallback model");
                    }
                    return Ok((model.name().clone(), completion));
                }
                Err(error) => failures.push((model.name().clone(), error)),
            }
        }
        Err(ChainError { failures })
    }
}

impl std::fmt::Debug for ModelChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelChain")
            .field(
                "models",
                &self.names().map(ToString::to_string).collect::<Vec<_>>(),
            )
            .field("policy", &self.policy)
            .finish()
    }
}

/// Every model in a chain failed; each with its last error, in the order tried.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainError {
    pub failures: Vec<(ModelName, ModelError)>,
}

impl ChainError {
    /// True when every failure was transient (rate limits, outages, timeouts): the same job may
    /// well succeed later, so a worker can give it back to the queue instead of failing it.
    pub fn is_transient(&self) -> bool {
        !self.failures.is_empty() && self.failures.iter().all(|(_, e)| e.is_retryable())
    }
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.failures.is_empty() {
            return f.write_str("no model was tried (an empty chain, or the deadline had passed)");
        }
        f.write_str("every model failed: ")?;
        for (i, (model, error)) in self.failures.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{model}: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ChainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 1..40 {
            let ceiling = policy
                .base_delay
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(policy.max_delay);
            assert!(policy.backoff(attempt) <= ceiling);
        }
    }

    #[test]
    fn retry_after_wins_unless_too_long() {
        let policy = RetryPolicy::default();
        let limited = |secs| ModelError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            policy.delay_after(1, &limited(2)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.delay_after(1, &limited(31)), None);
        assert_eq!(policy.delay_after(3, &limited(2)), None, "attempts used up");
        let rejected = ModelError::Rejected {
            status: 401,
            message: String::new(),
        };
        assert_eq!(policy.delay_after(1, &rejected), None);
        assert!(
            policy
                .delay_after(1, &ModelError::Transport("reset".into()))
                .is_some()
        );
    }

    #[test]
    fn worst_case_adds_calls_and_waits() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.worst_case(Duration::from_secs(60)),
            Duration::from_secs(3 * 60 + 2 * 30)
        );
    }
}
