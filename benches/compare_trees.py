"""Baselines for benches/compare_trees.sh: scikit-learn and LightGBM on the same data and split
as the Rust example `trees_compare`.

    python compare_trees.py make-synthetic --rows N --features P --out FILE.csv
    python compare_trees.py run --data FILE.csv --target COL [--test-data FILE.csv] [--models ...]
    python compare_trees.py table RESULTS.jsonl

`run` prints one JSON line per model. Without --test-data every fifth row (index % 5 == 4) is
held out. Text columns are coded by order of first appearance (train file first) and passed to
LightGBM as categorical; scikit-learn's trees get the same codes as ordinal numbers. Missing
values stay NaN (scikit-learn >= 1.4 trees handle them natively).
"""

import argparse
import json
import sys
import time
from collections import defaultdict

import numpy as np
import pandas as pd


def make_synthetic(rows, features, out):
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=rows,
        n_features=features,
        n_informative=min(20, features),
        n_redundant=min(10, max(features - 20, 0)),
        n_clusters_per_class=4,
        flip_y=0.02,
        class_sep=1.0,
        random_state=0,
    )
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(features)])
    frame["target"] = y
    frame.to_csv(out, index=False, float_format="%.6g")


def load(data, target, test_data, task):
    frames = [pd.read_csv(data, keep_default_na=False, na_values=[""])]
    if test_data:
        frames.append(pd.read_csv(test_data, keep_default_na=False, na_values=[""]))
    n_train = len(frames[0])
    frame = pd.concat(frames, ignore_index=True)
    y_raw = frame.pop(target)
    categorical = []
    for i, col in enumerate(frame.columns):
        if not pd.api.types.is_numeric_dtype(frame[col]):
            codes, _ = pd.factorize(frame[col], use_na_sentinel=True)
            frame[col] = np.where(codes < 0, np.nan, codes.astype(float))
            categorical.append(i)
    x = frame.to_numpy(dtype=np.float64)
    if task is None:
        task = "regression" if pd.api.types.is_numeric_dtype(y_raw) and y_raw.nunique() > 20 else "classification"
    if task == "classification":
        labels = sorted(y_raw.astype(str).unique())
        y = y_raw.astype(str).map({l: i for i, l in enumerate(labels)}).to_numpy()
    else:
        y = y_raw.to_numpy(dtype=np.float64)
    n = len(frame)
    if test_data:
        train, test = np.arange(n_train), np.arange(n_train, n)
    else:
        idx = np.arange(n)
        train, test = idx[idx % 5 != 4], idx[idx % 5 == 4]
    return x[train], x[test], y[train], y[test], categorical, task


def models(task, names, categorical):
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    import lightgbm as lgb

    clf = task == "classification"
    gbdt = dict(n_estimators=100, num_leaves=31, learning_rate=0.1, min_child_samples=20,
                max_bin=255, reg_lambda=0.0, min_child_weight=1e-3, subsample=1.0,
                colsample_bytree=1.0, n_jobs=2, verbose=-1, random_state=0)
    out = {
        "decision_tree": [("sklearn", lambda: (DecisionTreeClassifier if clf else DecisionTreeRegressor)(
            max_depth=10, random_state=0), {})],
        "random_forest": [("sklearn", lambda: (RandomForestClassifier if clf else RandomForestRegressor)(
            n_estimators=50, max_depth=10, n_jobs=2, random_state=0), {})],
        "gbdt": [
            ("lightgbm", lambda: (lgb.LGBMClassifier if clf else lgb.LGBMRegressor)(**gbdt),
             {"categorical_feature": categorical} if categorical else {}),
            ("sklearn_hgb", lambda: (HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor)(
                max_iter=100, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                early_stopping=False, categorical_features=categorical or None, random_state=0), {}),
        ],
    }
    return [(m, impl, make, kw) for m in names for impl, make, kw in out[m]]


