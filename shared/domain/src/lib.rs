//! The domain of Visions AI: projects and brand kits, generation jobs and the rule by which a
//! worker claims one, page versions, the page model, and the ports (traits) every adapter
//! implements. It depends on no other workspace crate, and on no AWS, HTTP or SQLite crate.

pub mod asset;
pub mod clock;
pub mod config;
pub mod credits;
pub mod form;
pub mod job;
pub mod keys;
pub mod locale;
pub mod models;
pub mod page;
pub mod ports;
pub mod project;
pub mod text;
pub mod tier;
