# Shared set-up of the comparison scripts (sourced, not run): the build directory, the
# Python venv and the work directory. After `bench_env PKG...`, $PY is a Python with the
# given pip packages, and $WORK holds data and raw results.
#   CRISP_BENCH_VENV  venv directory (default /var/tmp/crisp-bench-venv)
#   CRISP_BENCH_DIR   work directory (default /var/tmp/crisp-bench-data)
bench_env() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crisp-target}"
  VENV="${CRISP_BENCH_VENV:-/var/tmp/crisp-bench-venv}"
  WORK="${CRISP_BENCH_DIR:-/var/tmp/crisp-bench-data}"
  mkdir -p "$WORK"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  PY="$VENV/bin/python"
  local modules
  modules=$(printf '%s, ' "$@" | sed 's/scikit-learn/sklearn/; s/, $//')
  if ! "$PY" -c "import $modules" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "$@"
  fi
}
