use std::net::SocketAddr;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;
use visions_shared::config::Backend;
use visions_shared::jobs::local_queue;
use visions_shared::jobs::sqs;
use visions_shared::secrets::SecretName;
use visions_shared::{http, runtime, telemetry};

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
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    telemetry::init();
    let config = super::config(args.data)?;
    let runtime = runtime::build(&config).await?;
    // Fail now, not on the first request, if a secret cannot be read or created.
    for name in [SecretName::JwtKey, SecretName::CursorKey] {
        runtime.state.secrets.get(name).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let shutdown = CancellationToken::new();
    // Every worker of the stack runs in this process: the queue is drained here.
    let worker = runtime.worker.clone();
    let draining = match (runtime.local_queue.clone(), runtime.sqs.clone()) {
        (Some(queue), _) => tokio::spawn(local_queue::drain(
            queue,
            worker,
            WORKER_CONCURRENCY,
            shutdown.clone(),
        )),
        (None, Some(sqs)) => tokio::spawn(sqs::poll(sqs, worker, shutdown.clone())),
        (None, None) => anyhow::bail!("this backend has no job queue"),
    };
    let backend = match &config.backend {
        Backend::Local { data_dir } => format!("embedded, data in {}", data_dir.display()),
        Backend::Aws(aws) => format!("aws, table {}", aws.table),
    };
    println!(
        "Visions AI listening on http://{} ({backend})",
        listener.local_addr()?
    );
    axum::serve(listener, http::local_app(runtime.state))
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
