#!/usr/bin/env python3
"""Writes the large-artifacts section of docs/performance.md from the JSON
lines of scripts/bench-large:

    write_large_report.py RESULTS PERFORMANCE_MD "LOAD LINE"

The section lies between two markers (report_sections.py)."""
import json
import sys

from report_sections import splice_section

begin, end = "<!-- large-artifacts begin -->", "<!-- large-artifacts end -->"
results_path, out_path, load_line = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(line) for line in open(results_path) if line.strip()]
bound_mib = 128


def mib(kib):
    return "–" if kib is None else f"{kib / 1024:.0f}"


def at(driver, where, step):
    return next((r for r in runs if r["driver"] == driver and r["where"] == where
                 and r["step"] == step), None)


lines = [begin, "", "## Large artifacts", "",
         "Written by `scripts/bench-large` from one run: one artifact of random bytes, put and "
         "then got with the command, in-process and through a node on loopback, each step a "
         "process of its own. A put larger than 4 MiB streams as an upload of 4 MiB chunks, "
         "three on their way; a get reads 4 MiB ranges, three on their way. Peak resident "
         "memory is each process's own (`wait4`), the node's over both steps. PostgreSQL 15 "
         "with fsync on, on the same two cores.", "",
         f"- Load before the run: `{load_line}`", "",
         "| driver | size | where | step | s | MB/s | command peak MiB | node peak MiB |",
         "|---|---|---|---|---|---|---|---|"]
for r in runs:
    failed = "" if r["status"] == 0 else f" (exit {r['status']})"
    lines.append(f"| {r['driver']} | {r['size'] >> 20} MiB | {r['where']} | {r['step']}{failed} | "
                 f"{r['seconds']:.1f} | {r['mb_per_s']:.1f} | {mib(r['command_rss_kib'])} | "
                 f"{mib(r.get('node_rss_kib'))} |")

goals = []
for driver in sorted({r["driver"] for r in runs}):
    for step in ("put", "get"):
        node, local = at(driver, "node", step), at(driver, "in-process", step)
        if node and local and node["status"] == 0 and local["status"] == 0:
            share = node["mb_per_s"] / local["mb_per_s"]
            goals.append((f"{driver}: {step} through a node ≥ 0.8× in-process", f"{share:.2f}×",
                          "yes" if share >= 0.8 else "no"))
    node_runs = [r for r in runs if r["driver"] == driver and r["where"] == "node"]
    if node_runs and driver in ("postgres", "fs"):
        peak = max(max(r["command_rss_kib"], r["node_rss_kib"] or 0) for r in node_runs)
        goals.append((f"{driver}: every process under {bound_mib} MiB through a node",
                      f"{peak / 1024:.0f} MiB", "yes" if peak < bound_mib * 1024 else "no"))
lines += ["", "### Goals in this run", "", "| goal | this run | met |", "|---|---|---|"]
lines += [f"| {g} | {v} | {m} |" for g, v, m in goals]
lines += ["", end]
block = "\n".join(lines)

splice_section(out_path, begin, end, block)
