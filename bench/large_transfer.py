#!/usr/bin/env python3
"""Moves one large artifact with the command, in-process and through a node,
and measures each step: its seconds, MB/s and the peak resident memory of
every process (the command, and the node while it served):

    large_transfer.py BIN DRIVER DSN SIZE_BYTES RESULTS WORK_DIR

Appends one JSON line per step to RESULTS: {"driver", "size", "where",
"step", "seconds", "mb_per_s", "command_rss_kib", "node_rss_kib",
"status"}. The artifact is random bytes, so that no driver compresses it."""
import json
import os
import signal
import subprocess
import sys
import time

bin_path, driver, dsn, size, results, work = sys.argv[1:7]
size = int(size)
owner = ["--tenant", "bench", "--user", "large", "--session", "s"]
source = os.path.join(work, "large.bin")
back = os.path.join(work, "back.bin")


def make_source():
    block = 4 << 20
    with open(source, "wb") as out:
        left = size
        while left > 0:
            out.write(os.urandom(min(block, left)))
            left -= block


def measured(args, stdout=subprocess.DEVNULL):
    """Runs the command to its end: (status, seconds, peak RSS in KiB, stdout)."""
    started = time.monotonic()
    process = subprocess.Popen([bin_path] + args, stdout=stdout, stderr=subprocess.PIPE)
    out = process.stdout.read() if stdout == subprocess.PIPE else b""
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        sys.stderr.write(err.decode(errors="replace"))
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss, out


def record(where, step, status, seconds, command_kib, node_kib=None):
    line = {"driver": driver, "size": size, "where": where, "step": step, "status": status,
            "seconds": round(seconds, 3), "mb_per_s": round(size / seconds / 1e6, 1),
            "command_rss_kib": command_kib, "node_rss_kib": node_kib}
    with open(results, "a") as out:
        out.write(json.dumps(line) + "\n")


def put_and_get(where, store_flags, namespace):
    status, seconds, kib, out = measured(
        ["put"] + store_flags + owner + ["--namespace", namespace, source], subprocess.PIPE)
    steps = [("put", status, seconds, kib)]
    if status == 0:
        ref = json.loads(out.decode().strip().splitlines()[-1])
        status, seconds, kib, _ = measured(
            ["get"] + store_flags + owner + ["--id", ref["id"], "-o", back])
        steps.append(("get", status, seconds, kib))
        if status == 0 and os.path.getsize(back) != size:
            steps[-1] = ("get", 99, seconds, kib)
        os.remove(back)
    return steps


make_source()
for step, status, seconds, kib in put_and_get("in-process", ["--dsn", dsn], "inproc"):
    record("in-process", step, status, seconds, kib)

node_started = time.monotonic()
node = subprocess.Popen([bin_path, "serve", "--dsn", dsn, "--port", "0"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
line = node.stdout.readline().decode().strip()
address = line[len("listening on "):] if line.startswith("listening on ") else None
steps = put_and_get("node", ["--node", address], "node") if address else []
node.send_signal(signal.SIGTERM)
_, _, node_usage = os.wait4(node.pid, 0)
for step, status, seconds, kib in steps:
    record("node", step, status, seconds, kib, node_usage.ru_maxrss)
if not address:
    record("node", "serve", 99, time.monotonic() - node_started, 0, node_usage.ru_maxrss)
os.remove(source)
