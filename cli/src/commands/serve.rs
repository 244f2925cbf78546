use std::net::SocketAddr;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;
use visions_aws::telemetry;
use visions_domain::ports::SecretName;

use crate::config::Backend;
use crate::stack::{Queue, Stack, drain, poll};

/// Jobs run at once by the in-process worker.
const WORKER_CONCURRENCY: usize = 2;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Data folder for the embedded backend (SQLite, secrets, pages).
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
    /// Refuse requests without an `x-api-key` on every route the SAM template protects, as
    /// API Gateway does (embedded backend; on AWS the gateway itself enforces keys).
    #[arg(long)]
    require_api_key: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    telemetry::init(&visions_domain::config::env_lookup);
    let config = super::config(args.data)?;
    let mut stack = Stack::build(&config).await?;
    if args.require_api_key && stack.adapters.gateway_keys.is_none() {
        anyhow::bail!(
            "--require-api-key is for the embedded backend; on AWS, API Gateway enforces keys"
        );
    }
    stack.require_api_key = args.require_api_key;
    // Fail now, not on the first request, if a secret cannot be read or created.
    for name in [SecretName::JwtKey, SecretName::CursorKey] {
        stack.adapters.secrets.get(name).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let shutdown = CancellationToken::new();
    // Every worker of the stack runs in this process: the queue is drained here.
    let worker = stack.worker.clone();
    let draining = match stack.queue.clone() {
        Queue::Local(queue) => tokio::spawn(drain::drain(
            queue,
            worker,
            WORKER_CONCURRENCY,
            shutdown.clone(),
        )),
        Queue::Sqs { client, queue_url } => {
            tokio::spawn(poll::poll(client, queue_url, worker, shutdown.clone()))
        }
    };
    let backend = match &config.backend {
        Backend::Local { data_dir } => format!("embedded, data in {}", data_dir.display()),
        Backend::Aws(aws) => format!("aws, table {}", aws.table),
    };
    println!(
        "Visions AI listening on http://{} ({backend})",
        listener.local_addr()?
    );
    axum::serve(listener, stack.app())
        .with_graceful_shutdown(signal())
        .await?;
    shutdown.cancel();
    let _ = draining.await;
    Ok(())
}

async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
