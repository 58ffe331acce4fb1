//! # ocen-shared-core: the request path of `ocen-shared`
//!
//! Everything a callback goes through between the transport and the AWS clients, in a
//! crate of its own so that it is built at `opt-level = 3` while the AWS SDK, the Lambda
//! runtime and the adapters stay at `"z"` (docs/performance.md "Build profile": a crate's opt-level also
//! applies to the generic SDK code it instantiates). Use it through `ocen-shared`, which
//! re-exports every module here under the same path and adds the adapters.
//!
//!
//! Lenders POST callbacks to the LSP; this crate holds everything about them that is not
//! wiring. A request travels through the rooms in this order:
//!
//! - [`callback`]: which callback a request is ([`CallbackType`]) and the paths it arrives on.
//! - [`wire`]: the one reading of a body: its bytes into a tree whose scalars are the
//!   lender's own text (syntax, depth and repeated names checked on the way), and the wire
//!   shapes the callbacks' types are built from.
//! - [`domain`]: the attribute types (`RequestId`, `OrgId`, `OcenTimestamp`, `Amount`, the
//!   enums, `MaskedPhoneNumber`, ...). Parse, don't validate: each reads itself from the
//!   body by its `parse`, so a callback's type holds only valid values.
//! - [`callbacks`]: one module per callback, each declaring its body once (one set of types
//!   from which its validation, payload and OpenAPI schema come), and the registry.
//! - [`error`]: why a callback is refused ([`Rejection`], [`ErrorCode`]), and the one
//!   mapping to HTTP status and ack code.
//! - [`auth`]: the lender registry and JWS verification (v3 flattened, v4 detached).
//! - [`ack`]: the spec's ack, the answer to every request.
//! - [`service`]: the pipeline ([`CallbackService::handle`]) as named steps: bytes in,
//!   reply out; one conditional write per callback.
//! - [`payload`]: the validated body as the event's payload (with the lender's spelling of
//!   every scalar validation left alone) and its canonical hash; [`digest`]: SHA-256, SHA-1.
//! - [`event`]: the versioned envelope consumers receive, its id and the idempotency key
//!   (`<TYPE>#<orgId>#<requestId>`).
//! - [`request`]: the LSP's requests, which callbacks answer: their record, the
//!   correlation mode, the LSP's ids an event carries.
//! - [`store`]: the idempotency store port (its DynamoDB adapter is `ocen-shared`'s).
//! - [`publish`]: the event publisher port (its SQS adapter is `ocen-shared`'s), and
//!   [`publish::limits`]: every SQS limit a message is built to meet, with its source.
//! - [`config`], [`telemetry`]: read once per cold start; the log line and counters.
//! - `testing` (feature `testing`): in-memory fakes and sample bodies for unit tests.

pub mod ack;
pub mod auth;
pub mod callback;
pub mod callbacks;
pub mod config;
mod digest;
pub mod domain;
pub mod error;
pub mod event;
mod payload;
pub mod publish;
pub mod request;
pub mod service;
pub mod store;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod wire;

pub use callback::CallbackType;
pub use error::{ErrorCode, Rejection};
pub use service::{CallbackService, Inbound, Reply};
