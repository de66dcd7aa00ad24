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


def errors(run, nested=None):
    """How many measured operations of the run (or of its baseline) failed.

    The figures of such a run count only the operations that succeeded."""
    value = figure(run, "errors", nested)
    return int(value) if value else 0


def marked(text, *sources):
    """`text`, followed by the failed operations of the runs it comes from."""
    count = sum(errors(run, nested) for run, nested in sources)
    return text if not count or text == "–" else f"{text} ({count} errors)"


def cell(run, key="ops_per_s", digits=0, nested=None):
    return marked(num(figure(run, key, nested), digits), (run, nested))


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
         "caller thread, in the same process, after the store's run; `bench --baseline` issues "
         "a CHECKPOINT before the store's run and another before the baseline's, so that "
         "neither starts with the other's writes still to flush.",
         "- pgbench: `-M prepared`, the scripts in `bench/` (put: the original "
         "driver's BEGIN; SELECT; INSERT … ON CONFLICT DO NOTHING; SELECT; COMMIT; get: one "
         "SELECT of a row loaded with random bytes). pgbench puts run at 1 KiB only: "
         "pgbench cannot send a random 1 MiB parameter, and its put builds the payload in SQL "
         "(`lpad`), so at 1 MiB it would send a few bytes where the store and the baselines "
         "send a MiB, and store bytes that TOAST compresses to a few kilobytes; the 1 MiB put "
         "rows compare the store with raw and seed alone.",
         f"- Load just before the run: `{load.strip()}`. The machine has 2 cores; a load "
         "above 2 means other processes shared them and depressed these figures.",
         "- Callers are threads that each block on one call at a time through the shared "
         "client, unless a table says caller actors: event-based actors that each keep one "
         "request in flight (`bench --callers actors`).",
         "- MB/s counts payload bytes (10^6 per MB). Latencies are exact percentiles of every "
         "measured operation that succeeded.",
         "- A failed operation is no throughput: ops/s, MB/s and latencies count the "
         "operations that succeeded, and a figure from a run in which any measured operation "
         "failed is followed by their count, e.g. `1 968 (12 errors)`. No goal is met from "
         "such a run.", "",
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
            if pgb is None and workload == "put" and payload == "1MiB":
                pgbench_cells = "not run | –"
            else:
                pgbench_cells = (f"{cell(pgb)} | "
                                 f"{marked(ratio(store, pgbench), (raw_run, None), (pgb, None))}")
            lines.append(
                f"| {workload} | {payload} | {callers} | {cell(raw_run)} | "
                f"{num(figure(raw_run, 'mb_per_s'), 1)} | {num(figure(raw_run, 'p99_ms'), 2)} | "
                f"{cell(raw_run, nested='baseline')} | "
                f"{marked(ratio(store, raw), (raw_run, None), (raw_run, 'baseline'))} | "
                f"{cell(seed_run, nested='baseline')} | "
                f"{marked(ratio(store_vs_seed, seed), (seed_run, None), (seed_run, 'baseline'))} | "
                f"{pgbench_cells} |")

def pg_run(workload, payload, callers, baseline="raw"):
    return find(kind="store", store="postgres", workload=workload, payload=payload,
                callers=callers, baseline=baseline)


def share(a, b):
    return None if not a or not b else a / b


class Goal:
    """One goal, judged on the runs of one declared kind of caller.

    `measure(caller)` returns the goal's value and the runs it was computed
    from, as (label, run, nested) triples; a run with failed operations
    means the goal is not met, whatever the value."""

    def __init__(self, text, caller, target, measure, unit="×", at_most=False):
        self.text, self.caller, self.target, self.measure, self.unit = (
            text, caller, target, measure, unit)
        self.at_most = at_most

    def met(self, value):
        return value <= self.target if self.at_most else value >= self.target

    def row(self):
        value, sources = self.measure(self.caller)
        head = f"| {self.text} | caller {self.caller}"
        if value is None:
            return f"{head} | – | – |"
        if self.unit == "×":
            shown = f"{value:.2f}{self.unit}"
        elif self.unit == " µs":
            shown = f"{value:.1f}{self.unit}"
        else:
            shown = f"{num(value)}{self.unit}"
        failed = [f"{name}: {errors(run, nested)} errors" for name, run, nested in sources
                  if errors(run, nested)]
        if failed:
            return f"{head} | {shown}, {'; '.join(failed)} | no |"
        return f"{head} | {shown} | {'yes' if self.met(value) else 'no'} |"


def against_baseline(workload, payload, callers, baseline, key="ops_per_s"):
    def measure(caller):
        run = find(caller=caller, kind="store", store="postgres", workload=workload,
                   payload=payload, callers=callers, baseline=baseline)
        return (share(figure(run, key), figure(run, key, nested="baseline")),
                [("store", run, None), (baseline, run, "baseline")])
    return measure


