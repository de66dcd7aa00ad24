#!/usr/bin/env python3
"""Writes the data-scale section of docs/performance.md from the JSON lines
of scripts/bench-scale:

    write_scale_report.py RESULTS PERFORMANCE_MD "LOAD LINE"

The section lies between two markers (report_sections.py)."""
import json
import sys

from report_sections import splice_section

begin, end = "<!-- data-scale begin -->", "<!-- data-scale end -->"
results_path, out_path, load_line = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(line) for line in open(results_path) if line.strip()]
sizes = [r for r in runs if "result" in r]
database_bytes = next((r["database_bytes"] for r in runs if "database_bytes" in r), None)


def num(value, digits=0):
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ")


def power(n):
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10 ** exponent else num(n)


def at(driver, size):
    return next((r for r in sizes if r["driver"] == driver and r["result"]["size"] == size), None)


lines = [begin, "", "## Data scale", "",
         "Written by `scripts/bench-scale` from one run; every figure below comes from that run.",
         "",
         "- One tenant (`large`) grows to each size in turn, artifacts of 64 bytes spread over "
         "10 users and 100 sessions each, beside a tenant of 100 (`small`); PostgreSQL 15 with "
         "fsync on (as in the tables above), SQLite and fs in a temporary folder on the same "
         "disk. Loaded through the client by 32 caller threads; each size adds to the last. "
         "After each load PostgreSQL runs `VACUUM ANALYZE` on the table, as autovacuum would "
         "soon after, and a CHECKPOINT.",
         "- Measured in-process through one client, one request at a time: a list page of the "
         "small tenant (all 100), a page of 1 000 from the middle of the large tenant (the "
         "cursor at its sixth user) and the usage of the large tenant, each the median of 50; paging through the first 10^5 "
         "refs of the large tenant (pages of 1 000); 1 000 gets and 1 000 exists of random "
         "listed artifacts and 1 000 puts of new ones. Then `artifact-store ls --tenant large` "
         "lists the whole large tenant through the command, process start included.",
         f"- Load just before the run: `{load_line.strip()}`. The machine has 2 cores."]
if database_bytes:
    lines.append(f"- The PostgreSQL database at its largest: {num(database_bytes / 2**20)} MiB.")

for driver in ("postgres", "sqlite", "fs"):
    rows = sorted((r for r in sizes if r["driver"] == driver), key=lambda r: r["result"]["size"])
    if not rows:
        continue
    lines += ["", f"### {driver}", "",
              "| artifacts | loaded/s | small page ms | middle page ms | first 10^5 paged s "
              "| whole tenant via `ls` s | usage of the large tenant ms | get p50 µs | gets/s "
              "| exists p50 µs | put p50 µs | puts/s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    previous = 0
    for r in rows:
        m = r["result"]
        added = m["size"] - previous
        previous = m["size"]
        lines.append(
            f"| {power(m['size'])} | {num(added / r['load_s'] if r['load_s'] else None)} | "
            f"{num(m['small_page_ms'], 2)} | {num(m['large_page_ms'], 2)} | "
            f"{num(m['paged_s'], 2)} ({num(m['paged_refs'])} refs) | "
            f"{num(r['ls_s'], 1)} ({num(r['ls_refs'])} refs) | "
            f"{num(m.get('large_usage_ms'), 2)} | {num(m['get_p50_us'], 0)} | "
            f"{num(m['get_per_s'])} | {num(m['exists_p50_us'], 0)} | {num(m['put_p50_us'], 0)} | "
            f"{num(m['put_per_s'])} |")


def ratio(driver, key, small=10 ** 4, large=10 ** 6):
    a, b = at(driver, small), at(driver, large)
    if a is None or b is None or not a["result"][key]:
        return None
    return b["result"][key] / a["result"][key]


goals = []
for driver in ("postgres", "sqlite"):
    for key, what in (("small_page_ms", "small-tenant page"),
                      ("large_page_ms", "page from the middle of the large tenant")):
        value = ratio(driver, key)
        goals.append((f"{driver}: {what} at 10^6 within 2× of 10^4",
                      "–" if value is None else f"{value:.2f}×",
                      "not run" if value is None else ("yes" if value <= 2 else "no")))
usage = at("postgres", 10 ** 5)
usage_ms = None if usage is None else usage["result"].get("large_usage_ms")
goals.append(("postgres: usage of a 10^5-artifact tenant in ≤ 10 ms",
              "–" if usage_ms is None else f"{usage_ms:.2f} ms",
              "not run" if usage_ms is None else ("yes" if usage_ms <= 10 else "no")))
whole = at("postgres", 10 ** 6)
goals.append(("postgres: a 10^6-artifact tenant through `ls` in ≤ 30 s",
              "–" if whole is None else f"{whole['ls_s']:.1f} s",
              "not run" if whole is None else ("yes" if whole["ls_s"] <= 30 else "no")))
for driver in ("postgres", "sqlite"):
    for key, what in (("get_per_s", "gets"), ("put_per_s", "puts")):
        value = ratio(driver, key)
        goals.append((f"{driver}: {what} flat from 10^4 to 10^6 (within 0.7–1.3×)",
                      "–" if value is None else f"{value:.2f}×",
                      "not run" if value is None else ("yes" if 0.7 <= value <= 1.3 else "no")))

lines += ["", "### Goals in this run", "", "| goal | this run | met |", "|---|---|---|"]
lines += [f"| {g} | {v} | {m} |" for g, v, m in goals]
reading = open(sys.argv[0].replace("write_scale_report.py", "scale_reading.md")).read().strip()
lines += ["", "### Reading", "", reading, "", end]
block = "\n".join(lines)

splice_section(out_path, begin, end, block)
