//! Creates what `template.yaml` declares (the table, every queue with its dead-letter queue,
//! every bucket, the uploads notification, the secrets and the usage plans) on an AWS emulator,
//! each named `<stack>-<LogicalId>` after the template's resource (buckets in lower case, as S3
//! requires), so `VISIONS_BACKEND=aws` runs locally on the stack's shape. The template test
//! (`tests/`) checks each of them against the template. Idempotent: existing resources are
//! reused.

use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use aws_sdk_secretsmanager::operation::create_secret::CreateSecretError;
use aws_sdk_sqs::types::QueueAttributeName;

use visions_aws::{AwsSettings, UsagePlans, create_table};
use visions_domain::tier::Tier;
use visions_local::random_secret;
use visions_pipeline::worker::MAX_RECEIVES;

/// A queue of the template, with the settings it declares there.
pub struct Queue {
    pub logical_id: &'static str,
    pub visibility_secs: u32,
    /// Where messages go after [`MAX_RECEIVES`] receives; `None` for a dead-letter queue.
    pub dead_letter: Option<&'static str>,
}

/// A dead-letter queue keeps messages 14 days (SQS's longest), as in the template.
pub const DEAD_LETTER_RETENTION_SECS: u32 = 1_209_600;
/// SQS's default visibility, which the template's dead-letter queues keep.
const DEFAULT_VISIBILITY_SECS: u32 = 30;

pub const TABLE: &str = "Table";
pub const QUEUES: [Queue; 6] = [
    // Six times each consumer's timeout: the worker's 900 s, the meter's 30 s, optimize's 120 s.
    Queue {
        logical_id: "JobsQueue",
        visibility_secs: 5400,
        dead_letter: Some("JobsDeadLetterQueue"),
    },
    Queue {
        logical_id: "UsageQueue",
        visibility_secs: 180,
        dead_letter: Some("UsageDeadLetterQueue"),
    },
    Queue {
        logical_id: "OptimizeQueue",
        visibility_secs: 720,
        dead_letter: Some("OptimizeDeadLetterQueue"),
    },
    Queue {
        logical_id: "JobsDeadLetterQueue",
        visibility_secs: DEFAULT_VISIBILITY_SECS,
        dead_letter: None,
    },
    Queue {
        logical_id: "UsageDeadLetterQueue",
        visibility_secs: DEFAULT_VISIBILITY_SECS,
        dead_letter: None,
    },
    Queue {
        logical_id: "OptimizeDeadLetterQueue",
        visibility_secs: DEFAULT_VISIBILITY_SECS,
        dead_letter: None,
    },
];
pub const BUCKETS: [&str; 4] = [
    "AssetsBucket",
    "IndexBucket",
    "UploadsBucket",
    "AccessLogsBucket",
];
pub const SECRETS: [&str; 2] = ["JwtKeySecret", "CursorKeySecret"];
/// New uploads under this prefix notify the optimize queue.
pub const UPLOADS_PREFIX: &str = "originals/";

/// The emulator's name of the template's resource `logical_id` in stack `stack`.
pub fn name(stack: &str, logical_id: &str) -> String {
    if BUCKETS.contains(&logical_id) {
        format!("{stack}-{}", logical_id.to_ascii_lowercase())
    } else {
        format!("{stack}-{logical_id}")
    }
}

pub async fn bootstrap(sdk: &aws_config::SdkConfig, stack: &str) -> anyhow::Result<AwsSettings> {
    let table = name(stack, TABLE);
    let dynamo = aws_sdk_dynamodb::Client::new(sdk);
    if dynamo
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .is_err()
    {
        create_table(&dynamo, &table).await?;
    }
    let sqs = aws_sdk_sqs::Client::new(sdk);
    // Dead-letter queues first: the others name them.
    for queue in QUEUES.iter().filter(|q| q.dead_letter.is_none()) {
        ensure_queue(&sqs, stack, queue).await?;
    }
    for queue in QUEUES.iter().filter(|q| q.dead_letter.is_some()) {
        ensure_queue(&sqs, stack, queue).await?;
    }
    let s3 = visions_aws::s3_client(sdk);
    for bucket in BUCKETS {
        let bucket = name(stack, bucket);
        if s3.head_bucket().bucket(&bucket).send().await.is_err() {
            s3.create_bucket().bucket(&bucket).send().await?;
        }
    }
    let uploads_bucket = name(stack, "UploadsBucket");
    let optimize_arn =
        queue_arn(&sqs, &queue_url(&sqs, &name(stack, "OptimizeQueue")).await?).await?;
    let prefix = FilterRule::builder()
        .name(FilterRuleName::Prefix)
        .value(UPLOADS_PREFIX)
        .build();
    s3.put_bucket_notification_configuration()
        .bucket(&uploads_bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .queue_arn(optimize_arn)
                        .events(Event::S3ObjectCreated)
                        .filter(
                            NotificationConfigurationFilter::builder()
                                .key(S3KeyFilter::builder().filter_rules(prefix).build())
                                .build(),
                        )
                        .build()?,
                )
                .build(),
        )
        .send()
        .await?;
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    let assets_bucket = name(stack, "AssetsBucket");
    let endpoint = sdk
        .endpoint_url()
        .unwrap_or("https://s3.amazonaws.com")
        .trim_end_matches('/')
        .to_owned();
    Ok(AwsSettings {
        table,
        queue_url: queue_url(&sqs, &name(stack, "JobsQueue")).await?,
        assets_url: format!("{endpoint}/{assets_bucket}"),
        assets_bucket,
        index_bucket: Some(name(stack, "IndexBucket")),
        uploads_bucket: Some(uploads_bucket),
        usage_queue_url: Some(queue_url(&sqs, &name(stack, "UsageQueue")).await?),
        usage_plans: Some(usage_plans(&aws_sdk_apigateway::Client::new(sdk), stack).await?),
        jwt_key_arn: ensure_secret(&secrets, &name(stack, "JwtKeySecret")).await?,
        cursor_key_arn: ensure_secret(&secrets, &name(stack, "CursorKeySecret")).await?,
        secret_ttl: std::time::Duration::from_secs(300),
    })
}

async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> anyhow::Result<String> {
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await?
        .queue_url
        .ok_or_else(|| anyhow::anyhow!("queue {name} has no URL"))
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> anyhow::Result<String> {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| anyhow::anyhow!("queue {url} has no ARN"))
}

/// `queue` with its template settings; a queue with a dead-letter queue sends messages there
/// after [`MAX_RECEIVES`] receives.
async fn ensure_queue(
    sqs: &aws_sdk_sqs::Client,
    stack: &str,
    queue: &Queue,
) -> anyhow::Result<String> {
    let mut create = sqs
        .create_queue()
        .queue_name(name(stack, queue.logical_id))
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            queue.visibility_secs.to_string(),
        );
    create = match queue.dead_letter {
        Some(dead_letter) => {
            let target = queue_arn(sqs, &queue_url(sqs, &name(stack, dead_letter)).await?).await?;
            let redrive = serde_json::json!({
                "deadLetterTargetArn": target,
                "maxReceiveCount": MAX_RECEIVES,
            });
            create.attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        }
        None => create.attributes(
            QueueAttributeName::MessageRetentionPeriod,
            DEAD_LETTER_RETENTION_SECS.to_string(),
        ),
    };
    Ok(create.send().await?.queue_url.unwrap_or_default())
}

/// The free and pro usage plans (`<stack>-free`, `<stack>-pro`, as the template names them) with the built-in table's throttle
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
