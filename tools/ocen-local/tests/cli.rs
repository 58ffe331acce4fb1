//! `ocen-local`'s command line as a user meets it: help that exits 0 and lists every callback
//! type, a version, shell completions, and usage errors that exit 2 and say what to type.

use ocen_local::cli::checks;

const BIN: &str = env!("CARGO_BIN_EXE_ocen-local");

#[test]
fn help_exits_0_and_lists_every_callback_type() {
    checks::help_lists_every_type(BIN, "--help");
}

#[test]
fn version_names_the_release() {
    checks::version_is(BIN, "ocen-local", env!("CARGO_PKG_VERSION"));
}

#[test]
fn completions_are_generated_for_bash_and_zsh() {
    checks::completions_name(BIN, "request-events");
}

#[test]
fn a_usage_error_exits_2_and_says_what_to_type() {
    checks::usage_error(BIN, "request-events --no-such-option");
}
