//! What the three CLIs (`ocen-local`, `ocen-ops`, `ocen-lender`) share on the command line:
//! the callback type argument, its values listed from the registry, and shell completions.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use ocen_shared::CallbackType;

/// A callback type, by its name (`DISBURSEMENT_RESPONSE`) or its events' stem
/// (`disbursement`). `--help` lists every registered type with its title; a mistyped one is
/// refused with the closest names.
pub fn callback_type() -> impl TypedValueParser<Value = CallbackType> {
    let values = CallbackType::ALL.iter().map(|k| {
        let d = k.def();
        PossibleValue::new(d.name)
            .alias(d.event_stem())
            .help(d.title)
    });
    PossibleValuesParser::new(values)
        .map(|name| by_name(&name).expect("the parser takes registered names and stems only"))
}

/// The callback type named `name` or whose events' stem is `name`.
pub fn by_name(name: &str) -> Option<CallbackType> {
    CallbackType::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == name || k.def().event_stem() == name)
}

/// `command` with every registered callback type listed after the help of it and of each of
/// its subcommands (the types a TYPE argument or `--type` takes, and what `make run` serves).
pub fn with_types(command: clap::Command) -> clap::Command {
    let width = CallbackType::ALL
        .iter()
        .map(|k| k.as_str().len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("Callback types (TYPE: the name, or the events' stem):\n");
    for &k in CallbackType::ALL {
        let d = k.def();
        text.push_str(&format!(
            "  {:<width$}  {:<36} {}\n",
            d.name,
            d.event_stem(),
            d.title
        ));
    }
    fn append(c: clap::Command, text: &str) -> clap::Command {
        let before = c
            .get_after_help()
            .map(|h| format!("{h}\n\n"))
            .unwrap_or_default();
        c.after_help(format!("{before}{text}"))
            .mut_subcommands(|sub| append(sub, text))
    }
    append(command, text.trim_end())
}

/// Writes `command`'s completion script for `shell` to stdout.
pub fn print_completions(shell: clap_complete::Shell, mut command: clap::Command) {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout());
}

/// What every CLI's own tests check of it (`tools/*/tests/cli.rs`), on its built binary.
pub mod checks {
    use ocen_shared::CallbackType;
    use std::process::Command;

    /// The binary's exit code and all it printed, run with whitespace-split `args`.
    pub fn run(binary: &str, args: &str) -> (Option<i32>, String) {
        let out = Command::new(binary)
            .args(args.split_whitespace())
            .output()
            .expect("the binary runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code(), text)
    }

    /// `args` (a help) exits 0 and names every registered callback type.
    pub fn help_lists_every_type(binary: &str, args: &str) {
        let (code, text) = run(binary, args);
        assert_eq!(code, Some(0), "{text}");
        for k in CallbackType::ALL {
            assert!(text.contains(k.as_str()), "{k} missing from:\n{text}");
        }
    }

    /// `--version` prints `name version`.
    pub fn version_is(binary: &str, name: &str, version: &str) {
        let (code, text) = run(binary, "--version");
        assert_eq!(code, Some(0), "{text}");
        assert_eq!(text.trim(), format!("{name} {version}"));
    }

    /// `completions bash` and `completions zsh` exit 0 and complete `subcommand`.
    pub fn completions_name(binary: &str, subcommand: &str) {
        for shell in ["bash", "zsh"] {
            let (code, text) = run(binary, &format!("completions {shell}"));
            assert_eq!(code, Some(0), "{text}");
            assert!(text.contains(subcommand), "{shell}: {text}");
        }
    }

    /// `args` is a usage error: exit 2, pointing at `--help`.
    pub fn usage_error(binary: &str, args: &str) {
        let (code, text) = run(binary, args);
        assert_eq!(code, Some(2), "{text}");
        assert!(text.contains("--help"), "{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[arg(value_parser = callback_type())]
        kind: CallbackType,
    }

    #[test]
    fn every_registered_type_is_taken_by_name_and_by_stem() {
        for &k in CallbackType::ALL {
            let by_name = Probe::try_parse_from(["probe", k.as_str()]).unwrap();
            let by_stem = Probe::try_parse_from(["probe", k.def().event_stem()]).unwrap();
            assert_eq!((by_name.kind, by_stem.kind), (k, k));
        }
    }

    #[test]
    fn a_mistyped_type_is_refused_with_the_nearest_name() {
        let err = Probe::try_parse_from(["probe", "DISBURSEMENT_RESPONS"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("DISBURSEMENT_RESPONSE"), "{err}");
    }
}
