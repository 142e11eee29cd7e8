#!/usr/bin/env python3
"""CreateDeployment at 16 connections with no event stream open, then with 50 open: the rate with
the streams as a share of the rate without, in one run on one server (issue: at least 90%).
Each stream is a client that reads `GET /_opsworks-local/events` to the end and counts what it got,
as a dashboard would; the load is wrk on loopback. Alternating runs (without, with, without,
with...) keep the machine's drift out of the ratio.
  python3 bench/streams.py --binary .build/release/opsworks-local [--seconds 5] [--rounds 3] [--streams 50]
"""
import argparse
import pathlib
import socket
import statistics
import tempfile
import threading
import time

from bench import CREATE_DEPLOYMENT, ours, wrk


class Stream(threading.Thread):
    """One open event stream; counts the events it read until told to stop."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"GET /_opsworks-local/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.events = 0
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                data = self.sock.recv(1 << 20)
            except (socket.timeout, OSError):
                continue
            if not data:
                return
            self.events += data.count(b"\ndata: ")

    def stop(self):
        self.stopping = True
        self.sock.close()


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
            streams = [Stream(server.port) for _ in range(args.streams)]
            for stream in streams:
                stream.start()
            time.sleep(0.5)
            with_streams.append(wrk(server.port, "CreateDeployment", CREATE_DEPLOYMENT, 16, args.seconds)["rps"])
            time.sleep(0.3)
            delivered += sum(stream.events for stream in streams)
            for stream in streams:
                stream.stop()
        base, loaded = statistics.median(without), statistics.median(with_streams)
        print(f"CreateDeployment @16, no stream open:   {base:,.0f} req/s (runs: {', '.join(f'{r:,.0f}' for r in without)})")
        print(f"CreateDeployment @16, {args.streams} streams open: {loaded:,.0f} req/s (runs: {', '.join(f'{r:,.0f}' for r in with_streams)})")
        print(f"with streams / without: {loaded / base:.2f} (target >= 0.90); events delivered to the streams: {delivered:,}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
