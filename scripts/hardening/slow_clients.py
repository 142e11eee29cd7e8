#!/usr/bin/env python3
"""Slow and idle clients: with 1,000 idle or byte-by-byte (slowloris) connections open, a normal
client is still answered quickly; idle connections are closed after the idle timeout; a client
over the connection cap gets a clean 503; memory stays bounded (peak RSS reported).

    .venv/bin/python scripts/hardening/slow_clients.py --connections 1000 --max-latency-ms 100
"""
import argparse
import json
import pathlib
import socket
import tempfile
import time

import _path  # noqa: F401
from harness import Connection, Server, read_rss_peak_kib

SLOW_HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: OpsWorks_20130218.DescribeStacks\r\nX-Padding: " + b"a" * 4000


def open_connections(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(s)
    return sockets


def latency_under_load(connections=1000, requests=200, seconds=10, workdir=None):
    """Half the connections idle, half trickling a request head a byte at a time, while a normal
    client measures its latencies."""
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="opsworks-slow-"))
    server = Server(["--in-memory", "--max-connections", str(connections + 50), "--log-level", "error"], workdir)
    try:
        idle = open_connections(server.port, connections // 2)
        slow = open_connections(server.port, connections - connections // 2)
        time.sleep(0.5)  # the server admits them all before the measurement starts
        normal = Connection(server.port)
        latencies, sent, deadline = [], 0, time.monotonic() + seconds
        while len(latencies) < requests and time.monotonic() < deadline:
            # One more byte on every slow connection, then one normal request.
            for s in slow:
                s.send(SLOW_HEAD[sent % len(SLOW_HEAD):sent % len(SLOW_HEAD) + 1])
            sent += 1
            started = time.monotonic()
            status, _ = normal.call("DescribeStacks", {})
            latencies.append((time.monotonic() - started) * 1000)
            assert status == 200
        still_open = sum(1 for s in idle + slow if s.fileno() != -1)
        rss_kib = read_rss_peak_kib(server.process.pid)
        for s in idle + slow:
            s.close()
        normal.close()
        latencies.sort()
        return {"connections": connections, "requests": len(latencies), "open_during_test": still_open,
                "p50_ms": round(latencies[len(latencies) // 2], 2), "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
                "max_ms": round(latencies[-1], 2), "peak_rss_mib": round(rss_kib / 1024, 1)}
    finally:
        server.stop()


def idle_timeout_and_cap(idle_seconds=1, cap=20, workdir=None):
    """A connection idle past the timeout is closed; one over the cap is refused with 503."""
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="opsworks-cap-"))
    server = Server(["--in-memory", "--idle-timeout", str(idle_seconds), "--max-connections", str(cap), "--log-level", "error"], workdir)
    try:
        quiet = socket.create_connection(("127.0.0.1", server.port), timeout=idle_seconds + 5)
        started = time.monotonic()
        closed_after = None
        if quiet.recv(1) == b"":
            closed_after = time.monotonic() - started
        quiet.close()
        time.sleep(0.2)
        held = open_connections(server.port, cap)
        time.sleep(0.3)  # let the server admit them all
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        started = time.monotonic()
        reply = extra.recv(65536)
        refused_in = time.monotonic() - started
        extra.close()
        for s in held:
            s.close()
        return {"idle_timeout_s": idle_seconds, "idle_closed_after_s": round(closed_after, 2) if closed_after else None,
                "cap": cap, "over_cap_status": reply.split(b" ")[1].decode() if reply else None,
                "over_cap_is_aws_shaped": b"ServiceUnavailableException" in reply, "refused_in_ms": round(refused_in * 1000, 1)}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--max-latency-ms", type=float, default=100)
    args = parser.parse_args()
    load = latency_under_load(args.connections, args.requests)
    limits = idle_timeout_and_cap()
    print(json.dumps(load))
    print(json.dumps(limits))
    ok = (load["max_ms"] < args.max_latency_ms and load["requests"] == args.requests
          and limits["idle_closed_after_s"] is not None and limits["over_cap_status"] == "503" and limits["over_cap_is_aws_shaped"])
    print("slow clients: " + ("ok" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
