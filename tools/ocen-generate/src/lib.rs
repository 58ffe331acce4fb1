//! # ocen-generate: what the callback registry writes
//!
//! `make generate` runs it; a test fails when a committed file differs from what it writes.
//!
//! - [`events`]: `events/`, API Gateway events for `cargo lambda invoke` and the smoke run.
//! - [`docs`]: `docs/openapi.json` (paths, and the bodies' schemas from their types) and the
//!   README's tables.
//! - [`template`]: each callback's blocks of `infra/template.yaml` (function, routes, log
//!   group, alarms, queue subscription).
//!
//! Only tools and tests use it: no function and no operator's tool depends on it.

pub mod docs;
pub mod events;
pub mod template;

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
