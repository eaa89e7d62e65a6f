"""The pandas side of benches/compare_profile.sh: the same statistics as `crisp profile
DATA --target COL --json FILE`, computed the usual pandas way, timed from reading the CSV to
writing the JSON.

    python compare_profile.py make --out BIG.csv --copies N       (diamonds repeated N times)
    python compare_profile.py pandas --data BIG.csv --target COL --out FILE.json

Per column: dtype, nulls, distinct values (`nunique`); numeric columns: `describe()` with the
1, 5, 25, 50, 75, 95 and 99% quantiles, zeros and a 20-bin `np.histogram`; text columns:
`value_counts()` (the top 10); Pearson correlations between the numeric columns
(`DataFrame.corr()`, pairwise complete), the target's class balance or its correlation with
every numeric column.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def make(args):
    base = pd.read_csv(ROOT / "datasets" / "diamonds.csv")
    pd.concat([base] * args.copies, ignore_index=True).to_csv(args.out, index=False)
    print(f"{args.out}: {len(base) * args.copies} rows", file=sys.stderr)


def profile(args):
    started = time.perf_counter()
    df = pd.read_csv(args.data)
    out = {"rows": len(df), "columns": []}
    numeric = df.select_dtypes("number")
    described = numeric.describe(percentiles=[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    for name in df.columns:
        s = df[name]
        col = {"name": name, "dtype": str(s.dtype), "nulls": int(s.isna().sum()),
               "distinct": int(s.nunique())}
        if name in numeric:
            d = described[name]
            values = s.dropna().to_numpy()
            counts, edges = np.histogram(values, bins=20)
            col["numeric"] = {k: float(d[k]) for k in d.index}
            col["numeric"]["zeros"] = int((values == 0).sum())
            col["numeric"]["histogram"] = {"edges": edges.tolist(), "counts": counts.tolist()}
        else:
            top = s.value_counts().head(10)
            col["top"] = [{"value": str(k), "count": int(v)} for k, v in top.items()]
        out["columns"].append(col)
    others = numeric.drop(columns=[args.target], errors="ignore")
    out["correlations"] = others.corr().to_dict()
    if args.target in numeric:
        out["target"] = others.corrwith(df[args.target]).to_dict()
    else:
        out["target"] = df[args.target].value_counts().to_dict()
    Path(args.out).write_text(json.dumps(out, default=str))
    print(json.dumps({"seconds": time.perf_counter() - started}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--copies", type=int, default=19)
    r = sub.add_parser("pandas")
    r.add_argument("--data", required=True)
    r.add_argument("--target", required=True)
    r.add_argument("--out", required=True)
    args = p.parse_args()
    {"make": make, "pandas": profile}[args.cmd](args)


if __name__ == "__main__":
    main()
