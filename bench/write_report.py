#!/usr/bin/env python3
"""Turns the JSON lines scripts/bench collected into docs/performance.md."""
import json
import sys

results_path, out_path, load, seconds, pg_settings = sys.argv[1:6]
runs = [json.loads(line) for line in open(results_path) if line.strip()]


def find(caller="threads", **tags):
    """The first run with these tags; runs without a caller tag ran threads."""
    for run in runs:
        if run["tags"].get("caller", "threads") != caller:
            continue
        if all(run["tags"].get(k) == v for k, v in tags.items()):
            return run
    return None


def num(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def figure(run, key="ops_per_s", nested=None):
    if run is None or "result" not in run:
        return None
    result = run["result"]
    if nested:
        result = result.get(nested) or {}
    value = result.get(key)
    return float(value) if value is not None else None


def ratio(a, b):
    return "–" if not a or not b else f"{a / b:.2f}×"


pool_size = next((r["result"].get("pool") for r in runs
                  if r["tags"].get("kind") == "store" and "result" in r and r["result"].get("pool")),
                 "?")

lines = ["# Performance", "",
         "Written by `scripts/bench` from one run; every figure below comes from that run.", "",
         "## Settings", "",
         f"- PostgreSQL 15 in a throw-away `pg_virtualenv` cluster on this machine; fsync, "
         f"synchronous_commit, shared_buffers, WAL: {pg_settings}.",
         f"- Each measured run lasts {seconds} s after a 0.5 s warm-up; store pool: the default, "
         f"one worker per core (here {pool_size}); "
         "every caller thread shares one `artifacts::client`; baselines use one connection per "
         "caller thread, in the same process, right after the store's run.",
         "- pgbench: `-M prepared`, the scripts in `bench/` (put: the original "
         "driver's BEGIN; SELECT; INSERT … ON CONFLICT DO NOTHING; SELECT; COMMIT; get: one "
         "SELECT of a loaded row).",
         f"- Load just before the run: `{load.strip()}`. The machine has 2 cores; a load "
         "above 2 means other processes shared them and depressed these figures.",
         "- Callers are threads that each block on one call at a time through the shared "
         "client, unless a table says caller actors: event-based actors that each keep one "
         "request in flight (`bench --callers actors`).",
         "- MB/s counts payload bytes (10^6 per MB). Latencies are exact percentiles of every "
         "measured operation.", "",
         "## PostgreSQL in-process: store vs baselines vs pgbench", "",
         "| workload | payload | callers | store ops/s | store MB/s | store p99 ms | raw ops/s "
         "| store/raw | seed ops/s | store/seed | pgbench tps | store/pgbench |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for workload in ("put", "get"):
    for payload in ("1KiB", "1MiB"):
        for callers in (1, 8, 32):
            raw_run = find(kind="store", store="postgres", workload=workload, payload=payload,
                           callers=callers, baseline="raw")
            seed_run = find(kind="store", store="postgres", workload=workload, payload=payload,
                            callers=callers, baseline="seed")
            pgb = find(kind="pgbench", workload=workload, payload=payload, callers=callers)
            store = figure(raw_run)
            raw = figure(raw_run, nested="baseline")
            seed = figure(seed_run, nested="baseline")
            store_vs_seed = figure(seed_run)
            pgbench = figure(pgb)
            lines.append(
                f"| {workload} | {payload} | {callers} | {num(store)} | "
                f"{num(figure(raw_run, 'mb_per_s'), 1)} | {num(figure(raw_run, 'p99_ms'), 2)} | "
                f"{num(raw)} | {ratio(store, raw)} | {num(seed)} | {ratio(store_vs_seed, seed)} | "
                f"{num(pgbench)} | {ratio(store, pgbench)} |")

def pg_run(workload, payload, callers, baseline="raw"):
    return find(kind="store", store="postgres", workload=workload, payload=payload,
                callers=callers, baseline=baseline)


def goal_row(goal, value, target, unit="×"):
    if value is None:
        return f"| {goal} | – | – |"
    shown = f"{value:.2f}{unit}" if unit == "×" else f"{num(value)}{unit}"
    return f"| {goal} | {shown} | {'yes' if value >= target else 'no'} |"


def share(a, b):
    return None if not a or not b else a / b


lines += ["", "## Goals in this run", "",
          "Ratios of the figures above; where a goal is missed, the last section says what "
          "bounds the figure.", "",
          "| goal | this run | met |", "|---|---|---|"]
put32 = pg_run("put", "1KiB", 32)
lines.append(goal_row("put 1 KiB, 32 callers: ≥ 3× seed",
                      share(figure(pg_run("put", "1KiB", 32, "seed")),
                            figure(pg_run("put", "1KiB", 32, "seed"), nested="baseline")), 3))
lines.append(goal_row("put 1 KiB, 32 callers: ≥ 1.5× raw",
                      share(figure(put32), figure(put32, nested="baseline")), 1.5))
lines.append(goal_row("put 1 KiB, 32 callers: ≥ 1.5× pgbench",
                      share(figure(put32),
                            figure(find(kind="pgbench", workload="put", payload="1KiB",
                                        callers=32))), 1.5))
get32 = pg_run("get", "1KiB", 32)
lines.append(goal_row("get 1 KiB, 32 callers: ≥ 1.0× raw",
                      share(figure(get32), figure(get32, nested="baseline")), 1.0))
for workload in ("put", "get"):
    for callers in (1, 8, 32):
        run = pg_run(workload, "1MiB", callers)
        lines.append(goal_row(f"{workload} 1 MiB, {callers} callers: ≥ 0.9× raw MB/s",
                              share(figure(run, "mb_per_s"),
                                    figure(run, "mb_per_s", nested="baseline")), 0.9))
lines.append(goal_row("node get 1 KiB, 32 callers: ≥ 0.5× in-process",
                      share(figure(find(kind="store", store="node", workload="get",
                                        payload="1KiB", callers=32)), figure(get32)), 0.5))
memory_gets = [figure(find(caller=caller, kind="store", store="memory", workload="get",
                           payload="1KiB", callers=32)) for caller in ("threads", "actors")]
memory_gets = [value for value in memory_gets if value is not None]
lines.append(goal_row("memory get 1 KiB through the actors, 32 callers: ≥ 200 000/s",
                      max(memory_gets) if memory_gets else None, 200000, unit="/s"))


def figure_row(label, run):
    if "failed" in run:
        last = run["failed"].strip().splitlines()[-1] if run["failed"].strip() else "?"
        return f"| {label} | failed: {last} | | | |"
    return (f"| {label} | {num(figure(run))} | {num(figure(run, 'mb_per_s'), 1)} | "
            f"{num(figure(run, 'p50_ms'), 3)} | {num(figure(run, 'p99_ms'), 2)} |")


lines += ["", "## Headline figures of the last runs", "",
          open(sys.argv[0].replace("write_report.py", "headlines.md")).read().strip()]

lines += ["", "## Other stores (caller threads)", "",
          "| store | workload | payload | callers | ops/s | MB/s | p50 ms | p99 ms |",
          "|---|---|---|---|---|---|---|---|"]
for store in ("memory", "sqlite", "node", "tls-node"):
    for workload in ("put", "get"):
        for payload in ("1KiB", "1MiB"):
            for callers in (1, 8, 32):
                run = find(kind="store", store=store, workload=workload, payload=payload,
                           callers=callers)
                if run is not None:
                    lines.append(figure_row(f"{store} | {workload} | {payload} | {callers}", run))

lines += ["", "## Caller actors", "",
          "| store | workload | payload | callers | ops/s | MB/s | p50 ms | p99 ms |",
          "|---|---|---|---|---|---|---|---|"]
for store in ("memory", "postgres", "node", "tls-node"):
    for workload in ("put", "get"):
        for callers in (1, 8, 32):
            run = find(caller="actors", kind="store", store=store, workload=workload,
                       payload="1KiB", callers=callers)
            if run is not None:
                lines.append(figure_row(f"{store} | {workload} | 1KiB | {callers}", run))

for name in ("node", "tls-node"):
    if find(store=name) is None:
        lines += ["", f"The {name} rows are missing: `artifact-store serve` did not start in "
                      "this run."]

failures = [r for r in runs if "failed" in r]
if failures:
    lines += ["", "## Runs that failed", ""]
    for r in failures:
        lines.append(f"- `{json.dumps(r['tags'])}`: {r['failed'].strip()[-200:]}")

lines += ["", "## What bounds each figure", "", open(sys.argv[0].replace("write_report.py", "bounds.md")).read().strip(), ""]
open(out_path, "w").write("\n".join(lines))