def run(args):
    x_tr, x_te, y_tr, y_te, categorical, task = load(args.data, args.target, args.test_data, args.task)
    name = args.name or args.data.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for model, impl, make, fit_kw in models(task, args.models.split(","), categorical):
        fit_s = predict_s = float("inf")
        # The fastest of `repeat` runs is reported, as on the Rust side (the machine may be shared).
        for _ in range(args.repeat):
            est = make()
            t = time.perf_counter()
            est.fit(x_tr, y_tr, **fit_kw)
            fit_s = min(fit_s, time.perf_counter() - t)
            t = time.perf_counter()
            pred = est.predict(x_te)
            predict_s = min(predict_s, time.perf_counter() - t)
        if task == "classification":
            metric = ("accuracy", float(np.mean(pred == y_te)))
        else:
            metric = ("rmse", float(np.sqrt(np.mean((pred - y_te) ** 2))))
        print(json.dumps({
            "impl": impl, "model": model, "dataset": name, "rows_train": len(y_tr),
            "rows_test": len(y_te), "features": x_tr.shape[1], "fit_s": round(fit_s, 4),
            "predict_s": round(predict_s, 4), metric[0]: round(metric[1], 6),
        }), flush=True)


def fastest_processes(rows):
    """One record per (dataset, rows, model, implementation): the fastest fit and the fastest
    prediction among the processes that measured it (metrics are the same in every process)."""
    best = {}
    for r in rows:
        key = (r["dataset"], r["rows_train"], r["model"], r["impl"])
        if key not in best:
            best[key] = dict(r, processes=1)
            continue
        b = best[key]
        b["processes"] += 1
        b["fit_s"] = min(b["fit_s"], r["fit_s"])
        b["predict_s"] = min(b["predict_s"], r["predict_s"])
        if "predict_rows_trees_per_s_1thread" in r:
            b["predict_rows_trees_per_s_1thread"] = max(
                b["predict_rows_trees_per_s_1thread"], r["predict_rows_trees_per_s_1thread"])
    return list(best.values())


def table(path):
    rows = fastest_processes(
        [json.loads(l) for l in open(path) if l.strip().startswith("{")])
    groups = defaultdict(list)
    for r in rows:
        groups[(r["dataset"], r["rows_train"], r["model"])].append(r)
    print("| dataset (train rows) | model | implementation | fit s | predict s | accuracy / RMSE | crisp fit speed-up | crisp metric vs baseline |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for (dataset, n, model), rs in groups.items():
        crisp = next((r for r in rs if r["impl"] == "crisp"), None)
        crisp1 = next((r for r in rs if r["impl"] == "crisp-1thread"), None)
        for r in rs:
            metric_name = "accuracy" if "accuracy" in r else "rmse"
            m = r[metric_name]
            speed, delta = "", ""
            if crisp is not None and not r["impl"].startswith("crisp"):
                speed = f"{r['fit_s'] / crisp['fit_s']:.1f}x"
                if crisp1 is not None:
                    speed += f" ({r['fit_s'] / crisp1['fit_s']:.1f}x on 1 thread)"
                cm = crisp[metric_name]
                if metric_name == "accuracy":
                    delta = f"{100 * (cm - m):+.2f} pt"
                else:
                    delta = f"{100 * (cm - m) / m:+.2f} %"
            metric = f"{m:.4f}" if metric_name == "accuracy" else f"{m:.2f}"
            notes = ([f"{r['threads']} thr"] if "threads" in r else []) + (
                [f"best of {r['processes']} processes"] if r["processes"] > 1 else [])
            impl = r["impl"] + (f" ({', '.join(notes)})" if notes else "")
            print(f"| {dataset} ({n}) | {model} | {impl} | {r['fit_s']:.3f} | {r['predict_s']:.4f} | {metric} | {speed} | {delta} |")
    tp = [r for r in rows if r.get("predict_rows_trees_per_s_1thread") and r["model"] != "decision_tree"]
    if tp:
        print()
        print("| dataset | model | crisp prediction, rows x trees / s on one thread |")
        print("|---|---|---:|")
        for r in tp:
            print(f"| {r['dataset']} ({r['rows_train']}) | {r['model']} | {r['predict_rows_trees_per_s_1thread'] / 1e6:.1f} M |")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("make-synthetic")
    s.add_argument("--rows", type=int, required=True)
    s.add_argument("--features", type=int, default=54)
    s.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--target", required=True)
    r.add_argument("--test-data")
    r.add_argument("--task", choices=["classification", "regression"])
    r.add_argument("--models", default="decision_tree,random_forest,gbdt")
    r.add_argument("--name")
    r.add_argument("--repeat", type=int, default=1)
    t = sub.add_parser("table")
    t.add_argument("results")
    args = p.parse_args()
    if args.cmd == "make-synthetic":
        make_synthetic(args.rows, args.features, args.out)
    elif args.cmd == "run":
        run(args)
    else:
        table(args.results)


if __name__ == "__main__":
    sys.exit(main())
