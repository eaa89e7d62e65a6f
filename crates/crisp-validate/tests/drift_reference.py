"""Reference values for crisp-validate's drift metrics, computed with NumPy and SciPy.

Run with the venv that has numpy + scipy:

    /var/tmp/crisp-sk-venv/bin/python crates/crisp-validate/tests/drift_reference.py

It prints Rust constants that are pasted into `drift_reference.rs`. The samples are made
by the LCG of `sklearn_reference.py` (integer arithmetic, then one float division), which
`drift_reference.rs` reimplements, so both sides see bit-identical data.

Independent computations:
- PSI: bin edges from `np.quantile` (linear), counts with `np.searchsorted(side="right")`
  (left-closed bins, open-ended outer bins), shares floored at 1e-4, summed in NumPy.
- KS: `scipy.stats.ks_2samp(train, new).statistic` on the full samples; p-value
  `scipy.special.kolmogorov(sqrt(n*m/(n+m)) * d)` (the asymptotic Kolmogorov law).
- JS: `scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2`.
"""

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

EPS = 1e-4


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 1103515245 + 12345) % (1 << 31)
        return self.state >> 8


def uniform(seed, n, offset=0):
    """n values (k + offset) / 1000 with k uniform in 0..100000."""
    g = Lcg(seed)
    return np.array([(g.next() % 100_000 + offset) / 1000 for _ in range(n)])


def triangular(seed, n):
    """n values (a + b) / 1000 with a, b uniform in 0..60000."""
    g = Lcg(seed)
    out = []
    for _ in range(n):
        a = g.next() % 60_000
        b = g.next() % 60_000
        out.append((a + b) / 1000)
    return np.array(out)


def small_ints(seed, n, weights):
    """n integers drawn with integer weights (cumulative thresholds on next() % total)."""
    g = Lcg(seed)
    total = sum(weights)
    cum = np.cumsum(weights)
    return np.array([float(np.searchsorted(cum, g.next() % total, side="right")) for _ in range(n)])


def psi(e, a):
    e = np.asarray(e, float) / np.sum(e)
    a = np.asarray(a, float) / np.sum(a)
    e = np.maximum(e, EPS)
    a = np.maximum(a, EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_case(name, train, new):
    edges = np.unique(np.quantile(train, np.arange(1, 10) / 10))
    train_counts = np.bincount(np.searchsorted(edges, train, side="right"), minlength=len(edges) + 1)
    # The Rust profile merges empty training bins; these samples are continuous enough
    # that there are none, which this asserts.
    assert (train_counts > 0).all(), name
    new_counts = np.bincount(np.searchsorted(edges, new, side="right"), minlength=len(edges) + 1)
    d = stats.ks_2samp(train, new).statistic
    n, m = len(train), len(new)
    p = special.kolmogorov(np.sqrt(n * m / (n + m)) * d)
    p_scipy_asymp = float(stats.ks_2samp(train, new, method="asymp").pvalue)
    oor = np.mean((new < train.min()) | (new > train.max()))
    print(f"// {name}: n={n}, m={m}, {len(edges) + 1} bins; scipy ks_2samp(method='asymp') "
          f"p-value (finite-n kstwo) = {p_scipy_asymp!r}")
    print(f"const {name}: NumericRef = NumericRef {{")
    print(f"    psi: {psi(train_counts, new_counts)!r},")
    print(f"    ks: {float(d)!r},")
    print(f"    ks_p_value: {float(p)!r},")
    print(f"    out_of_range_rate: {float(oor)!r},")
    print(f"    mean: {float(np.mean(train))!r},")
    print(f"    std: {float(np.std(train))!r},")
    print("};")


def main():
    print(f"// numpy {np.__version__}, scipy {scipy.__version__}")
    numeric_case("SMALL", uniform(1, 80), uniform(2, 60, offset=8_000))
    numeric_case("LARGE", uniform(3, 5000), triangular(4, 3000))
    numeric_case("SAME", uniform(5, 2000), uniform(6, 1500))
    # Ties: at most 100 distinct values, so the Rust KS is exact (PSI not compared: the
    # tie handling of the bins is crisp's own rule).
    ties_train = small_ints(7, 500, [40, 25, 15, 10, 5, 5])
    ties_new = small_ints(8, 300, [20, 25, 25, 10, 10, 5, 5])
    d = stats.ks_2samp(ties_train, ties_new).statistic
    print(f"const TIES_KS: f64 = {float(d)!r};")

    # Plain PSI / JS vectors.
    cases = [
        ("PSI_UNIFORM_VS_RAMP", [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]),
        ("PSI_EMPTY_BIN", [0.5, 0.5, 0.0], [0.4, 0.4, 0.2]),
        ("PSI_COUNTS", [120, 30, 50], [10, 20, 70]),
    ]
    for name, e, a in cases:
        print(f"const {name}: f64 = {psi(e, a)!r};")
    js_cases = [
        ("JS_PARTIAL", [0.5, 0.3, 0.2, 0.0], [0.4, 0.3, 0.1, 0.2]),
        ("JS_COUNTS", [120, 30, 50], [10, 20, 70]),
        ("JS_SKEWED", [0.9, 0.1], [0.1, 0.9]),
    ]
    for name, p, q in js_cases:
        p = np.asarray(p, float) / np.sum(p)
        q = np.asarray(q, float) / np.sum(q)
        print(f"const {name}: f64 = {float(jensenshannon(p, q, base=2) ** 2)!r};")

    # Categorical case: train a*50 b*30 c*20, new a*40 b*30 c*10 d*20 (d unseen).
    e = [0.5, 0.3, 0.2, 0.0]
    a = [0.4, 0.3, 0.1, 0.2]
    print(f"const CAT_PSI: f64 = {psi(e, a)!r};")
    print(f"const CAT_JS: f64 = {float(jensenshannon(e, a, base=2) ** 2)!r};")

    # Kolmogorov survival function.
    print("const KOLMOGOROV: &[(f64, usize, usize, f64)] = &[")
    for d, n, m in [(0.1, 200, 200), (0.05, 1000, 400), (0.3, 30, 20), (0.02, 5000, 5000), (0.5, 10, 10)]:
        p = special.kolmogorov(np.sqrt(n * m / (n + m)) * d)
        print(f"    ({d!r}, {n}, {m}, {float(p)!r}),")
    print("];")


if __name__ == "__main__":
    main()
