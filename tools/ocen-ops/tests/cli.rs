//! `ocen-ops`'s command line as a user meets it: help that exits 0 and lists every callback
//! type, a version, shell completions, and usage errors that exit 2 and say what to type.

use ocen_shared::CallbackType;
use std::process::{Command, Output};

fn run(args: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocen-ops"))
        .args(args.split_whitespace())
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn help_exits_0_and_lists_every_callback_type() {
    let out = run("redrive --help");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for k in CallbackType::ALL {
        assert!(
            text(&out).contains(k.as_str()),
            "{k} missing from:\n{}",
            text(&out)
        );
    }
}

#[test]
fn version_names_the_release() {
    let out = run("--version");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out).trim(),
        format!("ocen-ops {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_are_generated_for_bash_and_zsh() {
    for shell in ["bash", "zsh"] {
        let out = run(&format!("completions {shell}"));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("redrive"), "{shell}: {}", text(&out));
    }
}

#[test]
fn a_usage_error_exits_2_and_says_what_to_type() {
    let out = run("redrive --no-such-option");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--help"), "{}", text(&out));
}

#[test]
fn a_mistyped_callback_type_is_refused_with_the_nearest_one() {
    let out = run("inspect DISBURSEMENT_RESPONS LENDER-ABC r-1");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("a similar value exists: 'DISBURSEMENT_RESPONSE'"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_request_id_without_its_lender_is_refused_before_any_aws_call() {
    let out = run("replay --request-id r-1");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--org <ORG_ID>"), "{}", text(&out));
}
