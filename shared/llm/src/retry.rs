//! Bounded retries with full-jitter backoff, and fallback chains across models.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

pub use visions_model_config::RetryPolicy;

use super::{Completion, CompletionRequest, LanguageModel, ModelError, ModelName};

/// How long to wait after failed attempt `attempt` (1-based) before the next, or `None` to
/// stop: the error is final, attempts are used up, or the provider asks for too long a wait.
pub fn delay_after(policy: &RetryPolicy, attempt: u32, error: &ModelError) -> Option<Duration> {
    if !error.is_retryable() || attempt >= policy.max_attempts {
        return None;
    }
    match error.retry_after() {
        // The provider knows its own limits better than our backoff does.
        Some(wait) if wait > policy.max_retry_after => None,
        Some(wait) => Some(wait),
        None => Some(policy.backoff(attempt)),
    }
}

/// Calls `model` until it succeeds, fails for good, the policy says stop, or `deadline`
/// passes. Every model call has a deadline: a job's budget bounds them all.
pub async fn complete_with_retries(
    model: &dyn LanguageModel,
    request: &CompletionRequest,
    policy: &RetryPolicy,
    deadline: Instant,
) -> Result<Completion, ModelError> {
    let name = model.name().to_string();
    with_retries(policy, deadline, &name, || model.complete(request)).await
}

/// Runs `call` until it succeeds, fails for good, the policy says stop, or `deadline` passes:
/// a call still running then is cut short (`Timeout`), and a retry whose wait would end past it
/// is not made. `label` names the model in the logs. Text, embedding and image calls share it.
pub async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    deadline: Instant,
    label: &str,
    mut call: F,
) -> Result<T, ModelError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ModelError>>,
{
    let mut attempt = 1;
    loop {
        let budget = deadline.saturating_duration_since(Instant::now());
        let outcome = tokio::time::timeout_at(deadline, call())
            .await
            .unwrap_or(Err(ModelError::Timeout(budget)));
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let delay =
            delay_after(policy, attempt, &error).filter(|delay| Instant::now() + *delay < deadline);
        let Some(delay) = delay else {
            tracing::warn!(model = %label, attempt, error = %error, "model call failed");
            return Err(error);
        };
        tracing::info!(
            model = %label,
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

    /// The first success within `deadline` (the job's own, less a margin to record the
    /// failure), with the model that produced it; otherwise every model's last error. Models
    /// not reached by the deadline are not tried and not listed in the error.
    pub async fn complete(
        &self,
        request: &CompletionRequest,
        deadline: Instant,
    ) -> Result<(ModelName, Completion), ChainError> {
        let mut failures = Vec::with_capacity(self.models.len());
        for model in &self.models {
            if Instant::now() >= deadline {
                break;
            }
            match complete_with_retries(model.as_ref(), request, &self.policy, deadline).await {
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
            delay_after(&policy, 1, &limited(2)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(delay_after(&policy, 1, &limited(31)), None);
        assert_eq!(
            delay_after(&policy, 3, &limited(2)),
            None,
            "attempts used up"
        );
        let rejected = ModelError::Rejected {
            status: 401,
            message: String::new(),
        };
        assert_eq!(delay_after(&policy, 1, &rejected), None);
        assert!(delay_after(&policy, 1, &ModelError::Transport("reset".into())).is_some());
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
