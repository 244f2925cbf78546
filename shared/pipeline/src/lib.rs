//! Jobs: the pipeline that turns a generation into a page version (retrieve, lay out, write,
//! render, store) and packages a version for export, the worker that claims jobs under a lease
//! and runs them, and the SQS batch handler the worker Lambda serves.

pub mod batch;
mod export;
pub mod pipeline;
pub mod worker;
