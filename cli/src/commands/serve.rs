use std::net::SocketAddr;
use std::path::PathBuf;

use visions_shared::config::Backend;
use visions_shared::secrets::SecretName;
use visions_shared::{http, runtime, telemetry};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Data folder for the embedded backend (SQLite, secrets, files).
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    telemetry::init();
    let config = super::config(args.data)?;
    let state = runtime::app_state(&config).await?;
    // Fail now, not on the first request, if a secret cannot be read or created.
    for name in [SecretName::JwtKey, SecretName::CursorKey] {
        state.secrets.get(name).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let backend = match &config.backend {
        Backend::Local { data_dir } => format!("embedded, data in {}", data_dir.display()),
        Backend::Aws(aws) => format!("aws, table {}", aws.table),
    };
    println!(
        "Visions AI listening on http://{} ({backend})",
        listener.local_addr()?
    );
    axum::serve(listener, http::app(state))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
