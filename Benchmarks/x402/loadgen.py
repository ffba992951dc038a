"""Closed-loop load generator for POST {URL}/verify with one fixed body (keep-alive, threads).

usage: python loadgen.py URL_BASE SECONDS CONCURRENCY BODY_FILE [BEARER_TOKEN]
Verify is read-only, so one signed payload stays valid for the whole run. Prints one line:
RESULT rps=<requests/s> p50_ms=<> p99_ms=<> errors=<non-200 or isValid!=true>
(Adapted from shared/tools/x402/loadgen.py so the same generator drives both servers.)
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, secs, conc, body_file = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
token = sys.argv[5] if len(sys.argv) > 5 else None
body = open(body_file, "rb").read()
u = urllib.parse.urlsplit(base)
path = u.path.rstrip("/") + "/verify"
headers = {"Content-Type": "application/json"}
if token:
    headers["Authorization"] = f"Bearer {token}"
latencies, errors, lock = [], [0], threading.Lock()
stop = time.time() + secs


def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    mine, bad = [], 0
    while time.time() < stop:
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        mine.append(time.perf_counter() - started)
        if answer.status != 200 or json.loads(data).get("isValid") is not True:
            bad += 1
    with lock:
        latencies.extend(mine)
        errors[0] += bad


threads = [threading.Thread(target=worker) for _ in range(conc)]
began = time.time()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.time() - began
latencies.sort()
q = lambda f: latencies[min(len(latencies) - 1, int(f * len(latencies)))] * 1000  # noqa: E731
print(f"RESULT rps={len(latencies) / elapsed:.0f} p50_ms={q(0.5):.2f} p99_ms={q(0.99):.2f} errors={errors[0]}")
