//! Creates what `template.yaml` declares (the table and the two secrets) on an AWS emulator,
//! so `VISIONS_BACKEND=aws` runs locally. Idempotent: existing resources are reused.

use aws_sdk_secretsmanager::operation::create_secret::CreateSecretError;

use crate::config::AwsSettings;
use crate::secrets::random_secret;
use crate::store::create_table;

pub async fn bootstrap(sdk: &aws_config::SdkConfig, table: &str) -> anyhow::Result<AwsSettings> {
    let dynamo = aws_sdk_dynamodb::Client::new(sdk);
    let exists = dynamo
        .describe_table()
        .table_name(table)
        .send()
        .await
        .is_ok();
    if !exists {
        create_table(&dynamo, table).await?;
    }
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    Ok(AwsSettings {
        table: table.to_owned(),
        jwt_key_arn: ensure_secret(&secrets, &format!("visions-ai/{table}/jwt-key")).await?,
        cursor_key_arn: ensure_secret(&secrets, &format!("visions-ai/{table}/cursor-key")).await?,
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
