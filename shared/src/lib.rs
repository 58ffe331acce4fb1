//! # ocen-shared: the LSP side of the OCEN v3 asynchronous callbacks
//!
//! Lenders POST callbacks to the LSP; this crate holds everything about them that is not
//! wiring. A request travels through the rooms in this order:
//!
//! - [`callback`]: which callback a request is ([`CallbackType`]) and the paths it arrives on.
//! - [`wire`]: the one reading of a body into a tree whose scalars are the lender's text.
//! - [`domain`]: the attribute types (`RequestId`, `OrgId`, `OcenTimestamp`, `Amount`, the
//!   enums, `MaskedPhoneNumber`, ...), each read from the body by its `parse`.
//! - [`callbacks`]: one module per callback, its body declared once; the registry.
//! - [`error`]: why a callback is refused ([`Rejection`], [`ErrorCode`]), and the one
//!   mapping to HTTP status and ack code.
//! - [`auth`]: the lender registry and JWS verification (v3 flattened, v4 detached).
//! - [`ack`]: the spec's ack, the answer to every request.
//! - [`service`]: the pipeline ([`CallbackService::handle`]) as named steps: bytes in,
//!   reply out; one conditional write per callback.
//! - [`store`]: the idempotency store port and its DynamoDB adapter.
//! - [`event`]: the versioned envelope consumers receive.
//! - [`publish`]: the event publisher port, its SQS adapter, and [`publish::limits`]: every
//!   SQS limit a message is built to meet, with its source.
//! - [`dispatch`]: the outbox dispatcher, from table stream records to queues: per-queue
//!   progress (delivery markers in [`store`]), by-reference messages, poison parked.
//! - [`http`]: the Lambda (API Gateway v2) adapter used by the callback functions.
//! - [`config`], [`aws`], [`telemetry`]: read once per cold start.
//! - `testing` (feature `testing`): in-memory fakes and sample bodies for unit tests.
//!
//! The request path (every module above but `aws`, `http`, `dispatch` and the two
//! adapters) is the crate `ocen-shared-core` (`shared/core`), re-exported here under the
//! same paths: it is built at `opt-level = 3`, this crate at `"z"` with the AWS SDK
//! (docs/performance.md "Build profile").

#[cfg(any(test, feature = "testing"))]
pub use ocen_shared_core::testing;
pub use ocen_shared_core::{
    ack, callback, callbacks, config, domain, error, event, request, service, wire,
    CallbackService, CallbackType, ErrorCode, Inbound, Rejection, Reply,
};

pub mod auth;
pub mod aws;
pub mod dispatch;
pub mod http;
pub mod telemetry;

/// The idempotency store port ([`ocen_shared_core::store`]) and its DynamoDB adapter.
pub mod store {
    pub use ocen_shared_core::store::*;
    pub mod dynamodb;
}

/// The event publisher port ([`ocen_shared_core::publish`]) and its SQS adapter.
pub mod publish {
    pub use ocen_shared_core::publish::*;
    pub mod sqs;
}
