#!/usr/bin/env bash
# Runs the unit tests of crisp-trees' src/spin.rs (the unsafe fork-join behind the spinning
# helper thread) under Miri, which reports undefined behaviour: pointers used outside their
# provenance (Stacked Borrows), data races, use after free.
#
#   scripts/miri.sh                  # nightly toolchain with the miri component
#   MIRI_TOOLCHAIN=nightly-2026-05-01 scripts/miri.sh
#   MIRIFLAGS=-Zmiri-tree-borrows scripts/miri.sh    # Tree Borrows instead of Stacked Borrows
#
# Needs a toolchain with Miri, which stable Rust does not ship:
#   rustup toolchain install nightly --component miri,rust-src --profile minimal
# Without one it says that Miri is unavailable and exits 0: the check is skipped, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain="${MIRI_TOOLCHAIN:-nightly}"
if ! cargo "+$toolchain" miri --version >/dev/null 2>&1; then
    echo "miri.sh: Miri is unavailable (no '$toolchain' toolchain with the miri component):" \
        "spin.rs was NOT checked." >&2
    echo "miri.sh: to check it, install one with" \
        "'rustup toolchain install $toolchain --component miri,rust-src --profile minimal'." >&2
    exit 0
fi

# A target directory of its own: Miri's builds differ from normal ones.
export CARGO_TARGET_DIR="${MIRI_TARGET_DIR:-/var/tmp/crisp-miri-target}"
# The tests drive the helper protocol directly, without a rayon pool: Miri reports undefined
# behaviour (Stacked Borrows) inside crossbeam-epoch 0.9, which rayon's pools run on, so the
# one test that needs a pool is ignored under Miri.
# The helper thread lives as long as the process and is never joined: without
# -Zmiri-ignore-leaks Miri fails the run because the main thread ends while it still exists.
export MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-ignore-leaks"
echo "miri.sh: $(cargo "+$toolchain" miri --version); MIRIFLAGS=$MIRIFLAGS" >&2
cargo "+$toolchain" miri test -p crisp-trees --lib -- spin::
