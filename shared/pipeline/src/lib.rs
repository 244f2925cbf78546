//! Generation: the pipeline that turns a job into a page version (retrieve, lay out, write,
//! render, store), the worker that claims jobs under a lease and runs it, and the SQS batch
//! handler the worker Lambda serves.

pub mod batch;
pub mod pipeline;
pub mod worker;
