#!/usr/bin/env python3
"""CreateDeployment at 16 connections with no event stream open, then with 50 open: the rate with
the streams as a share of the rate without, in one run on one server (issue: at least 90%).
Each stream reads `GET /_opsworks-local/events` to the end and counts what it got, as a dashboard
would (all of them in one reader process beside the load); the load is wrk on loopback. Alternating runs (without, with, without,
with...) keep the machine's drift out of the ratio.
  python3 bench/streams.py --binary .build/release/opsworks-local [--seconds 5] [--rounds 3] [--streams 50]
"""
import argparse
import multiprocessing
import pathlib
import selectors
import socket
import statistics
import tempfile
import time

from bench import CREATE_DEPLOYMENT, ours, wrk


def read_streams(port, count, ready, stop, delivered):
    """Opens `count` event streams and reads each to the end, counting the events, until `stop`
    is set. One process with one selector for all of them, as 50 browser tabs would be 50
    readers outside the server: the benchmark weighs what the server pays for its streams,
    not what 50 Python threads fighting over one interpreter lock cost the machine."""
    selector = selectors.DefaultSelector()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /_opsworks-local/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    ready.set()
    events = 0
    buffer = bytearray(1 << 20)  # read into one buffer: no new bytes object per read
    deadline = time.monotonic() + 600  # bounded even if never told to stop
    while not stop.is_set() and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            try:
                size = key.fileobj.recv_into(buffer)
            except BlockingIOError:
                continue
            if not size:
                selector.unregister(key.fileobj)
                continue
            # An event split across two reads is not counted; the count is the streams' lower bound.
            events += buffer.count(b"\ndata: ", 0, size)
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    delivered.value = events


class Streams:
    """`count` open event streams in a process of their own."""

    def __init__(self, port, count):
        self.ready, self.stop, self.delivered = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Value("q", 0)
        self.process = multiprocessing.Process(target=read_streams, args=(port, count, self.ready, self.stop, self.delivered))
        self.process.start()
        if not self.ready.wait(10):
            raise RuntimeError("the event streams did not open")

    def close(self):
        self.stop.set()
        self.process.join(10)
        return self.delivered.value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="bench/.build/release/opsworks-local")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=50)
    args = parser.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="opsworks-streams-"))
    server = ours(pathlib.Path(args.binary), workdir / "streams.db")
    try:
        without, with_streams, delivered = [], [], 0
        for _ in range(args.rounds):
            without.append(wrk(server.port, "CreateDeployment", CREATE_DEPLOYMENT, 16, args.seconds)["rps"])
            streams = Streams(server.port, args.streams)
            time.sleep(0.5)
            with_streams.append(wrk(server.port, "CreateDeployment", CREATE_DEPLOYMENT, 16, args.seconds)["rps"])
            time.sleep(0.3)
            delivered += streams.close()
        base, loaded = statistics.median(without), statistics.median(with_streams)
        print(f"CreateDeployment @16, no stream open:   {base:,.0f} req/s (runs: {', '.join(f'{r:,.0f}' for r in without)})")
        print(f"CreateDeployment @16, {args.streams} streams open: {loaded:,.0f} req/s (runs: {', '.join(f'{r:,.0f}' for r in with_streams)})")
        print(f"with streams / without: {loaded / base:.2f} (target >= 0.90); events delivered to the streams: {delivered:,}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
