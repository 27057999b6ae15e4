#!/usr/bin/env python3
"""Follow a syncbus queue and publish to it over the TCP bridge, authenticating once.

Python 3 standard library only. Frames are a 4-byte big-endian length, then that many bytes of
UTF-8 JSON. The JWT is sent once, to syncbus.auth; every later frame goes without headers (as
clients that cannot put headers on every frame, such as vertx-eventbus-client's register, do)
and is judged by the connection's token until it expires.

usage: tcp_bridge_auth.py [HOST [PORT [QUEUE [TOKEN]]]]
       (or the environment: SYNCBUS_HOST=127.0.0.1 SYNCBUS_BRIDGE_PORT=7000 SYNCBUS_QUEUE=default
        SYNCBUS_TOKEN=<a JWT with an exp, granting publish and subscribe on QUEUE>)

Prints what the token grants, the reply to the batch ({"epoch": E, "seq": n}), then each batch
the queue publishes until its own has come back.
"""
import json
import os
import socket
import struct
import sys

args = sys.argv[1:] + [None] * 4
host = args[0] or os.environ.get("SYNCBUS_HOST", "127.0.0.1")
port = int(args[1] or os.environ.get("SYNCBUS_BRIDGE_PORT", "7000"))
queue = args[2] or os.environ.get("SYNCBUS_QUEUE", "default")
token = args[3] or os.environ["SYNCBUS_TOKEN"]


def send(frame):
    data = json.dumps(frame).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive():
    (length,) = struct.unpack(">I", stream.read(4))
    return json.loads(stream.read(length).decode("utf-8"))


def expect(reply_address):
    """The next frame, which must answer reply_address; exits on a refusal."""
    frame = receive()
    if frame["type"] == "err":
        sys.exit(f"refused ({frame.get('failureCode')}): {frame.get('message')}")
    assert frame["address"] == reply_address, frame
    return frame["body"]


sock = socket.create_connection((host, port), timeout=30)
stream = sock.makefile("rb")

# Once per connection: the token's rights hold for every frame until the token expires.
send({"type": "send", "address": "syncbus.auth", "replyAddress": "auth",
      "headers": {"Authorization": "Bearer " + token}})
print("granted:", json.dumps(expect("auth")))

send({"type": "register", "address": f"syncbus.{queue}.updates"})
batch = [{"type": "update", "data": {"id": 1, "name": "ada"}}]
send({"type": "send", "address": f"syncbus.{queue}.apply", "replyAddress": "my-reply", "body": batch})

reply = update = None
while reply is None or update is None or update["seq"] < reply["seq"]:
    frame = receive()
    if frame["type"] == "err":
        sys.exit(f"refused ({frame.get('failureCode')}): {frame.get('message')}")
    if frame["address"] == "my-reply":
        reply = frame["body"]
        print("reply:", json.dumps(reply))
    else:
        update = frame["body"]
        print(f"batch {update['seq']}:", json.dumps(update["batch"]))
sock.close()
