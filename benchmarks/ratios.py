#!/usr/bin/env python3
"""Prints Tornado-J / raw Netty ratios from a JMH JSON result file.

Benchmarks pair by name: <Class>.tornado<X> with <Class>.netty<X>, per transport.
Benchmarks with the serverCpuNs/clientCpuNs secondary results (EchoBenchmark) also get a table of
loop-thread CPU time per operation.
Benchmarks that also have a <Class>.jdk<X> method (HttpClientBenchmark: tornadoClient, nettyClient,
jdkClient) get their own table with both ratios, Tornado-J / raw Netty and Tornado-J / JDK, and the
CPU time per request of each client.
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
# Three-way benchmarks: (Tornado-J / raw Netty target, Tornado-J / JDK target) (issue 5).
CLIENT_TARGETS = {
    "HttpClientBenchmark.Client": (0.85, 1.0),
}
SIDES = ("tornado", "netty", "jdk")

# What one operation is, where it is not "op": (rate unit, unit of one operation, CPU time unit, its ns).
UNITS = {
    "EchoBenchmark.SmallMessages": ("msg/s", "msg", "ns", 1),
    "EchoBenchmark.Bulk": ("MiB/s", "MiB", "µs", 1000),
    "HttpClientBenchmark.Client": ("req/s", "req", "µs", 1000),
}
DEFAULT_UNITS = ("ops/s", "op", "ns", 1)


def main(path):
    with open(path) as f:
        runs = json.load(f)
    scores = {}  # (pair, transport) -> {"tornado": (score, error), "netty": ...}
    cpu = {}  # (pair, transport) -> {"tornado": {"serverCpuNs": rate, "clientCpuNs": rate}, ...}
    conns = {}  # (pair, transport) -> {"tornado": connections the server accepted while timed, ...}
    for run in runs:
        cls, method = run["benchmark"].rsplit(".", 2)[-2:]
        for side in SIDES:
            if method.startswith(side):
                pair = cls + "." + method[len(side):]
                transport = run.get("params", {}).get("transport", "-")
                metric = run["primaryMetric"]
                scores.setdefault((pair, transport), {})[side] = (metric["score"], metric["scoreError"])
                secondary = run.get("secondaryMetrics", {})
                if "serverCpuNs" in secondary and "clientCpuNs" in secondary:
                    cpu.setdefault((pair, transport), {})[side] = {
                        name: secondary[name]["score"] for name in ("serverCpuNs", "clientCpuNs")}
                if "newConnections" in secondary:
                    conns.setdefault((pair, transport), {})[side] = secondary["newConnections"]["score"]
    if not scores:
        print("no results in", path)
        return 1
    # pairs with a JDK side get the three-way client table instead of the generic ones
    three_way = {key for key, sides in scores.items() if "jdk" in sides or key[0] in CLIENT_TARGETS}
    two_way = {key: sides for key, sides in scores.items() if key not in three_way}
    if two_way:
        print_pairs(two_way, {key: v for key, v in cpu.items() if key not in three_way})
    if three_way:
        if two_way:
            print()
        print_clients({key: scores[key] for key in three_way}, {key: cpu[key] for key in three_way if key in cpu},
                      conns)
    return 0


def print_pairs(scores, cpu):
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


def print_clients(scores, cpu, conns):
    """Tornado-J vs raw Netty vs JDK (HttpClientBenchmark): throughput, both ratios, CPU per request."""
    print("HTTP clients against one raw Netty hello server (GET /, keep-alive, 64 in flight); "
          "ratios = Tornado-J / raw Netty and Tornado-J / JDK:")
    header = (f"{'benchmark':<27} {'transport':<9} {'unit':<5} {'Tornado-J':>17} {'raw Netty':>17} "
              f"{'JDK HttpClient':>17} {'T-J/Netty':>9} {'T-J/JDK':>8}  targets")
    print(header)
    print("-" * len(header) + "------------------------------")
    for (pair, transport), sides in sorted(scores.items()):
        t, n, j = (sides.get(x) for x in SIDES)
        rn = t[0] / n[0] if t and n and n[0] else None
        rj = t[0] / j[0] if t and j and j[0] else None
        targets = []
        goal = CLIENT_TARGETS.get(pair)
        if goal and rn is not None:
            targets.append(f"vs Netty >= {goal[0]:.2f}: " + ("met" if rn >= goal[0] else "NOT met"))
        if goal and rj is not None:
            targets.append(f"vs JDK > {goal[1]:.1f}: " + ("met" if rj > goal[1] else "NOT met"))
        unit = UNITS.get(pair, DEFAULT_UNITS)[0]
        print(f"{pair:<27} {transport:<9} {unit:<5} {fmt(t):>17} {fmt(n):>17} {fmt(j):>17} "
              f"{(f'{rn:.2f}' if rn is not None else '-'):>9} {(f'{rj:.2f}' if rj is not None else '-'):>8}  "
              + "; ".join(targets))
    opened = {key: c for key, c in conns.items() if key in scores and any(v > 0 for v in c.values())}
    for (pair, transport), c in sorted(opened.items()):
        print(f"  note: {pair} {transport}: the server accepted new connections during timed runs ("
              + ", ".join(f"{side} {c[side]:,.0f}" for side in SIDES if side in c) + "): keep-alive was not kept")
    if conns and not opened:
        print("  every timed request went over a kept-alive connection (no connection accepted during timed runs)")
    if not cpu:
        return
    print()
    print("CPU time per request (lower is better): client = the whole process except the server's loop thread")
    print("(client threads, GC, JIT); server = the server's loop thread. busy = cores used during the timed runs.")
    header = (f"{'benchmark':<27} {'transport':<9} {'per':<6} {'client T-J':>10} {'Netty':>7} {'JDK':>7} "
              f"{'T-J/Netty':>9} {'T-J/JDK':>8}  {'server T-J':>10} {'Netty':>7} {'JDK':>7}  "
              f"busy client T-J/Netty/JDK, server T-J/Netty/JDK")
    print(header)
    print("-" * len(header))
    for (pair, transport), sides in sorted(cpu.items()):
        _, op, cpu_unit, scale = UNITS.get(pair, DEFAULT_UNITS)
        per_op = {}
        for side, rates in sides.items():
            score = scores[(pair, transport)][side][0]
            per_op[side] = {k: v / score / scale for k, v in rates.items()} if score else None

        def cell(side, key, width):
            x = per_op.get(side)
            return f"{x[key]:,.1f}".rjust(width) if x else "-".rjust(width)

        def ratio(a, b):
            x, y = per_op.get(a), per_op.get(b)
            return f"{x['clientCpuNs'] / y['clientCpuNs']:.2f}" if x and y and y["clientCpuNs"] else "-"

        def busy(key):
            return "/".join(f"{sides[s][key] / 1e9:.0%}" if s in sides else "-" for s in SIDES)

        print(f"{pair:<27} {transport:<9} {cpu_unit + '/' + op:<6} {cell('tornado', 'clientCpuNs', 10)} "
              f"{cell('netty', 'clientCpuNs', 7)} {cell('jdk', 'clientCpuNs', 7)} "
              f"{ratio('tornado', 'netty'):>9} {ratio('tornado', 'jdk'):>8}  "
              f"{cell('tornado', 'serverCpuNs', 10)} {cell('netty', 'serverCpuNs', 7)} {cell('jdk', 'serverCpuNs', 7)}  "
              f"{busy('clientCpuNs')}, {busy('serverCpuNs')}")


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
