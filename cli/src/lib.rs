//! `visions-ai`: the whole stack on your machine (`serve`, `create`), and the developer
//! commands around it (tokens, emulator set-up, the OpenAPI document). It depends on every
//! crate of the workspace; no Lambda links it.

pub mod client;
pub mod commands;
pub mod config;
pub mod emulator;
pub mod stack;
