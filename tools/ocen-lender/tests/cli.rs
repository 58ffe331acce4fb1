//! `ocen-lender`'s command line as a user meets it: help that exits 0 and lists every callback
//! type, a version, shell completions, and usage errors that exit 2 and say what to type.

use ocen_shared::CallbackType;
use std::process::{Command, Output};

fn run(args: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocen-lender"))
        .args(args.split_whitespace())
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn help_exits_0_and_lists_every_callback_type() {
    let out = run("load --help");
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
        format!("ocen-lender {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_are_generated_for_bash_and_zsh() {
    for shell in ["bash", "zsh"] {
        let out = run(&format!("completions {shell}"));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("load"), "{shell}: {}", text(&out));
    }
}

#[test]
fn a_usage_error_exits_2_and_says_what_to_type() {
    let out = run("load --no-such-option");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--help"), "{}", text(&out));
}
