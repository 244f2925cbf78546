#[derive(clap::Args)]
pub struct Args {
    /// The stack's name: each resource is named `<stack>-<its logical id in template.yaml>`.
    #[arg(long, default_value = "visions-ai")]
    stack: String,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let sdk = visions_aws::sdk_config().await;
    let settings = crate::emulator::bootstrap(&sdk, &args.stack).await?;
    println!("export VISIONS_BACKEND=aws");
    println!("export VISIONS_TABLE={}", settings.table);
    println!("export VISIONS_QUEUE_URL={}", settings.queue_url);
    println!("export VISIONS_ASSETS_BUCKET={}", settings.assets_bucket);
    println!("export VISIONS_ASSETS_URL={}", settings.assets_url);
    if let Some(bucket) = &settings.index_bucket {
        println!("export VISIONS_INDEX_BUCKET={bucket}");
    }
    if let Some(bucket) = &settings.uploads_bucket {
        println!("export VISIONS_UPLOADS_BUCKET={bucket}");
    }
    if let Some(url) = &settings.usage_queue_url {
        println!("export VISIONS_USAGE_QUEUE_URL={url}");
    }
    if let Some(plans) = &settings.usage_plans {
        println!("export VISIONS_USAGE_PLAN_FREE_NAME={}", plans.free);
        println!("export VISIONS_USAGE_PLAN_PRO_NAME={}", plans.pro);
    }
    println!("export VISIONS_JWT_KEY_ARN={}", settings.jwt_key_arn);
    println!("export VISIONS_CURSOR_KEY_ARN={}", settings.cursor_key_arn);
    Ok(())
}
