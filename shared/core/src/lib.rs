//! # ocen-shared-core: the request path of `ocen-shared`
//!
//! Everything a callback goes through between the transport and the AWS clients, in a
//! crate of its own so that it is built at `opt-level = 3` while the AWS SDK, the Lambda
//! runtime and the adapters stay at `"z"` (README "Build profile": a crate's opt-level also
//! applies to the generic SDK code it instantiates). Use it through `ocen-shared`, which
//! re-exports every module here under the same path and adds the adapters.
//!
//!
//! Lenders POST three callbacks to the LSP; this crate holds everything about them that is
//! not wiring. A request travels through the rooms in this order:
//!
//! - [`callback`]: which callback a request is ([`CallbackType`]) and the paths it arrives on.
//! - [`wire`]: serde types that follow the v3 JSON Schemas field for field. Everything is
//!   optional here; unknown attributes and `extensibleData` are kept (numbers exactly);
//!   [`wire::read`] reads a plain body into them in one pass that also checks its syntax,
//!   depth and repeated names ([`wire::scan`], [`wire::duplicates`] when it is not plain).
//! - [`domain`]: validated types (`RequestId`, `OrgId`, `OcenTimestamp`, `Amount`, the enums,
//!   `MaskedPhoneNumber`, ...) and the three validated callbacks. Parse, don't validate: the
//!   wire → domain conversion is the only way to get one, and it enforces the business rules.
//! - [`error`]: why a callback is refused ([`Rejection`], [`ErrorCode`]), and the one
//!   mapping to HTTP status and ack code.
//! - [`auth`]: the lender registry and JWS verification (v3 flattened, v4 detached).
//! - [`ack`]: the spec's ack, the answer to every request.
//! - [`service`]: the pipeline ([`CallbackService::handle`]): bytes in, reply out; one
//!   conditional write per callback.
//! - [`store`]: the idempotency store port (its DynamoDB adapter is `ocen-shared`'s).
//! - [`payload`]: the validated body written as the event's payload, straight from the
//!   validated type; [`digest`]: the payload hash's SHA-256 and the event id's SHA-1.
//! - [`event`]: the versioned envelope consumers receive.
//! - [`publish`]: the event publisher port (its SQS adapter is `ocen-shared`'s), and
//!   [`publish::limits`]: every SQS limit a message is built to meet, with its source.
//! - [`config`], [`telemetry`]: read once per cold start; counters.
//! - `testing` (feature `testing`): in-memory fakes and sample bodies for unit tests.

pub mod ack;
pub mod auth;
pub mod callback;
pub mod callbacks;
pub mod config;
pub mod digest;
pub mod domain;
pub mod error;
pub mod event;
pub mod payload;
pub mod publish;
pub mod service;
pub mod store;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod wire;

pub use callback::CallbackType;
pub use error::{ErrorCode, Rejection};
pub use service::{CallbackService, Inbound, Reply};
