#!/usr/bin/env bash
# Browser check of the HTML reports (issue 15): makes every kind of report with the real crisp
# binary on the repository's datasets, opens each one in headless Chromium (Debian's package,
# driven by playwright-core) and fails on console errors, page errors, any request other than
# the file itself, and any expected plot that is missing, hidden, too small or blank
# (scripts/check_reports.mjs holds the plots each page must have).
#
#   scripts/check-reports.sh [--shots DIR] [--readme-shots]   the reports of the real binary
#   scripts/check-reports.sh --self-test [--shots DIR]        hand-written pages, every fault caught
#
# --shots DIR       full-page PNG of each page into DIR (default: the temporary directory)
# --readme-shots    also write docs/screenshots/train-report.png (from the first section with a
#                   plot) and profile-report.png (from the top), 1200 px wide, 1600 px high
# Environment: CRISP_BIN (default $CARGO_TARGET_DIR/debug/crisp, built when absent),
# CARGO_TARGET_DIR (default /var/tmp/crisp-target), CRISP_BROWSER_CHECK_DIR (where
# playwright-core is installed, default /var/tmp/crisp-browser-check), CRISP_CHROMIUM
# (default /usr/bin/chromium, installed with apt-get when missing).
# Exit 0 every page passes, 1 a page fails (or a report could not be made), 2 setup error.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

setup_error() { echo "check-reports: $*" >&2; exit 2; }

