//! # ocen-local: the system on a laptop
//!
//! - [`cli`]: the callback type argument and shell completions the CLIs share.
//! - [`devlender`]: the local `dev` lenders' keys, registry and signing.
//! - [`infra`]: reads the table, queues and routes from `infra/template.yaml` (one source of truth).
//! - [`stack`]: creates them on a local AWS endpoint (moto's server).
//! - [`server`]: serves the callbacks on their production paths with the real pipeline.
//! - [`poller`]: feeds the table's stream to the real dispatcher, as the event source mapping would.
//! - [`tail`]: prints the events arriving on the consumer queues.

pub mod cli;
pub mod devlender;
pub mod infra;
pub mod poller;
pub mod server;
pub mod stack;
pub mod tail;
