#!/usr/bin/env python3
"""Checks that `sam build` produced one aarch64 Linux `bootstrap` per function of the template,
each within the size budget of the README's Performance section (8 MB stripped: issue 24 raised it from 6 MB
for 26 callbacks)."""
import pathlib, re, sys

BUDGET = 8_000_000  # bytes

build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")
template = pathlib.Path("infra/template.yaml").read_text()
functions = re.findall(r"^  (\w+):\n    Type: AWS::Serverless::Function", template, re.M)
failed = False
for fn in functions:
    path = build / fn / "bootstrap"
    if not path.is_file():
        print(f"  MISSING {path}")
        failed = True
        continue
    head = path.read_bytes()[:20]
    machine = int.from_bytes(head[18:20], "little")
    size = path.stat().st_size
    ok = head[:4] == b"\x7fELF" and machine == 183  # EM_AARCH64
    verdict = "ok" if ok else "WRONG ARCHITECTURE"
    if ok and size > BUDGET:
        ok, verdict = False, f"OVER THE {BUDGET / 1e6:.0f} MB BUDGET"
    print(f"  {verdict} {fn}: {path} ({size / 1e6:.2f} MB, {'aarch64' if machine == 183 else machine})")
    failed |= not ok
if not functions:
    print("no functions found in infra/template.yaml")
    failed = True
sys.exit(1 if failed else 0)