SELF_TEST=0
README_SHOTS=0
SHOTS=
while [ $# -gt 0 ]; do
  case "$1" in
    --self-test) SELF_TEST=1 ;;
    --readme-shots) README_SHOTS=1 ;;
    --shots) [ $# -ge 2 ] || setup_error "--shots needs a directory"; SHOTS=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) setup_error "unknown argument $1 (see --help)" ;;
  esac
  shift
done

export CRISP_BROWSER_CHECK_DIR="${CRISP_BROWSER_CHECK_DIR:-/var/tmp/crisp-browser-check}"
export CRISP_CHROMIUM="${CRISP_CHROMIUM:-/usr/bin/chromium}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/crisp-target}"
CRISP_BIN="${CRISP_BIN:-$CARGO_TARGET_DIR/debug/crisp}"
SECONDS=0

# ---- Node.js, Chromium and playwright-core --------------------------------------------------
command -v node >/dev/null && command -v npm >/dev/null \
  || setup_error "node and npm are not installed (Debian: apt-get install nodejs npm)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
  || setup_error "node $(node --version) is too old: playwright-core needs Node.js 20 or newer"

mkdir -p "$CRISP_BROWSER_CHECK_DIR"
LOG="$CRISP_BROWSER_CHECK_DIR/install.log"

if [ ! -x "$CRISP_CHROMIUM" ]; then
  echo "check-reports: installing Debian's chromium (apt-get)"
  apt_chromium() {
    "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
      || { "$@" apt-get update -q && "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
  }
  { apt_chromium command || apt_chromium sudo; } >"$LOG" 2>&1 \
    || { tail -n 5 "$LOG" >&2; setup_error "could not install chromium (Debian: apt-get install chromium); log in $LOG"; }
  [ -x "$CRISP_CHROMIUM" ] || setup_error "chromium was installed but $CRISP_CHROMIUM is not there (set CRISP_CHROMIUM)"
fi

# playwright-core at the exact version of scripts/package.json, outside the repository.
want=$(node -p 'require(process.argv[1]).dependencies["playwright-core"]' "$REPO/scripts/package.json")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
  "$CRISP_BROWSER_CHECK_DIR/node_modules/playwright-core/package.json")
if [ "$have" != "$want" ]; then
  echo "check-reports: installing playwright-core $want into $CRISP_BROWSER_CHECK_DIR (npm ci)"
  cp "$REPO/scripts/package.json" "$REPO/scripts/package-lock.json" "$CRISP_BROWSER_CHECK_DIR/"
  (cd "$CRISP_BROWSER_CHECK_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$LOG" 2>&1 \
    || { tail -n 5 "$LOG" >&2; setup_error "npm could not install playwright-core $want into $CRISP_BROWSER_CHECK_DIR; log in $LOG"; }
fi

CHECK=(node "$REPO/scripts/check_reports.mjs")
if [ -n "$SHOTS" ]; then
  mkdir -p "$SHOTS"
  SHOTS=$(cd "$SHOTS" && pwd)
fi

if [ "$SELF_TEST" = 1 ]; then
  [ "$README_SHOTS" = 0 ] || setup_error "--readme-shots goes with the real reports, not --self-test"
  status=0
  "${CHECK[@]}" --self-test ${SHOTS:+--shots "$SHOTS"} || status=$?
  echo "check-reports: self-test took ${SECONDS}s"
  exit "$status"
fi

# ---- The crisp binary -----------------------------------------------------------------------
if [ ! -x "$CRISP_BIN" ]; then
  command -v cargo >/dev/null || setup_error "$CRISP_BIN does not exist and cargo is not installed"
  echo "check-reports: building $CRISP_BIN (cargo build --workspace --bin crisp)"
  cargo build --workspace --bin crisp || setup_error "cargo build --workspace --bin crisp failed"
  [ -x "$CRISP_BIN" ] || setup_error "the build did not make $CRISP_BIN (set CRISP_BIN)"
fi
for cmd in "train" "validate" "profile" "runs report"; do
  # shellcheck disable=SC2086 # "runs report" is two words on purpose
  "$CRISP_BIN" $cmd --help 2>/dev/null | grep -q -- '--html' \
    || setup_error "'crisp $cmd' of $CRISP_BIN has no --html flag (an old binary? rebuild it or set CRISP_BIN)"
done

# ---- Make the reports -----------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crisp-reports.XXXXXX")
SHOTS=${SHOTS:-$WORK}
export CRISP_STORE="$WORK/runs.db"
echo "check-reports: $CRISP_BIN, pages in $WORK, screenshots in $SHOTS"

made=()          # SPEC=FILE for the checker
gen_failures=0
# crisp_report SPEC PAGE EXPECTED_EXIT ARGS...: run crisp, which must exit EXPECTED_EXIT and write PAGE.
crisp_report() {
  local spec=$1 page=$2 want=$3
  shift 3
  local rc=0
  "$CRISP_BIN" "$@" -q --store "$WORK/runs.db" >"$WORK/${page%.html}.log" 2>&1 || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $page: crisp $* exited $rc (expected $want): $(grep -v '^\s*$' "$WORK/${page%.html}.log" | tail -n 1)"
    gen_failures=$((gen_failures + 1))
  elif [ ! -s "$WORK/$page" ]; then
    echo "FAIL $page: crisp $* exited $rc but wrote no $WORK/$page"
    gen_failures=$((gen_failures + 1))
  else
    made+=("$spec=$WORK/$page")
  fi
}

D="$REPO/datasets"
crisp_report train-classification train-adult.html 0 \
  train --data "$D/adult.csv" --target income --test-data "$D/adult_test.csv" \
  --out "$WORK/adult.crisp" --html "$WORK/train-adult.html"
crisp_report train-regression train-diamonds.html 0 \
  train --data "$D/diamonds.csv" --target price --out "$WORK/diamonds.crisp" --html "$WORK/train-diamonds.html"
crisp_report train-classification train-iris.html 0 \
  train --data "$D/iris.csv" --target species --out "$WORK/iris.crisp" --html "$WORK/train-iris.html"
# Two more runs with other parameters, so that the runs report has something to plot against.
for depth in 2 4; do
  "$CRISP_BIN" train --data "$D/iris.csv" --target species --param "max_depth=$depth" \
    --out "$WORK/iris-$depth.crisp" -q --store "$WORK/runs.db" >"$WORK/iris-$depth.log" 2>&1 \
    || { echo "FAIL runs.html: crisp train --param max_depth=$depth failed: $(tail -n 1 "$WORK/iris-$depth.log")"; gen_failures=$((gen_failures + 1)); }
done
if [ -s "$WORK/adult.crisp" ]; then
  crisp_report validate-classification-slice validate-adult.html 0 \
    validate --model "$WORK/adult.crisp" --data "$D/adult_test.csv" --threshold 'roc_auc>=0.8' \
    --slice sex --html "$WORK/validate-adult.html"
  crisp_report validate-classification-failed validate-adult-failed.html 1 \
    validate --model "$WORK/adult.crisp" --data "$D/adult_test.csv" --threshold 'roc_auc>=0.999' \
    --html "$WORK/validate-adult-failed.html"
fi
if [ -s "$WORK/diamonds.crisp" ]; then
  crisp_report validate-regression-slice validate-diamonds.html 0 \
    validate --model "$WORK/diamonds.crisp" --data "$D/diamonds.csv" --threshold 'r2>=0.8' \
    --slice cut --html "$WORK/validate-diamonds.html"
fi
crisp_report profile-adult-target profile-adult.html 0 \
  profile "$D/adult.csv" --target income --html "$WORK/profile-adult.html"
crisp_report profile-diamonds profile-diamonds.html 0 \
  profile "$D/diamonds.csv" --html "$WORK/profile-diamonds.html"
crisp_report runs runs.html 0 runs report --html "$WORK/runs.html"
echo "check-reports: made ${#made[@]} reports in ${SECONDS}s"

# ---- Check them in the browser --------------------------------------------------------------
readme=()
if [ "$README_SHOTS" = 1 ]; then
  # The train page's first 1600 px would be its run and metrics tables: start at the plots.
  readme=(--readme-shot "train-adult.html=$REPO/docs/screenshots/train-report.png@section:has(figure.plot)"
          --readme-shot "profile-adult.html=$REPO/docs/screenshots/profile-report.png")
fi
status=0
if [ ${#made[@]} -gt 0 ]; then
  "${CHECK[@]}" --shots "$SHOTS" "${readme[@]}" "${made[@]}" || status=$?
fi
[ "$status" = 2 ] && exit 2
echo "check-reports: took ${SECONDS}s"
if [ "$gen_failures" -gt 0 ]; then
  echo "check-reports: $gen_failures report(s) could not be made (see the FAIL lines above; logs in $WORK)"
  exit 1
fi
exit "$status"
