#!/usr/bin/env python3
"""Prints Tornado-J / raw Netty ratios from a JMH JSON result file.

Benchmarks pair by name: <Class>.tornado<X> with <Class>.netty<X>, per transport.
Usage: python3 benchmarks/ratios.py benchmarks/target/results.json
"""
import json
import sys

# Design targets (see benchmarks/README.md): ratio target, absolute Tornado-J target in ops/s.
TARGETS = {
    "CallbackChainBenchmark.Chain": ("ratio", 0.80),
    "TimeoutBenchmark.AddCancel": ("ops", 1_000_000),
}


def main(path):
    with open(path) as f:
        runs = json.load(f)
    scores = {}  # (pair, transport) -> {"tornado": (score, error), "netty": ...}
    for run in runs:
        cls, method = run["benchmark"].rsplit(".", 2)[-2:]
        for side in ("tornado", "netty"):
            if method.startswith(side):
                pair = cls + "." + method[len(side):]
                transport = run.get("params", {}).get("transport", "-")
                metric = run["primaryMetric"]
                scores.setdefault((pair, transport), {})[side] = (metric["score"], metric["scoreError"])
    if not scores:
        print("no results in", path)
        return 1

    header = f"{'benchmark':<30} {'transport':<9} {'Tornado-J ops/s':>22} {'raw Netty ops/s':>22} {'ratio':>7}  target"
    print(header)
    print("-" * len(header) + "--------")
    for (pair, transport), sides in sorted(scores.items()):
        t = sides.get("tornado")
        n = sides.get("netty")
        ratio = t[0] / n[0] if t and n and n[0] else None
        target = ""
        kind = TARGETS.get(pair)
        if kind and kind[0] == "ratio" and ratio is not None:
            target = f">= {kind[1]:.0%} of Netty: " + ("met" if ratio >= kind[1] else "NOT met")
        elif kind and kind[0] == "ops" and t:
            target = f">= {kind[1]:,.0f} ops/s: " + ("met" if t[0] >= kind[1] else "NOT met")
        print(f"{pair:<30} {transport:<9} {fmt(t):>22} {fmt(n):>22} "
              f"{(f'{ratio:.2f}' if ratio is not None else '-'):>7}  {target}")
    return 0


def fmt(score):
    if not score:
        return "-"
    value, error = score
    try:
        error = float(error)
    except (TypeError, ValueError):
        error = float("nan")
    if error != error or not value:  # JMH writes "NaN" when there is a single measurement
        return f"{value:,.0f}"
    return f"{value:,.0f} ± {error / value:.0%}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/target/results.json"))
