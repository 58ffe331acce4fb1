//! The benches measure the code as it ships (docs/performance.md, harness row b): the bench
//! profile is the release profile as it is. Before, it turned off whole-program LTO and the
//! single codegen unit to build faster, and every in-process figure was 10-15 % slower than
//! the deployed functions. Asserted here so that a build-time shortcut cannot creep back in
//! unnoticed; the check also runs against weakened copies, to prove it can fail.

use std::path::Path;

/// The `key = value` lines of `[profile.<name>]` in a Cargo manifest, comments dropped;
/// `None` when the manifest has no such section.
fn profile(manifest: &str, name: &str) -> Option<Vec<(String, String)>> {
    let header = format!("[profile.{name}]");
    let mut lines = manifest
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim());
    lines.by_ref().find(|l| *l == header)?;
    Some(
        lines
            .take_while(|l| !l.starts_with('['))
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect(),
    )
}

/// What is wrong with the bench profile of `manifest`, if anything.
fn bench_profile_problem(manifest: &str) -> Option<String> {
    let expected = vec![("inherits".to_string(), "\"release\"".to_string())];
    match profile(manifest, "bench") {
        // Cargo's default: the bench profile inherits release unchanged.
        None => None,
        Some(settings) if settings.is_empty() || settings == expected => None,
        Some(settings) => Some(format!(
            "[profile.bench] must be the release profile as it is, found {settings:?}"
        )),
    }
}

fn workspace_manifest() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_benches_are_built_with_the_release_profile_as_it_is() {
    let manifest = workspace_manifest();
    assert!(
        profile(&manifest, "release")
            .is_some_and(|s| s.contains(&("lto".to_string(), "\"fat\"".to_string()))),
        "the release profile the functions ship with is found"
    );
    assert_eq!(bench_profile_problem(&manifest), None);
}

#[test]
fn a_bench_profile_that_turns_off_lto_or_splits_codegen_is_caught() {
    let manifest = workspace_manifest();
    for weakening in ["lto = false", "codegen-units = 16", "opt-level = 2"] {
        let weakened = manifest.replace(
            "[profile.bench]\n",
            &format!("[profile.bench]\n{weakening} # build faster\n"),
        );
        assert_ne!(
            weakened, manifest,
            "the manifest has a [profile.bench] section"
        );
        let problem = bench_profile_problem(&weakened);
        assert!(
            problem
                .as_deref()
                .is_some_and(|p| p.contains(weakening.split(' ').next().unwrap())),
            "{weakening}: {problem:?}"
        );
    }
}

#[test]
fn a_bench_profile_inheriting_another_profile_is_caught() {
    let weakened = "[profile.bench]\ninherits = \"local\"\n\n[profile.local]\nlto = false\n";
    assert!(bench_profile_problem(weakened).is_some());
    assert_eq!(
        bench_profile_problem("[profile.release]\nlto = \"fat\"\n"),
        None,
        "no bench section: Cargo's default, the release profile"
    );
}
