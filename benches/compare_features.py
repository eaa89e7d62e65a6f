"""Baseline for benches/compare_features.sh: the same feature pipeline as crisp's
`compare_features.toml`, with pandas + scikit-learn's ColumnTransformer.

    python compare_features.py make-synthetic --rows N --out FILE.csv
    python compare_features.py toml > pipeline.toml
    python compare_features.py run --data FILE.csv [--repeat N]
    crisp bench features --json ... | python compare_features.py crisp-line
    python compare_features.py crisp-features --crisp BIN --config TOML --data FILE.csv \
        [--fit-rows N] --out DIR [--repeat N]
    python compare_features.py table RESULTS.jsonl

The synthetic data: 20 numeric columns f0..f19 (5% missing), 3 categorical columns c0, c1, c2
with 10, 50 and 200 levels (2% missing) and a binary target. The pipeline:

    f0..f19   median imputation
    f0..f9    standard scaling
    f10..f14  5 quantile bins (ordinal codes)
    c0..c2    most-frequent imputation
    c0        one-hot (unknown categories ignored)
    c1, c2    target encoding (smooth "auto", 5 folds, out-of-fold values for the training rows)

`run` prints one JSON line per size with the median seconds of `repeat` runs and the peak RSS
of this process (ru_maxrss) against the output array's size. `crisp-features` times the
command `crisp features` writing Parquet, in memory or, with `--fit-rows N`, streamed (fit on
an evenly spread sample, every row transformed in batches, Parquet written batch by batch),
each run in its own child process, and reports the largest peak RSS of the runs.
"""

import argparse
import json
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

PIPELINE_TOML = """\
target = "target"

[[features.steps]]
kind = "impute"
regex = "^f"
strategy = "median"

[[features.steps]]
kind = "standard_scale"
regex = "^f[0-9]$"

[[features.steps]]
kind = "bin"
regex = "^f1[0-4]$"
strategy = "quantile"
n_bins = 5

[[features.steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[features.steps]]
kind = "one_hot"
columns = ["c0"]
handle_unknown = "ignore"

[[features.steps]]
kind = "target_encode"
columns = ["c1", "c2"]
smooth = "auto"
cv = 5
"""


def make_synthetic(rows, out):
    rng = np.random.default_rng(0)
    frame = {}
    signal = np.zeros(rows)
    for j in range(20):
        v = rng.uniform(-3, 3, rows) * (1 + j)
        if j < 3:
            signal += v / (1 + j)
        v[rng.random(rows) < 0.05] = np.nan
        frame[f"f{j}"] = v
    for j, levels in enumerate([10, 50, 200]):
        level = rng.integers(0, levels, rows)
        if j == 1:
            signal += (level % 7) / 7
        values = np.array([f"c{j}_{k}" for k in range(levels)], dtype=object)[level]
        values[rng.random(rows) < 0.02] = None
        frame[f"c{j}"] = values
    frame["target"] = (signal + rng.uniform(-1, 1, rows) > 0.5).astype(int)
    pd.DataFrame(frame).to_csv(out, index=False, float_format="%.6g")


def column_transformer():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, StandardScaler, TargetEncoder

    f = [f"f{j}" for j in range(20)]
    return ColumnTransformer(
        [
            ("scale", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), f[:10]),
            (
                "bin",
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    KBinsDiscretizer(
                        n_bins=5, encode="ordinal", strategy="quantile", quantile_method="linear"
                    ),
                ),
                f[10:15],
            ),
            ("impute", SimpleImputer(strategy="median"), f[15:]),
            (
                "one_hot",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                ["c0"],
            ),
            (
                "target",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    TargetEncoder(smooth="auto", cv=5),
                ),
                ["c1", "c2"],
            ),
        ]
    )


