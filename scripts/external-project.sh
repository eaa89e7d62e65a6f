#!/usr/bin/env bash
# A new Cargo project outside the workspace, with the `crisp` facade crate as its only
# dependency (by path): its main.rs is notebooks-equivalents/library_tour.rs, which trains a
# gbdt from a DataFrame, runs linfa's k-fold cross-validation on crisp-trees, gates the model
# with a slice and a baseline, searches, and writes, reads and predicts with an artifact.
#
# It takes the workspace's Cargo.lock and build profiles, so with the same CARGO_TARGET_DIR the
# dependencies already built for the workspace are reused instead of rebuilt.
#
# Usage: scripts/external-project.sh        (CI runs it through .ci/run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

project="$work/crisp-user"
cargo new --quiet --vcs none --bin --name crisp-user "$project"
cat >> "$project/Cargo.toml" <<TOML
crisp = { path = "$root/crates/crisp" }

TOML
# The workspace's [profile.*] sections (they end the root manifest).
sed -n '/^\[profile\./,$p' "$root/Cargo.toml" >> "$project/Cargo.toml"
cp "$root/notebooks-equivalents/library_tour.rs" "$project/src/main.rs"
cp "$root/Cargo.lock" "$project/Cargo.lock"

echo "external project: $project (depends on $root/crates/crisp)"
(cd "$project" && cargo run --quiet -- "$root/datasets")
