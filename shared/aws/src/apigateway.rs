//! API keys as API Gateway keys on the tiers' usage plans: the gateway checks `x-api-key` and
//! applies the plan's throttle and quota before a function runs. Which key belongs to whom is
//! kept in the table (`USER#{sub}` / `APIKEY#{id}`), so listing and revoking never reach past
//! the caller's own keys.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;

use visions_domain::keys::{ApiKey, ApiKeyStore, key_prefix, new_key_value};
use visions_domain::ports::StoreError;
use visions_domain::tier::Tier;

use crate::dynamo::{backend as dynamo_error, item, record, s, user_pk};
use crate::settings::UsagePlans;

/// The plans' ids, once looked up.
#[derive(Clone, Debug)]
struct PlanIds {
    free: String,
    pro: String,
}

impl PlanIds {
    fn of(&self, tier: Tier) -> &str {
        match tier {
            Tier::Free => &self.free,
            Tier::Pro => &self.pro,
        }
    }
}

#[derive(Clone)]
pub struct ApiGatewayKeys {
    gateway: aws_sdk_apigateway::Client,
    dynamo: aws_sdk_dynamodb::Client,
    table: String,
    plans: UsagePlans,
    ids: tokio::sync::OnceCell<PlanIds>,
}

fn gateway_error(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(anyhow::anyhow!(
        "{}",
        aws_sdk_apigateway::error::DisplayErrorContext(err)
    ))
}

impl ApiGatewayKeys {
    pub fn new(
        gateway: aws_sdk_apigateway::Client,
        dynamo: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        plans: UsagePlans,
    ) -> Self {
        Self {
            gateway,
            dynamo,
            table: table.into(),
            plans,
            ids: tokio::sync::OnceCell::new(),
        }
    }

    /// The plan ids, looked up by name on first use; a missing plan is a clear error.
    async fn plan_ids(&self) -> Result<&PlanIds, StoreError> {
        self.ids
            .get_or_try_init(|| async {
                let plans: Vec<_> = self
                    .gateway
                    .get_usage_plans()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .map_err(gateway_error)?;
                let id_of = |name: &str| {
                    plans
                        .iter()
                        .find(|plan| plan.name() == Some(name))
                        .and_then(|plan| plan.id().map(str::to_owned))
                        .ok_or_else(|| {
                            StoreError::Backend(anyhow::anyhow!("no usage plan named {name:?}"))
                        })
                };
                Ok(PlanIds {
                    free: id_of(&self.plans.free)?,
                    pro: id_of(&self.plans.pro)?,
                })
            })
            .await
    }

    fn key(owner: &str, id: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("PK".to_owned(), user_pk(owner)),
            ("SK".to_owned(), s(format!("APIKEY#{id}"))),
        ])
    }

    async fn save(&self, owner: &str, key: &ApiKey) -> Result<(), StoreError> {
        let item = item(
            user_pk(owner),
            s(format!("APIKEY#{}", key.id)),
            "api_key",
            key,
        )?;
        self.dynamo
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo_error)?;
        Ok(())
    }

    async fn attach(&self, tier: Tier, id: &str) -> Result<(), StoreError> {
        let plan = self.plan_ids().await?.of(tier).to_owned();
        self.gateway
            .create_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(id)
            .key_type("API_KEY")
            .send()
            .await
            .map_err(gateway_error)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ApiKeyStore for ApiGatewayKeys {
    async fn create(
        &self,
        owner: &str,
        name: &str,
        tier: Tier,
    ) -> Result<(ApiKey, String), StoreError> {
        let value = new_key_value();
        let created = self
            .gateway
            .create_api_key()
            .name(format!("visions-{}", uuid::Uuid::now_v7().simple()))
            .description(name)
            .customer_id(owner)
            .enabled(true)
            .value(&value)
            .send()
            .await
            .map_err(gateway_error)?;
        let id = created.id.ok_or_else(|| {
            StoreError::Backend(anyhow::anyhow!("API Gateway returned no key id"))
        })?;
        // A key on no plan would be refused by the gateway anyway; remove it rather than keep it.
        if let Err(err) = self.attach(tier, &id).await {
            let _ = self.gateway.delete_api_key().api_key(&id).send().await;
            return Err(err);
        }
        let key = ApiKey {
            id,
            name: name.to_owned(),
            prefix: key_prefix(&value),
            tier,
            created_at: OffsetDateTime::now_utc(),
        };
        self.save(owner, &key).await?;
        Ok((key, value))
    }

    async fn list(&self, owner: &str) -> Result<Vec<ApiKey>, StoreError> {
        let items: Vec<_> = self
            .dynamo
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", user_pk(owner))
            .expression_attribute_values(":prefix", s("APIKEY#"))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(dynamo_error)?;
        let mut keys = items
            .iter()
            .map(record::<ApiKey>)
            .collect::<Result<Vec<_>, _>>()?;
        keys.sort_by_key(|key| std::cmp::Reverse(key.created_at));
        Ok(keys)
    }

    async fn revoke(&self, owner: &str, id: &str) -> Result<(), StoreError> {
        let found = self
            .dynamo
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(owner, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo_error)?;
        if found.item.is_none() {
            return Err(StoreError::NotFound);
        }
        // Deleting the key takes it off its plan; the gateway refuses it from then on.
        match self.gateway.delete_api_key().api_key(id).send().await {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_not_found_exception()) => {}
            Err(err) => return Err(gateway_error(err)),
        }
        self.dynamo
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(owner, id)))
            .send()
            .await
            .map_err(dynamo_error)?;
        Ok(())
    }

    async fn move_to(&self, owner: &str, tier: Tier) -> Result<(), StoreError> {
        for mut key in self.list(owner).await? {
            if key.tier == tier {
                continue;
            }
            // Attach first: a key is never left on no plan.
            self.attach(tier, &key.id).await?;
            let old_plan = self.plan_ids().await?.of(key.tier).to_owned();
            match self
                .gateway
                .delete_usage_plan_key()
                .usage_plan_id(old_plan)
                .key_id(&key.id)
                .send()
                .await
            {
                Ok(_) => {}
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_not_found_exception()) => {}
                Err(err) => return Err(gateway_error(err)),
            }
            key.tier = tier;
            self.save(owner, &key).await?;
        }
        Ok(())
    }
}