def current_rss():
    """Resident memory now, in bytes (Linux), or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run(data, repeat):
    import sklearn
    from sklearn.compose import ColumnTransformer  # noqa: F401 (imported before the baseline)

    baseline = current_rss()
    reads, fits = [], []
    out = None
    for _ in range(repeat):
        started = time.perf_counter()
        frame = pd.read_csv(data)
        reads.append(time.perf_counter() - started)
        y = frame.pop("target").to_numpy()
        started = time.perf_counter()
        out = column_transformer().fit_transform(frame, y)
        fits.append(time.perf_counter() - started)
    read = statistics.median(reads)
    fit = statistics.median(fits)
    print(
        json.dumps(
            {
                "impl": "pandas+sklearn",
                "versions": f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}",
                "data": data,
                "rows": int(out.shape[0]),
                "output_columns": int(out.shape[1]),
                "output_bytes": int(out.nbytes),
                "read_seconds": read,
                "fit_transform_seconds": fit,
                "end_to_end_seconds": read + fit,
                "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "baseline_memory_bytes": baseline,
                "repeat": repeat,
            }
        )
    )


def crisp_line():
    """Read `crisp bench features --json` on stdin, print it as one JSON line tagged crisp."""
    report = json.load(sys.stdin)
    report["impl"] = "crisp"
    print(json.dumps(report))


def crisp_features(crisp, config, data, fit_rows, out_dir, repeat):
    import os
    import subprocess

    out = os.path.join(out_dir, "features.parquet")
    stream = ["--fit-rows", str(fit_rows)] if fit_rows else []
    times, peaks = [], []
    stdout = ""
    for _ in range(repeat):
        started = time.perf_counter()
        # Each child's own peak: wait4 reports the resources of exactly that process.
        child = subprocess.Popen(
            [crisp, "features", "--config", config, "--data", data, "--out", out] + stream,
            stdout=subprocess.PIPE,
            text=True,
        )
        stdout = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - started)
        if status != 0:
            sys.exit(f"crisp features failed ({status}):\n{stdout}")
        peaks.append(usage.ru_maxrss * 1024)
    import re

    # "fitted 6 feature steps on R rows [(...) of F and applied them to its N rows]: C feature
    # columns + target 't' -> OUT"
    summary = stdout.splitlines()[0]
    rows = int(re.search(r"(?:applied them to its|on) (\d+) rows[^(]*?:", summary).group(1))
    columns = int(re.search(r": (\d+) feature columns?", summary).group(1)) + (" + target " in summary)
    print(
        json.dumps(
            {
                "impl": "crisp-streamed" if fit_rows else "crisp-features",
                "data": data,
                "rows": rows,
                "output_columns": columns,
                # Every output column is 8 bytes per row (f64 features, i64 target).
                "output_bytes": rows * columns * 8,
                "fit_rows": fit_rows,
                "end_to_end_seconds": statistics.median(times),
                "peak_memory_bytes": max(peaks),
                "summary": summary,
                "repeat": repeat,
            }
        )
    )


def table(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    by_size = {}
    for r in rows:
        by_size.setdefault(r["rows"], {})[r["impl"]] = r

    def mb(b):
        return f"{b / 1e6:.0f} MB" if b else "n/a"

    print(
        "| rows | implementation | fit+transform (s) | end-to-end: CSV read + features (s) "
        "| peak memory (process) | peak above baseline | output frame | above baseline / output |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for size in sorted(by_size):
        impls = by_size[size]
        for name in ["crisp", "pandas+sklearn"]:
            r = impls.get(name)
            if r is None:
                continue
            # crisp: the peak through the read and the first fit+transform, what `crisp
            # features` does (the bench then reads the file again to time the transform).
            peak = r.get("peak_memory_fit_transform_bytes") or r.get("peak_memory_bytes")
            base = r.get("baseline_memory_bytes")
            above = peak - base if peak and base else None
            share = f"{above / r['output_bytes']:.1f}×" if above else "n/a"
            print(
                f"| {size:,} | {name} | {r['fit_transform_seconds']:.3f} "
                f"| {r['end_to_end_seconds']:.3f} | {mb(peak)} | {mb(above)} "
                f"| {mb(r['output_bytes'])} | {share} |"
            )
        if "crisp" in impls and "pandas+sklearn" in impls:
            c, s = impls["crisp"], impls["pandas+sklearn"]
            peak = c.get("peak_memory_fit_transform_bytes") or c.get("peak_memory_bytes")
            base = c.get("baseline_memory_bytes")
            ratios.append(
                (
                    size,
                    s["fit_transform_seconds"] / c["fit_transform_seconds"],
                    s["end_to_end_seconds"] / c["end_to_end_seconds"],
                    peak / c["output_bytes"] if peak else None,
                    (peak - base) / c["output_bytes"] if peak and base else None,
                )
            )
    print()
    print(
        "| rows | fit+transform speed-up of crisp (target ≥ 8×) "
        "| end-to-end speed-up of crisp (target ≥ 2×) "
        "| crisp peak / output (target ≤ 2×): whole process | above baseline |"
    )
    print("|---|---|---|---|---|")

    def verdict(good):
        return "met" if good else "**not met**"

    def mem_text(m):
        return f"{m:.1f}× ({verdict(m <= 2)})" if m is not None else "n/a"

    for size, fit, e2e, mem, above in ratios:
        print(
            f"| {size:,} | {fit:.1f}× ({verdict(fit >= 8)}) | {e2e:.1f}× ({verdict(e2e >= 2)}) "
            f"| {mem_text(mem)} | {mem_text(above)} |"
        )
    commands = [
        by_size[size][name]
        for size in sorted(by_size)
        for name in ["crisp-features", "crisp-streamed"]
        if name in by_size[size]
    ]
    if commands:
        print()
        print(
            "| rows | the command: `crisp features ... --out X.parquet` | seconds (CSV in, Parquet out) "
            "| fitted on | peak memory (process) | output frame | peak / output (target ≤ 2×) "
            "| speed-up vs pandas+sklearn end-to-end |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in commands:
            pandas = by_size[r["rows"]].get("pandas+sklearn")
            speed = f"{pandas['end_to_end_seconds'] / r['end_to_end_seconds']:.1f}×" if pandas else "n/a"
            fitted = min(r["fit_rows"] or r["rows"], r["rows"])
            how = f"streamed, `--fit-rows {r['fit_rows']}`" if r["fit_rows"] else "in memory"
            print(
                f"| {r['rows']:,} | {how} | {r['end_to_end_seconds']:.3f} | {fitted:,} rows "
                f"| {mb(r['peak_memory_bytes'])} | {mb(r['output_bytes'])} "
                f"| {mem_text(r['peak_memory_bytes'] / r['output_bytes'])} | {speed} |"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make-synthetic")
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--out", required=True)
    sub.add_parser("toml")
    p = sub.add_parser("run")
    p.add_argument("--data", required=True)
    p.add_argument("--repeat", type=int, default=3)
    sub.add_parser("crisp-line")
    p = sub.add_parser("crisp-features")
    p.add_argument("--crisp", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--fit-rows", type=int, default=0)
    p.add_argument("--out", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("table")
    p.add_argument("results")
    args = parser.parse_args()
    if args.command == "make-synthetic":
        make_synthetic(args.rows, args.out)
    elif args.command == "toml":
        sys.stdout.write(PIPELINE_TOML)
    elif args.command == "run":
        run(args.data, args.repeat)
    elif args.command == "crisp-line":
        crisp_line()
    elif args.command == "crisp-features":
        crisp_features(args.crisp, args.config, args.data, args.fit_rows, args.out, args.repeat)
    else:
        table(args.results)


if __name__ == "__main__":
    main()
