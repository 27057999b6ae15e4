#!/usr/bin/env python3
"""An independent synchronisation client written only from PROTOCOL.md, with the standard library:
it signs time tokens, publishes form-encoded batches, follows /poll line by line and rebuilds the
state with its own apply function. Run against a live server:

    protocol_client.py BASE_URL PUBLISH_SECRET SUBSCRIBE_SECRET

Exit status 0 and "ok" when the server behaved as the protocol says; 1 with the reason otherwise.
"""
import hashlib
import hmac
import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


def token(secret, message):
    ts = str(int(time.time()))
    return ts + ":" + hmac.new(secret.encode(), (message + ts).encode(), hashlib.sha256).hexdigest()


def apply_updates(pk, state, batch):
    """The original client's apply: metadata key -> created/updated/deleted."""
    meta = {}
    for update in batch:
        key = update["data"][pk]
        if update["type"] == "update":
            meta[key] = "updated" if key in state else "created"
            state[key] = update["data"]
        elif update["type"] == "delete" and key in state:
            del state[key]
            meta[key] = "deleted"
    return meta


def publish(base, secret, batch):
    data = json.dumps(batch)
    body = urllib.parse.urlencode({"data": data, "hmac": token(secret, data)}).encode()
    try:
        with urllib.request.urlopen(base + "/update", body, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def follow(base, secret, lines):
    url = base + "/poll?" + urllib.parse.urlencode({"data": "{}", "hmac": token(secret, "None")})
    with urllib.request.urlopen(url, timeout=30) as stream:
        for line in stream:
            lines.put(json.loads(line.decode("utf-8")))


def expect(condition, why):
    if not condition:
        print("protocol client: " + why)
        sys.exit(1)


def main():
    base, pub, sub = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    lines = queue.Queue()
    threading.Thread(target=follow, args=(base, sub, lines), daemon=True).start()
    state = {}
    meta = apply_updates("id", state, lines.get(timeout=10))
    expect(meta == {} and state == {}, "the backlog of a new queue is []")

    big = 2 ** 70
    batches = [
        [{"type": "update", "data": {"id": 1, "name": "ada", "big": big}}],
        [{"type": "update", "data": {"id": "1", "nested": {"a": [1, 2, {"b": None}]}}}],
        [],
        [{"type": "update", "data": {"id": 1, "name": "lovelace", "big": big}}, {"type": "delete", "data": {"id": "1"}}],
    ]
    for batch in batches:
        status, body = publish(base, pub, batch)
        expect(status == 200 and body == "", "publish answered %s %r" % (status, body))
    metas = [apply_updates("id", state, lines.get(timeout=10)) for _ in batches]
    expect(metas == [{1: "created"}, {"1": "created"}, {}, {1: "updated", "1": "deleted"}], "metadata %r" % metas)
    expect(state == {1: {"id": 1, "name": "lovelace", "big": big}}, "state %r" % state)

    status, body = publish(base, sub, [])
    expect(status == 403 and body == "Invalid token", "a subscribe secret publishing answered %s %r" % (status, body))
    status, body = publish(base, pub, [{"type": "update", "data": {"name": "no key"}}])
    expect(status == 400 and "batch[0]" in body, "an invalid batch answered %s %r" % (status, body))
    print("ok")


if __name__ == "__main__":
    main()
