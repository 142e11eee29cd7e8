"""The event stream, `GET /_opsworks-local/events`, read as a client reads Server-Sent Events:
one event per API call (with `changed` and the stack for calls that changed the state, and the
error type of a refused one), ids in order with none missing or repeated across the server's
chunks, and a reconnect with Last-Event-ID resuming after the last event seen."""
import json
import socket
import time

from conftest import create_stack, error_of


class EventStream:
    def __init__(self, server, last_event_id=None):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        resume = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
        self.sock.sendall(f"GET /_opsworks-local/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{resume}\r\n".encode())
        self.buffer = b""

    def events(self, count, seconds=10):
        """The next `count` events as (id, object), within `seconds`."""
        found, deadline = [], time.monotonic() + seconds
        while len(found) < count and time.monotonic() < deadline:
            while b"\n\n" in self.buffer and len(found) < count:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if ": " in line and not line.startswith(":"))
                if "data" in fields:
                    found.append((int(fields["id"]) if "id" in fields else None, json.loads(fields["data"])))
            if len(found) < count:
                self.buffer += self.sock.recv(1 << 16)
        assert len(found) == count, f"{len(found)} of {count} events arrived"
        return found

    def close(self):
        self.sock.close()


def test_each_call_is_one_event_saying_what_it_changed(server, client):
    stream = EventStream(server)
    time.sleep(0.2)
    stack = create_stack(client)
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    client.describe_layers(LayerIds=[layer])
    error_of(lambda: client.describe_layers(LayerIds=["nope"]))
    events = [event for _, event in stream.events(4)]
    stream.close()
    assert [(e["type"], e["operation"], e["status"], e["changed"]) for e in events] == [
        ("call", "CreateStack", 200, True), ("call", "CreateLayer", 200, True),
        ("call", "DescribeLayers", 200, False), ("call", "DescribeLayers", 400, False)]
    assert events[1]["stackId"] == stack and "stackId" not in events[2]
    assert events[3]["errorType"] == "ResourceNotFoundException" and "errorType" not in events[0]
    assert all(e["accessKey"] == "x" and e["region"] == "us-east-1" and e["requestId"] for e in events)


def test_ids_run_on_across_chunks_and_a_reconnect_resumes_after_the_last_seen(server, client):
    stream = EventStream(server)
    time.sleep(0.2)
    for _ in range(300):  # about 80 KB of events: more than two of the server's 32 KB chunks
        client.describe_stacks()
    events = stream.events(300)
    stream.close()
    ids = [event_id for event_id, _ in events]
    assert ids == list(range(ids[0], ids[0] + 300))
    resumed = EventStream(server, last_event_id=ids[149])
    again = resumed.events(150)
    resumed.close()
    assert [event_id for event_id, _ in again] == ids[150:]
    assert [event["requestId"] for _, event in again] == [event["requestId"] for _, event in events[150:]]
