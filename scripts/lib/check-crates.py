#!/usr/bin/env python3
"""Checks the crate graph (`cargo metadata`): each capability crate (capabilities/<name>/) is a
workspace member, the engine crate (atomiton-core) has no feature of that name left, and the
engine does not depend on it. Prints each problem; exits 1 when there is any."""
import json
import subprocess
import sys

meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {package["name"]: package for package in meta["packages"]}
core = packages["atomiton-core"]
problems = []
capabilities = [p for p in meta["packages"] if "/capabilities/" in p["manifest_path"]]
for package in capabilities:
    name = package["name"]
    capability = name.removeprefix("atomiton-")
    if capability in core["features"]:
        problems.append(f"{name}: atomiton-core still has the feature '{capability}'")
    if any(dependency["name"] == name for dependency in core["dependencies"] if dependency["kind"] is None):
        problems.append(f"atomiton-core depends on {name}: the engine must not reach its capabilities")
for problem in problems:
    print(f"check-crates: {problem}", file=sys.stderr)
print(f"check-crates: {len(capabilities)} capability crate(s): {', '.join(p['name'] for p in capabilities)}")
sys.exit(1 if problems else 0)
