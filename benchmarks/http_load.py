#!/usr/bin/env python3
"""HTTP hello-world load harness: Tornado-J vs raw Netty, side by side in one run.

For each transport, each server (one event loop) is started in its own JVM pinned to CPU 0, and wrk
(Debian's package) loads it from CPU 1 over keep-alive connections: a warm-up, then a measured run.
Prints requests/s, p99 latency and the Tornado-J / raw Netty ratios, then each server's memory per idle
keep-alive connection (heap + direct, after GC) with 10,000 connections open.

    python3 benchmarks/http_load.py                 # build, every transport available
    SKIP_BUILD=1 TRANSPORTS=EPOLL DURATION=5 python3 benchmarks/http_load.py
"""
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.environ.get("BENCH_JAR", os.path.join(ROOT, "benchmarks", "target", "benchmarks.jar"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
IDLE = int(os.environ.get("IDLE_CONNECTIONS", "10000"))
JAVA = ["java", "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC", "-cp", JAR]


def pinned(cpu, cmd):
    return (["taskset", "-c", str(cpu)] if shutil.which("taskset") else []) + cmd


def start_server(kind, transport):
    p = subprocess.Popen(pinned(0, JAVA + ["io.tornadoj.benchmarks.http.HttpHelloServer", kind, transport]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("READY"):
        p.kill()
        raise RuntimeError(f"{kind}/{transport} did not start: {line!r}")
    return p, int(line.split()[1])


def stop_server(p):
    try:
        p.stdin.write("quit\n")
        p.stdin.flush()
        p.wait(timeout=10)
    except Exception:
        p.kill()


def memory(p):
    p.stdin.write("mem\n")
    p.stdin.flush()
    m = re.match(r"MEM heap=(\d+) direct=(\d+)", p.stdout.readline())
    return int(m.group(1)) + max(0, int(m.group(2)))


def wrk(port, seconds, latency=False):
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"] + (["--latency"] if latency else []) + \
          [f"http://127.0.0.1:{port}/"]
    out = subprocess.run(pinned(1, cmd), capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = None
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if m:
        p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = re.search(r"(Socket errors:.*|Non-2xx or 3xx responses:.*)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p99, errors.group(1) if errors else "", requests


def allocated(p):
    p.stdin.write("alloc\n")
    p.stdin.flush()
    return int(re.match(r"ALLOC (\d+)", p.stdout.readline()).group(1))


def cpu_seconds(p):
    """User + system CPU time of the server process so far (Linux /proc)."""
    with open(f"/proc/{p.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def available_transports():
    out = subprocess.run(["java", "-cp", JAR, "io.tornadoj.benchmarks.BenchTransports"],
                         capture_output=True, text=True).stdout.strip()
    return [t for t in re.split(r"[,\s]+", out) if t]


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if os.environ.get("SKIP_BUILD") != "1":
        subprocess.run(["mvn", "-q", "-B", "-pl", "benchmarks", "-am", "-DskipTests", "package"], cwd=ROOT, check=True)
    transports = os.environ.get("TRANSPORTS", "").split(",") if os.environ.get("TRANSPORTS") else available_transports()
    results = {}
    for t in transports:
        for kind in ("tornado", "netty"):
            p, port = start_server(kind, t)
            try:
                wrk(port, 5)  # warm-up (JIT)
                a0, c0 = allocated(p), cpu_seconds(p)
                rps, p99, err, n = wrk(port, DURATION, latency=True)
                a1, c1 = allocated(p), cpu_seconds(p)
                # per request: bytes allocated, and server CPU (steadier than req/s on a busy machine)
                results[(t, kind)] = (rps, p99, (a1 - a0) / n, (c1 - c0) * 1e6 / n)
            finally:
                stop_server(p)
            print(f"{t:9} {kind:8} {rps:12,.0f} req/s  p99 {p99:8.3f} ms  {results[(t, kind)][2]:7,.0f} B/req"
                  f"  {results[(t, kind)][3]:6.2f} us CPU/req  {err}", flush=True)
    print()
    print(f"{'transport':10}{'Tornado-J req/s':>17}{'Netty req/s':>14}{'ratio':>8}{'p99 T-J':>10}{'p99 Netty':>11}"
          f"{'p99 ratio':>11}{'CPU/req ratio':>15}")
    for t in transports:
        tr, tp, _, tc = results[(t, "tornado")]
        nr, np_, _, nc = results[(t, "netty")]
        print(f"{t:10}{tr:17,.0f}{nr:14,.0f}{tr / nr:8.2f}{tp:9.3f}ms{np_:10.3f}ms{tp / np_:11.2f}{nc / tc:15.2f}")
    print("(CPU/req ratio: raw Netty's server CPU per request / Tornado-J's; higher is better, like req/s)")
    print(f"\ntargets: req/s ratio >= 0.90, p99 ratio <= 1.20 ({CONNECTIONS} keep-alive connections, one server loop)")

    print(f"\nmemory per idle keep-alive connection ({IDLE} connections, heap + direct after GC):")
    t = transports[0]
    for kind in ("tornado", "netty"):
        p, port = start_server(kind, t)
        try:
            before = memory(p)
            c = subprocess.Popen(pinned(1, JAVA + ["io.tornadoj.benchmarks.http.IdleClients", "127.0.0.1", str(port), str(IDLE)]),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = c.stdout.readline()
            if not line.startswith("OPEN"):
                raise RuntimeError(f"idle clients failed: {line!r}")
            time.sleep(1)
            after = memory(p)
            c.stdin.write("close\n")
            c.stdin.flush()
            c.wait(timeout=60)
        finally:
            stop_server(p)
        print(f"  {t} {kind:8} {(after - before) / IDLE:8.0f} bytes/connection ({(after - before) / 1e6:.1f} MB for {IDLE})")


if __name__ == "__main__":
    main()