def against_pgbench(workload, payload, callers):
    def measure(caller):
        run = find(caller=caller, kind="store", store="postgres", workload=workload,
                   payload=payload, callers=callers, baseline="raw")
        pgb = find(kind="pgbench", workload=workload, payload=payload, callers=callers)
        return share(figure(run), figure(pgb)), [("store", run, None), ("pgbench", pgb, None)]
    return measure


def memory_gets(callers):
    def measure(caller):
        run = find(caller=caller, kind="store", store="memory", workload="get",
                   payload="1KiB", callers=callers)
        return figure(run), [("memory", run, None)]
    return measure


def memory_get_p50_us(caller):
    run = find(caller=caller, kind="store", store="memory", workload="get", payload="1KiB",
               callers=1)
    p50 = figure(run, "p50_ms")
    return (None if p50 is None else p50 * 1000), [("memory", run, None)]


def node_against_in_process_at(callers):
    def measure(caller):
        node = find(caller=caller, kind="store", store="node", workload="get",
                    payload="1KiB", callers=callers)
        local = find(caller=caller, kind="store", store="postgres", workload="get",
                     payload="1KiB", callers=callers, baseline="raw")
        return (share(figure(node), figure(local)),
                [("node", node, None), ("in-process", local, None)])
    return measure


def postgres_actor_puts(caller):
    run = find(caller=caller, kind="store", store="postgres", workload="put", payload="1KiB",
               callers=32)
    return figure(run), [("postgres", run, None)]


# Each goal names the one kind of caller it is judged on. The comparisons with
# raw, seed and pgbench are judged on caller threads, the kind the baselines
# and pgbench run, as is the node against the in-process store; the memory
# driver's goal is the actor layer's own ceiling, judged on caller actors,
# which no thread parked per call holds back.
goals = [
    Goal("get 1 KiB, 1 caller: ≥ 0.8× raw", "threads", 0.8,
         against_baseline("get", "1KiB", 1, "raw")),
    Goal("put 1 KiB, 1 caller: ≥ 0.9× raw", "threads", 0.9,
         against_baseline("put", "1KiB", 1, "raw")),
    Goal("memory get 1 KiB, 1 caller, blocking client: p50 ≤ 10 µs", "threads", 10,
         memory_get_p50_us, unit=" µs", at_most=True),
    Goal("memory get 1 KiB, 1 caller: ≥ 300 000/s", "actors", 300000, memory_gets(1),
         unit="/s"),
    Goal("node get 1 KiB, 1 caller: ≥ 0.7× in-process", "threads", 0.7,
         node_against_in_process_at(1)),
    Goal("put 1 KiB, 32 callers: ≥ 25 000/s", "actors", 25000, postgres_actor_puts,
         unit="/s"),
    Goal("put 1 KiB, 32 callers: ≥ 3× seed", "threads", 3,
         against_baseline("put", "1KiB", 32, "seed")),
    Goal("put 1 KiB, 32 callers: ≥ 1.5× raw", "threads", 1.5,
         against_baseline("put", "1KiB", 32, "raw")),
    Goal("put 1 KiB, 32 callers: ≥ 1.5× pgbench", "threads", 1.5,
         against_pgbench("put", "1KiB", 32)),
    Goal("get 1 KiB, 32 callers: ≥ 1.0× raw", "threads", 1.0,
         against_baseline("get", "1KiB", 32, "raw")),
]
for workload in ("put", "get"):
    for callers in (1, 8, 32):
        goals.append(Goal(f"{workload} 1 MiB, {callers} callers: ≥ 0.9× raw MB/s", "threads", 0.9,
                          against_baseline(workload, "1MiB", callers, "raw", key="mb_per_s")))
goals += [
    Goal("node get 1 KiB, 32 callers: ≥ 0.5× in-process", "threads", 0.5,
         node_against_in_process_at(32)),
    Goal("memory get 1 KiB, 32 callers: ≥ 200 000/s", "actors", 200000,
         memory_gets(32), unit="/s"),
]

def one_caller_row(label, run, nested=None):
    if run is None or "result" not in run:
        return f"| {label} | – | – | – | – | – |"
    return (f"| {label} | {cell(run, nested=nested)} | "
            f"{num(figure(run, 'p50_ms', nested), 3)} | {num(figure(run, 'p99_ms', nested), 3)} | "
            f"{num(figure(run, 'switches_per_op', nested), 1)} | "
            f"{num(figure(run, 'cpu_us_per_op', nested), 1)} |")


