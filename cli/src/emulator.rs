//! Creates what `template.yaml` declares (table, secrets, job and usage queues with their
//! DLQs, buckets, usage plans) on an AWS emulator, so `VISIONS_BACKEND=aws` runs locally. Idempotent: existing
//! resources are reused.

use aws_sdk_secretsmanager::operation::create_secret::CreateSecretError;
use aws_sdk_sqs::types::QueueAttributeName;

use visions_aws::{AwsSettings, UsagePlans, create_table};
use visions_domain::tier::Tier;
use visions_local::random_secret;
use visions_pipeline::worker::MAX_RECEIVES;

pub async fn bootstrap(sdk: &aws_config::SdkConfig, name: &str) -> anyhow::Result<AwsSettings> {
    let dynamo = aws_sdk_dynamodb::Client::new(sdk);
    if dynamo
        .describe_table()
        .table_name(name)
        .send()
        .await
        .is_err()
    {
        create_table(&dynamo, name).await?;
    }
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    let sqs = aws_sdk_sqs::Client::new(sdk);
    // As in the template: six times the consumer Lambda's timeout (900 s, 30 s).
    let queue_url = queue_with_dlq(&sqs, &format!("{name}-jobs"), 5400).await?;
    let usage_queue_url = queue_with_dlq(&sqs, &format!("{name}-usage"), 180).await?;
    let usage_plans = usage_plans(&aws_sdk_apigateway::Client::new(sdk), name).await?;
    let bucket = format!("{name}-assets");
    let s3 = visions_aws::s3_client(sdk);
    if s3.head_bucket().bucket(&bucket).send().await.is_err() {
        s3.create_bucket().bucket(&bucket).send().await?;
    }
    let index_bucket = format!("{name}-indexes");
    if s3.head_bucket().bucket(&index_bucket).send().await.is_err() {
        s3.create_bucket().bucket(&index_bucket).send().await?;
    }
    // Uploads notify the optimize queue, as in the template.
    let uploads_bucket = format!("{name}-uploads");
    if s3
        .head_bucket()
        .bucket(&uploads_bucket)
        .send()
        .await
        .is_err()
    {
        s3.create_bucket().bucket(&uploads_bucket).send().await?;
    }
    let optimize_queue = sqs
        .create_queue()
        .queue_name(format!("{name}-optimize"))
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let optimize_arn = sqs
        .get_queue_attributes()
        .queue_url(&optimize_queue)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| anyhow::anyhow!("the optimize queue has no ARN"))?;
    s3.put_bucket_notification_configuration()
        .bucket(&uploads_bucket)
        .notification_configuration(
            aws_sdk_s3::types::NotificationConfiguration::builder()
                .queue_configurations(
                    aws_sdk_s3::types::QueueConfiguration::builder()
                        .queue_arn(optimize_arn)
                        .events(aws_sdk_s3::types::Event::S3ObjectCreated)
                        .filter(
                            aws_sdk_s3::types::NotificationConfigurationFilter::builder()
                                .key(
                                    aws_sdk_s3::types::S3KeyFilter::builder()
                                        .filter_rules(
                                            aws_sdk_s3::types::FilterRule::builder()
                                                .name(aws_sdk_s3::types::FilterRuleName::Prefix)
                                                .value("originals/")
                                                .build(),
                                        )
                                        .build(),
                                )
                                .build(),
                        )
                        .build()?,
                )
                .build(),
        )
        .send()
        .await?;
    let endpoint = sdk
        .endpoint_url()
        .unwrap_or("https://s3.amazonaws.com")
        .trim_end_matches('/')
        .to_owned();
    Ok(AwsSettings {
        table: name.to_owned(),
        queue_url,
        assets_url: format!("{endpoint}/{bucket}"),
        assets_bucket: bucket,
        index_bucket: Some(index_bucket),
        uploads_bucket: Some(uploads_bucket),
        usage_queue_url: Some(usage_queue_url),
        usage_plans: Some(usage_plans),
        jwt_key_arn: ensure_secret(&secrets, &format!("visions-ai/{name}/jwt-key")).await?,
        cursor_key_arn: ensure_secret(&secrets, &format!("visions-ai/{name}/cursor-key")).await?,
        secret_ttl: std::time::Duration::from_secs(300),
    })
}

/// A queue whose messages go to its dead-letter queue after [`MAX_RECEIVES`] receives.
async fn queue_with_dlq(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility_secs: u32,
) -> anyhow::Result<String> {
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| anyhow::anyhow!("the DLQ of {name} has no ARN"))?;
    let redrive =
        serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
            .to_string();
    Ok(sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility_secs.to_string(),
        )
        .send()
        .await?
        .queue_url
        .unwrap_or_default())
}

/// The free and pro usage plans (`{name}-free`, `{name}-pro`) with the built-in table's throttle
/// and quota, as the template declares them; existing plans of those names are reused.
async fn usage_plans(
    gateway: &aws_sdk_apigateway::Client,
    name: &str,
) -> anyhow::Result<UsagePlans> {
    use aws_sdk_apigateway::types::{QuotaPeriodType, QuotaSettings, ThrottleSettings};
    let metering = visions_metering::Metering::builtin();
    let existing = gateway.get_usage_plans().limit(500).send().await?;
    let mut names = Vec::new();
    for tier in [Tier::Free, Tier::Pro] {
        let plan_name = format!("{name}-{}", tier.as_str());
        let found = existing
            .items()
            .iter()
            .any(|plan| plan.name() == Some(plan_name.as_str()));
        if !found {
            let plan = metering.plan(tier);
            gateway
                .create_usage_plan()
                .name(&plan_name)
                .throttle(
                    ThrottleSettings::builder()
                        .rate_limit(plan.throttle.rate)
                        .burst_limit(i32::try_from(plan.throttle.burst).unwrap_or(i32::MAX))
                        .build(),
                )
                .quota(
                    QuotaSettings::builder()
                        .limit(i32::try_from(plan.quota_per_day).unwrap_or(i32::MAX))
                        .period(QuotaPeriodType::Day)
                        .build(),
                )
                .send()
                .await?;
        }
        names.push(plan_name);
    }
    let [free, pro] =
        <[String; 2]>::try_from(names).map_err(|_| anyhow::anyhow!("two usage plans"))?;
    Ok(UsagePlans { free, pro })
}

async fn ensure_secret(
    client: &aws_sdk_secretsmanager::Client,
    name: &str,
) -> anyhow::Result<String> {
    let created = client
        .create_secret()
        .name(name)
        .secret_string(random_secret())
        .send()
        .await;
    match created {
        Ok(output) => output
            .arn
            .ok_or_else(|| anyhow::anyhow!("secret {name} has no ARN")),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(CreateSecretError::is_resource_exists_exception) =>
        {
            let described = client.describe_secret().secret_id(name).send().await?;
            described
                .arn
                .ok_or_else(|| anyhow::anyhow!("secret {name} has no ARN"))
        }
        Err(err) => Err(anyhow::anyhow!(
            "creating secret {name}: {}",
            aws_sdk_secretsmanager::error::DisplayErrorContext(err)
        )),
    }
}
