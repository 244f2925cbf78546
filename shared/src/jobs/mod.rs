//! Generation jobs: the model, the pipeline that runs them, and the workers that drain queues.

pub mod local_queue;
pub mod model;
pub mod pipeline;
pub mod sqs;
pub mod worker;
