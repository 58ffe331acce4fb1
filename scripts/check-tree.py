#!/usr/bin/env python3
"""A clone is the whole project: fail when a tracked file reaches outside the checkout, or
is too big to belong in git.

  scripts/check-tree.py             check the tracked files of this checkout
  scripts/check-tree.py --self-test check the checker on made-up cases

1. Every relative path climbing out of its folder (`..` segments) in a tracked file other than Markdown is resolved
   from where the tool that reads it resolves it, and must stay inside the repository:
   - Rust: `include_str!`/`include_bytes!` from the file's folder; anything else (e.g.
     `Path::new(env!("CARGO_MANIFEST_DIR")).join(..)`) from the crate's folder (nearest
     `Cargo.toml`);
   - Cargo.toml: from its folder;
   - scripts and everything else: from the repository root (the scripts `cd` there) *and*
     from the file's folder: it must stay inside from both.
2. No tracked file is larger than 1 MB (build output, binaries and caches do not belong in
   git; `.gitignore` lists them).
"""
import os
import re
import subprocess
import sys
from pathlib import PurePosixPath

MAX_BYTES = 1_000_000
CLIMB = re.compile(r"(?<![\w.])((?:\.\./)+[\w.\-/]*)")


def crate_dir(path, exists):
    d = PurePosixPath(path).parent
    while True:
        if exists(str(d / "Cargo.toml")) or str(d) == ".":
            return d
        d = d.parent


def escapes(base, rel):
    """True when `rel`, read from folder `base` (relative to the repo root), leaves the repo."""
    depth = 0 if str(base) == "." else len(PurePosixPath(base).parts)
    for part in PurePosixPath(rel).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part != ".":
            depth += 1
    return False


def bases(path, line, exists):
    p = PurePosixPath(path)
    if p.suffix == ".rs":
        if "include_str!" in line or "include_bytes!" in line:
            return [p.parent]
        return [crate_dir(path, exists)]
    if p.name == "Cargo.toml":
        return [p.parent]
    return [PurePosixPath("."), p.parent]


def climbing_paths(path, text, exists):
    """(line number, path) of every climbing path in `text` that leaves the repository."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in CLIMB.finditer(line):
            rel = m.group(1)
            if any(escapes(b, rel) for b in bases(path, line, exists)):
                found.append((n, rel))
    return found


def check(files, size, read, exists):
    problems = []
    for f in files:
        n = size(f)
        if n > MAX_BYTES:
            problems.append(f"{f}: {n:,} bytes, over the {MAX_BYTES:,}-byte limit for a tracked file")
        if f.endswith(".md"):
            continue
        text = read(f)
        if text is None:  # binary
            continue
        for line, rel in climbing_paths(f, text, exists):
            problems.append(f"{f}:{line}: `{rel}` leaves the checkout (copy what it needs into the repo)")
    return problems


def read_text(f):
    with open(f, "rb") as fh:
        data = fh.read()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def self_test():
    # The cases climb with UP, so this file's own text does not.
    up = "." + "./"
    files = {
        "Cargo.toml": "[workspace]\n",
        "shared/Cargo.toml": "",
        "shared/src/testing.rs": f'Path::new(env!("CARGO_MANIFEST_DIR")).join("{up * 2}shared/ocen-spec")\n',
        "shared/src/ok.rs": f'Path::new(env!("CARGO_MANIFEST_DIR")).join("{up}spec")\n'
        f'include_bytes!("{up}certs/x.pem")\n',
        "functions/f/Cargo.toml": f'ocen-shared = {{ path = "{up * 2}shared" }}\n',
        "functions/f/src/h.rs": f'include_str!("{up * 3}events/x.json")\n',
        "functions/g/src/h.rs": f'include_str!("{up * 4}outside.json")\n',
        "scripts/fuzz.sh": f'sample = pathlib.Path("{up}shared/ocen-spec/x.json")\n',
        "scripts/ok.sh": 'cd "$(dirname "$0")/.."\ncat spec/x\n',
        "README.md": f"see {up}shared/ocen-spec\n",
        "big.bin": None,
    }
    sizes = {f: len(t or "") for f, t in files.items()}
    sizes["big.bin"] = MAX_BYTES + 1
    got = check(sorted(files), sizes.get, files.get, lambda p: p in files)
    flagged = sorted({g.split(":")[0] for g in got})
    want = ["big.bin", "functions/g/src/h.rs", "scripts/fuzz.sh", "shared/src/testing.rs"]
    if flagged != want:
        print(f"self-test failed: flagged {flagged}, expected {want}", file=sys.stderr)
        for g in got:
            print("  " + g, file=sys.stderr)
        return 1
    print(f"self-test passed: {len(got)} problems found in the {len(want)} bad cases, none elsewhere")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
    os.chdir(root)
    files = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout.decode().split("\0")
    files = [f for f in files if f and os.path.isfile(f)]
    problems = check(files, os.path.getsize, read_text, os.path.exists)
    if problems:
        print("the checkout is not self-contained:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"{len(files)} tracked files: none reaches outside the checkout, none over {MAX_BYTES:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
