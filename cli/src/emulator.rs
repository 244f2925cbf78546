//! Creates what `template.yaml` declares (table, secrets, job queue with its DLQ, assets
//! bucket) on an AWS emulator, so `VISIONS_BACKEND=aws` runs locally. Idempotent: existing
//! resources are reused.

use aws_sdk_secretsmanager::operation::create_secret::CreateSecretError;
use aws_sdk_sqs::types::QueueAttributeName;

use visions_aws::{AwsSettings, create_table};
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
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-jobs-dlq"))
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
        .ok_or_else(|| anyhow::anyhow!("the DLQ has no ARN"))?;
    let redrive =
        serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
            .to_string();
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{name}-jobs"))
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        // As in the template: six times the worker Lambda's 900 s timeout.
        .attributes(QueueAttributeName::VisibilityTimeout, "5400")
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
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
        jwt_key_arn: ensure_secret(&secrets, &format!("visions-ai/{name}/jwt-key")).await?,
        cursor_key_arn: ensure_secret(&secrets, &format!("visions-ai/{name}/cursor-key")).await?,
        secret_ttl: std::time::Duration::from_secs(300),
    })
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
