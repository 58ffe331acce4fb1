//! `ocen-ops`'s command line as a user meets it: help that exits 0 and lists every callback
//! type, a version, shell completions, and usage errors that exit 2 and say what to type.

use ocen_local::cli::checks;

const BIN: &str = env!("CARGO_BIN_EXE_ocen-ops");

#[test]
fn help_exits_0_and_lists_every_callback_type() {
    checks::help_lists_every_type(BIN, "redrive --help");
}

#[test]
fn version_names_the_release() {
    checks::version_is(BIN, "ocen-ops", env!("CARGO_PKG_VERSION"));
}

#[test]
fn completions_are_generated_for_bash_and_zsh() {
    checks::completions_name(BIN, "redrive");
}

#[test]
fn a_usage_error_exits_2_and_says_what_to_type() {
    checks::usage_error(BIN, "redrive --no-such-option");
}

#[test]
fn a_mistyped_callback_type_is_refused_with_the_nearest_one() {
    let (code, text) = checks::run(BIN, "inspect DISBURSEMENT_RESPONS LENDER-ABC r-1");
    assert_eq!(code, Some(2));
    assert!(
        text.contains("a similar value exists: 'DISBURSEMENT_RESPONSE'"),
        "{text}"
    );
}

#[test]
fn a_request_id_without_its_lender_is_refused_before_any_aws_call() {
    let (code, text) = checks::run(BIN, "replay --request-id r-1");
    assert_eq!(code, Some(2));
    assert!(text.contains("--org <ORG_ID>"), "{text}");
}
