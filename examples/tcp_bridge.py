#!/usr/bin/env python3
"""Publish a batch to a syncbus queue and follow the queue, over the TCP event-bus bridge.

Python 3 standard library only. Frames are a 4-byte big-endian length, then that many bytes of
UTF-8 JSON. The JWT goes in every frame's headers.

usage: tcp_bridge.py [HOST [PORT [QUEUE [TOKEN]]]]
       (or the environment: SYNCBUS_HOST=127.0.0.1 SYNCBUS_BRIDGE_PORT=7000 SYNCBUS_QUEUE=default
        SYNCBUS_TOKEN=<a JWT granting publish and subscribe on QUEUE>)

Prints the reply to the batch ({"epoch": E, "seq": n}), then each batch the queue publishes until
its own has come back.
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
headers = {"Authorization": "Bearer " + token}


def send(frame):
    data = json.dumps(frame).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive():
    (length,) = struct.unpack(">I", stream.read(4))
    return json.loads(stream.read(length).decode("utf-8"))


sock = socket.create_connection((host, port), timeout=30)
stream = sock.makefile("rb")
send({"type": "register", "address": f"syncbus.{queue}.updates", "headers": headers})
batch = [{"type": "update", "data": {"id": 1, "name": "ada"}}]
send({"type": "send", "address": f"syncbus.{queue}.apply", "replyAddress": "my-reply",
      "headers": headers, "body": batch})

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
