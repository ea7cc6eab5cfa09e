#!/usr/bin/env python3
"""Prints Tornado-J / raw Netty ratios from a JMH JSON result file.

Benchmarks pair by name: <Class>.tornado<X> with <Class>.netty<X>, per transport.
Benchmarks with the serverCpuNs/clientCpuNs secondary results (EchoBenchmark) also get a table of
loop-thread CPU time per operation.
Usage: python3 benchmarks/ratios.py benchmarks/target/results.json
"""
import json
import sys

# Design targets (see benchmarks/README.md): ratio target, absolute Tornado-J target in ops/s.
TARGETS = {
    "CallbackChainBenchmark.Chain": ("ratio", 0.80),
    "TimeoutBenchmark.AddCancel": ("ops", 1_000_000),
    "EchoBenchmark.SmallMessages": ("ratio", 0.90),
    "EchoBenchmark.Bulk": ("ratio", 0.90),
}

# What one operation is, where it is not "op": (rate unit, unit of one operation, CPU time unit, its ns).
UNITS = {
    "EchoBenchmark.SmallMessages": ("msg/s", "msg", "ns", 1),
    "EchoBenchmark.Bulk": ("MiB/s", "MiB", "µs", 1000),
}
DEFAULT_UNITS = ("ops/s", "op", "ns", 1)


def main(path):
    with open(path) as f:
        runs = json.load(f)
    scores = {}  # (pair, transport) -> {"tornado": (score, error), "netty": ...}
    cpu = {}  # (pair, transport) -> {"tornado": {"serverCpuNs": rate, "clientCpuNs": rate}, ...}
    for run in runs:
        cls, method = run["benchmark"].rsplit(".", 2)[-2:]
        for side in ("tornado", "netty"):
            if method.startswith(side):
                pair = cls + "." + method[len(side):]
                transport = run.get("params", {}).get("transport", "-")
                metric = run["primaryMetric"]
                scores.setdefault((pair, transport), {})[side] = (metric["score"], metric["scoreError"])
                secondary = run.get("secondaryMetrics", {})
                if "serverCpuNs" in secondary and "clientCpuNs" in secondary:
                    cpu.setdefault((pair, transport), {})[side] = {
                        name: secondary[name]["score"] for name in ("serverCpuNs", "clientCpuNs")}
    if not scores:
        print("no results in", path)
        return 1

    header = (f"{'benchmark':<30} {'transport':<9} {'unit':<6} {'Tornado-J':>22} {'raw Netty':>22} "
              f"{'ratio':>7}  target")
    print(header)
    print("-" * len(header) + "--------------------")
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
        unit = UNITS.get(pair, DEFAULT_UNITS)[0]
        print(f"{pair:<30} {transport:<9} {unit:<6} {fmt(t):>22} {fmt(n):>22} "
              f"{(f'{ratio:.2f}' if ratio is not None else '-'):>7}  {target}")

    if cpu:
        print()
        print("Loop-thread CPU time per operation (lower is better; cost = Tornado-J server / raw Netty server;")
        print("busy = share of one core the loop thread used during the timed runs):")
        header = (f"{'benchmark':<30} {'transport':<9} {'per':<7} {'T-J server':>11} {'Netty server':>13} "
                  f"{'cost':>6}  {'T-J client':>11} {'Netty client':>13}  busy server T-J/Netty, client T-J/Netty")
        print(header)
        print("-" * len(header))
        for (pair, transport), sides in sorted(cpu.items()):
            _, op, cpu_unit, scale = UNITS.get(pair, DEFAULT_UNITS)
            per_op = {}
            for side, rates in sides.items():
                score = scores[(pair, transport)][side][0]
                per_op[side] = {k: v / score / scale for k, v in rates.items()} if score else None
            t, n = per_op.get("tornado"), per_op.get("netty")
            cost = t["serverCpuNs"] / n["serverCpuNs"] if t and n and n["serverCpuNs"] else None

            def cell(x, key):
                return f"{x[key]:,.0f}" if x else "-"

            def busy(side, key):
                s = sides.get(side)
                return f"{s[key] / 1e9:.0%}" if s else "-"

            print(f"{pair:<30} {transport:<9} {cpu_unit + '/' + op:<7} {cell(t, 'serverCpuNs'):>11} "
                  f"{cell(n, 'serverCpuNs'):>13} {(f'{cost:.2f}' if cost else '-'):>6}  "
                  f"{cell(t, 'clientCpuNs'):>11} {cell(n, 'clientCpuNs'):>13}  "
                  f"{busy('tornado', 'serverCpuNs')}/{busy('netty', 'serverCpuNs')}, "
                  f"{busy('tornado', 'clientCpuNs')}/{busy('netty', 'clientCpuNs')}")
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
