//! Visions AI's shared library: configuration, authentication, storage ports and adapters, and
//! the HTTP API that every function and the local server run.

pub mod agents;
pub mod auth;
pub mod aws;
pub mod bootstrap;
pub mod composer;
pub mod config;
pub mod cursor;
pub mod designs;
pub mod http;
pub mod jobs;
pub mod llm;
pub mod page;
pub mod problem;
pub mod project;
pub mod runtime;
pub mod secrets;
pub mod store;
pub mod telemetry;
