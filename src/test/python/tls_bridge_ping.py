#!/usr/bin/env python3
"""Pings the TCP event-bus bridge over TLS, with the standard library only:

    tls_bridge_ping.py HOST PORT CAFILE [CERTFILE KEYFILE]

It connects with ssl.create_default_context(cafile=CAFILE) (the server's certificate must chain to
CAFILE and name HOST), presents CERTFILE/KEYFILE when given, sends a ping frame (a 4-byte big-endian
length, then the JSON {"type": "ping"}) and prints the frame received.

Exit status 0 when it is {"type": "pong"}; 1 with one line saying why otherwise (a refused
handshake, a closed connection, another frame).
"""
import json
import socket
import ssl
import struct
import sys


def read_exactly(stream, count):
    data = stream.read(count)
    if len(data) != count:
        raise ConnectionError(f"the connection closed after {len(data)} of {count} bytes")
    return data


def ping(host, port, cafile, cert=None, key=None):
    context = ssl.create_default_context(cafile=cafile)
    if cert:
        context.load_cert_chain(cert, key)
    with socket.create_connection((host, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as sock:
            data = json.dumps({"type": "ping"}).encode("utf-8")
            sock.sendall(struct.pack(">I", len(data)) + data)
            stream = sock.makefile("rb")
            (length,) = struct.unpack(">I", read_exactly(stream, 4))
            return json.loads(read_exactly(stream, length).decode("utf-8"))


def main(args):
    host, port, cafile = args[0], int(args[1]), args[2]
    cert, key = (args[3], args[4]) if len(args) >= 5 else (None, None)
    try:
        frame = ping(host, port, cafile, cert, key)
    except (OSError, ssl.SSLError, ValueError) as error:
        print(f"failed: {type(error).__name__}: {error}")
        return 1
    print(json.dumps(frame))
    return 0 if frame.get("type") == "pong" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
