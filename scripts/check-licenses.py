#!/usr/bin/env python3
"""Fails when any crate in the dependency graph is not under a permissive licence.

Reads `cargo metadata` (the resolved graph, normal and build dependencies of every
target platform) and evaluates each crate's SPDX expression: `A OR B` needs one allowed
side, `A AND B` needs both. No GPL/LGPL/AGPL may enter (e.g. actix-governor is GPL-3.0).
"""
import json
import re
import subprocess
import sys

ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause",
    "ISC", "Zlib", "0BSD", "CC0-1.0", "Unlicense", "BSL-1.0", "Unicode-3.0", "Unicode-DFS-2016",
    "OpenSSL", "CDLA-Permissive-2.0", "PostgreSQL", "bzip2-1.0.6",
}


def tokens(expr):
    return re.findall(r"\(|\)|[A-Za-z0-9.+\-]+(?: WITH [A-Za-z0-9.+\-]+)?", expr.replace("/", " OR "))


def evaluate(toks):
    """Recursive descent over OR (lowest), AND, atoms and parentheses."""
    pos = 0

    def parse_or():
        nonlocal pos
        ok = parse_and()
        while pos < len(toks) and toks[pos] == "OR":
            pos += 1
            ok = parse_and() or ok
        return ok

    def parse_and():
        nonlocal pos
        ok = parse_atom()
        while pos < len(toks) and toks[pos] == "AND":
            pos += 1
            ok = parse_atom() and ok
        return ok

    def parse_atom():
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok == "(":
            ok = parse_or()
            pos += 1  # ')'
            return ok
        return tok in ALLOWED

    return parse_or()


def main():
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked"], text=True))
    resolved = {n["id"] for n in meta["resolve"]["nodes"]}
    bad = []
    for pkg in meta["packages"]:
        if pkg["id"] not in resolved or pkg["source"] is None:
            continue
        lic = pkg.get("license")
        if not lic:
            bad.append(f"{pkg['name']} {pkg['version']}: no SPDX licence expression")
        elif not evaluate(tokens(lic)):
            bad.append(f"{pkg['name']} {pkg['version']}: {lic}")
    checked = sum(1 for p in meta["packages"] if p["id"] in resolved and p["source"])
    if bad:
        print(f"licence check: {len(bad)} of {checked} crates are not permissive:")
        print("\n".join("  " + b for b in sorted(bad)))
        return 1
    print(f"licence check: all {checked} crates are under permissive licences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