lines += ["", "## One caller", "",
          "What a single call costs, target by target: the latency of one caller thread "
          "blocking on one call at a time (caller actors where the row says so), and the "
          "context switches and the CPU time of the whole benchmark process per call "
          "(`getrusage`: callers, client and store; the PostgreSQL server's are not counted): "
          "the switches show the thread hand-offs a call costs, the CPU time what waiting "
          "for an answer without parking costs.", "",
          "| target | 1 KiB ops/s | p50 ms | p99 ms | cs/op | CPU µs/op |",
          "|---|---|---|---|---|---|"]
for workload in ("get", "put"):
    raw_run = pg_run(workload, "1KiB", 1)
    lines.append(one_caller_row(f"postgres {workload}, store", raw_run))
    lines.append(one_caller_row(f"postgres {workload}, raw libpq", raw_run, "baseline"))
    for store in ("memory", "sqlite", "node", "tls-node"):
        lines.append(one_caller_row(f"{store} {workload}", find(
            kind="store", store=store, workload=workload, payload="1KiB", callers=1)))
    for store in ("memory", "postgres", "node"):
        lines.append(one_caller_row(f"{store} {workload}, caller actor", find(
            caller="actors", kind="store", store=store, workload=workload, payload="1KiB",
            callers=1)))

lines += ["", "## Goals in this run", "",
          "Ratios of the figures above; where a goal is missed, the last section says what "
          "bounds the figure. Each goal is judged on the runs of one kind of caller, the one "
          "it names. A goal computed from a run in which any measured operation failed is not "
          "met, and says how many failed.", "",
          "| goal | judged on | this run | met |", "|---|---|---|---|"]
lines += [goal.row() for goal in goals]


def figure_row(label, run):
    if "failed" in run:
        last = run["failed"].strip().splitlines()[-1] if run["failed"].strip() else "?"
        return f"| {label} | failed: {last} | | | | |"
    return (f"| {label} | {cell(run)} | {num(figure(run, 'mb_per_s'), 1)} | "
            f"{num(figure(run, 'p50_ms'), 3)} | {num(figure(run, 'p99_ms'), 2)} | "
            f"{num(figure(run, 'switches_per_op'), 1)} |")


lines += ["", "## Headline figures of the last runs", "",
          open(sys.argv[0].replace("write_report.py", "headlines.md")).read().strip()]

lines += ["", "## Other stores (caller threads)", "",
          "| store | workload | payload | callers | ops/s | MB/s | p50 ms | p99 ms | cs/op |",
          "|---|---|---|---|---|---|---|---|---|"]
for store in ("memory", "sqlite", "node", "tls-node"):
    for workload in ("put", "get"):
        for payload in ("1KiB", "1MiB"):
            for callers in (1, 8, 32):
                run = find(kind="store", store=store, workload=workload, payload=payload,
                           callers=callers)
                if run is not None:
                    lines.append(figure_row(f"{store} | {workload} | {payload} | {callers}", run))

lines += ["", "## Caller actors", "",
          "| store | workload | payload | callers | ops/s | MB/s | p50 ms | p99 ms | cs/op |",
          "|---|---|---|---|---|---|---|---|---|"]
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

with_errors = [r for r in runs if errors(r) or errors(r, "baseline")]
if with_errors:
    lines += ["", "## Runs with failed operations", "",
              "Their figures above count only the operations that succeeded.", ""]
    for r in with_errors:
        if r["tags"].get("kind") == "pgbench":
            lines.append(f"- `{json.dumps(r['tags'])}`: {errors(r)} failed transactions or "
                         "aborted clients")
            continue
        for nested in (None, "baseline"):
            if errors(r, nested):
                result = r["result"].get(nested) if nested else r["result"]
                lines.append(f"- `{json.dumps(r['tags'])}`, {result.get('label') or 'store'}: "
                             f"{errors(r, nested)} of "
                             f"{errors(r, nested) + int(result.get('ops') or 0)} measured "
                             "operations failed; first: "
                             f"{str(result.get('first_error', '')).strip()[:200]}")

# The data-scale and large-artifacts sections come from their own
# benchmarks (scripts/bench-scale, scripts/bench-large), and the
# measurements section from the runs it describes; a run of this one keeps
# them as they were.
try:
    previous = open(out_path).read()
except FileNotFoundError:
    previous = ""
for kept in ("data-scale", "large-artifacts", "measurements"):
    kept_begin, kept_end = f"<!-- {kept} begin -->", f"<!-- {kept} end -->"
    if kept_begin in previous and kept_end in previous:
        block = previous[previous.index(kept_begin):previous.index(kept_end) + len(kept_end)]
        lines += ["", block]

lines += ["", "## What bounds each figure", "", open(sys.argv[0].replace("write_report.py", "bounds.md")).read().strip(), ""]
open(out_path, "w").write("\n".join(lines))
