#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/<target>/ (small, valid or
nearly valid inputs that reach deep into each parser). Re-run after changing an input format;
inputs found by fuzzing (regressions) are added beside these by hand and kept."""
import base64
import gzip
import hashlib
import json
import os
import struct
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
M64 = (1 << 64) - 1


def put(target, name, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def client_key(seed):
    """core/codec/ws_handshake.cpp make_client_key."""
    s, a = splitmix64(seed)
    s, b = splitmix64(s)
    return base64.b64encode(struct.pack("<QQ", a, b)).decode()


def accept_key(key):
    g = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    return base64.b64encode(hashlib.sha1((key + g).encode()).digest()).decode()


def ws_frame(op, payload, fin=True, mask=None, rsv1=False):
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | op
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        h = bytes([b0, m | n])
    elif n < 65536:
        h = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        h = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is None:
        return h + payload
    k = struct.pack(">I", mask)
    return h + k + bytes(c ^ k[i % 4] for i, c in enumerate(payload))


def raw_deflate(msg, wbits=15):
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    out = c.compress(msg) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out


def h2_frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def hpack(headers):
    """Literal header fields without indexing, new names, no Huffman (all lengths < 127)."""
    out = b""
    for n, v in headers:
        out += b"\x00" + bytes([len(n)]) + n.encode() + bytes([len(v)]) + v.encode()
    return out


def settings(pairs, ack=False):
    return h2_frame(4, 1 if ack else 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def chunked(body):
    return b"%x\r\n" % len(body) + body + b"\r\n"


EVENTS = "retry: 1500\n: keep-alive\nid: 1\nevent: tick\ndata: {\"seq\":1}\n\ndata: a\ndata: b\n\n"


def sse():
    put("sse_parser", "basic", b"\x00" + EVENTS.encode())
    put("sse_parser", "bom-crlf", b"\x02\xef\xbb\xbfid: 7\r\nevent: x\r\ndata: a\rdata: b\r\n\r\n")
    put("sse_parser", "fields", b"\x04data\n\nid\x00\nid: a\x00b\ndata:c\nretry: 12x\nretry\n\n:\n")
    put("sse_parser", "long-line", b"\x01data: " + b"x" * 100 + b"\n\n")
    put("sse_gzip", "gzip-events", b"\x00" + gzip.compress(EVENTS.encode()))
    put("sse_gzip", "zlib-events", b"\x01" + zlib.compress(EVENTS.encode()))
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    flushed = c.compress(b"data: 1\n\n") + c.flush(zlib.Z_SYNC_FLUSH) + \
        c.compress(b"data: 2\n\n") + c.flush(zlib.Z_SYNC_FLUSH)
    put("sse_gzip", "gzip-flushed", b"\x02" + flushed)
    put("sse_gzip", "plain", b"\x04" + EVENTS.encode())


def ws():
    # knobs: bit0 server role (masked input), bit1 small bound, bit2 RSV1 allowed.
    m = 0x37FA213D
    put("ws_frame", "client-text", b"\x00" + ws_frame(1, b"hello") + ws_frame(9, b"p") +
        ws_frame(8, struct.pack(">H", 1000) + b"bye"))
    put("ws_frame", "client-fragmented", b"\x00" + ws_frame(1, b"he", fin=False) +
        ws_frame(10, b"") + ws_frame(0, b"llo \xc3\xa9"))
    put("ws_frame", "client-16bit", b"\x00" + ws_frame(2, b"\x00" * 300))
    put("ws_frame", "server-masked", b"\x01" + ws_frame(1, b"hi", mask=m) +
        ws_frame(9, b"x", mask=m) + ws_frame(8, struct.pack(">H", 1001), mask=m))
    put("ws_frame", "server-rsv1", b"\x05" + ws_frame(1, raw_deflate(b"hello"), mask=m, rsv1=True))
    put("ws_frame", "client-bad-utf8", b"\x00" + ws_frame(1, b"\xed\xa0\x80"))
    put("ws_frame", "small-bound", b"\x02" + ws_frame(2, b"y" * 101))


def pmd():
    put("pmd_inflate", "hello", b"\x3c\x00" + raw_deflate(b"hello hello hello"))
    put("pmd_inflate", "window8", b"\x00\x01" + raw_deflate(b"abc" * 50, 9))
    put("pmd_inflate", "empty", b"\x03\x02\x00")
    for i, v in enumerate(["permessage-deflate; client_max_window_bits",
                           "permessage-deflate; server_no_context_takeover; "
                           "client_no_context_takeover; server_max_window_bits=10",
                           "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=\"9\"",
                           "permessage-deflate; server_max_window_bits=08, permessage-deflate"]):
        put("pmd_negotiate", "v%d" % i, bytes([0x3d ^ i, i, 0xff - i]) + v.encode())


def queries():
    for i, q in enumerate(["rate=100&size=256&payload=json&count=10",
                           "topic=news&keepalive=0.5&payload=text&duration=2.5",
                           "stream=abc&last_seq=3&drop_after=2&retry=100&payload=random",
                           "echo=1&stream=c%20d&rate=1e6&size=0", "size=1048577&rate=0"]):
        put("query", "q%d" % i, q)
        put("raw_handshake", "q%d" % i, "PUSHBENCH/1 " + q)
    for i, a in enumerate(["gzip, deflate, br", "deflate;q=0.5, gzip;q=0.4", "*;q=0.1, gzip;q=0",
                           "X-GZIP; Q=1.0", "identity, *;q=0"]):
        put("accept_encoding", "a%d" % i, a)


def server_http():
    # knobs: bit0 ws server, bit1 HTTP/2 (the preface is prepended), rest: split seed.
    put("server_http", "sse-gzip", b"\x00GET /sse?rate=1000&size=16&count=3 HTTP/1.1\r\n"
        b"Host: x\r\nAccept-Encoding: gzip\r\n\r\n")
    put("server_http", "health-stats", b"\x04GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /stats HTTP/1.1\r\nHost: x\r\n\r\n")
    put("server_http", "send", b"\x08POST /send?stream=a HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: 2\r\n\r\nhi")
    key = client_key(1)
    up = ("GET /ws?echo=1&stream=e HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n"
          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n" % key)
    put("server_http", "ws-echo", b"\x01" + up.encode() + ws_frame(1, b"hi", mask=7) +
        ws_frame(9, b"", mask=7) + ws_frame(8, struct.pack(">H", 1000), mask=7))
    get = hpack([(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                 (":path", "/sse?rate=1000&size=8&count=2"), ("accept-encoding", "gzip")])
    put("server_http", "h2-sse", b"\x02" + settings([(4, 65535)]) + settings([], ack=True) +
        h2_frame(1, 5, 1, get) + h2_frame(8, 0, 0, struct.pack(">I", 1 << 20)))
    post = hpack([(":method", "POST"), (":scheme", "http"), (":authority", "x"),
                  (":path", "/send?stream=a")])
    put("server_http", "h2-post", b"\x06" + settings([]) + h2_frame(1, 4, 1, post) +
        h2_frame(0, 1, 1, b"hello"))
    con = hpack([(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                 (":authority", "x"), (":path", "/ws?echo=1&stream=w"),
                 ("sec-websocket-version", "13"),
                 ("sec-websocket-extensions", "permessage-deflate")])
    put("server_http", "h2-ws", b"\x03" + settings([]) + h2_frame(1, 4, 1, con) +
        h2_frame(0, 0, 1, ws_frame(1, b"hi", mask=9)) + h2_frame(3, 0, 1, struct.pack(">I", 8)))


def clients():
    # h1_client / h2_client knobs: k1 % 3 protocol (sse, ws, raw), (k1 >> 2) % 4 + 1 streams
    # (HTTP/2), (k1 >> 4) % 3 compression; k2 is the session seed.
    body = chunked(EVENTS.encode()) + b"0\r\n\r\n"
    put("h1_client", "sse-chunked", b"\x00\x00HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"
        b"\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    gz = gzip.compress(b"data: z\n\n")
    put("h1_client", "sse-gzip", b"\x10\x00HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(gz) + gz)
    for seed in (0, 5):
        resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: %s\r\n" % accept_key(client_key(seed)))
        put("h1_client", "ws-%d" % seed, bytes([1, seed]) + (resp + "\r\n").encode() +
            ws_frame(1, b"ev") + ws_frame(9, b"p") + ws_frame(8, struct.pack(">H", 1000)))
        pmd_resp = resp + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
        put("h1_client", "ws-pmd-%d" % seed, bytes([0x11, seed]) + pmd_resp.encode() +
            ws_frame(1, raw_deflate(b"compressed event"), rsv1=True))
    put("h1_client", "raw", b"\x02\x00{\"seq\":0}\n{\"seq\":1}\n")
    srv = settings([(3, 100), (8, 1)]) + settings([], ack=True)
    sse_headers = hpack([(":status", "200"), ("content-type", "text/event-stream")])
    put("h2_client", "sse", b"\x00\x00" + srv + h2_frame(1, 4, 1, sse_headers) +
        h2_frame(0, 0, 1, EVENTS.encode()) + h2_frame(0, 1, 1, b"data: end\n\n"))
    put("h2_client", "sse-2streams", b"\x04\x00" + srv + h2_frame(1, 4, 1, sse_headers) +
        h2_frame(1, 4, 3, sse_headers) + h2_frame(0, 0, 3, b"data: 3\n\n") +
        h2_frame(3, 0, 1, struct.pack(">I", 8)))
    gz_headers = hpack([(":status", "200"), ("content-type", "text/event-stream"),
                        ("content-encoding", "gzip")])
    put("h2_client", "sse-gzip", b"\x10\x00" + srv + h2_frame(1, 4, 1, gz_headers) +
        h2_frame(0, 1, 1, gz))
    put("h2_client", "ws", b"\x01\x00" + srv + h2_frame(1, 4, 1, hpack([(":status", "200")])) +
        h2_frame(0, 0, 1, ws_frame(1, b"ev") + ws_frame(8, struct.pack(">H", 1000))) +
        h2_frame(7, 0, 0, struct.pack(">II", 1, 0)))
    put("h2_client", "ws-pmd", b"\x11\x00" + srv + h2_frame(1, 4, 1, hpack(
        [(":status", "200"), ("sec-websocket-extensions", "permessage-deflate")])) +
        h2_frame(0, 0, 1, ws_frame(1, raw_deflate(b"compressed"), rsv1=True)))


def reports():
    figures = {"throughput": {"events_per_s": 1000.0},
               "latency_us": {"corrected": {"p50": 100, "p99": 900, "p999": 1200},
                              "uncorrected": {"p99": 800}},
               "wire": {"bytes_per_event": 300}, "events": {"lost": 0},
               "server": {"cpu_ns_per_event": 5000, "rss_bytes_per_connection": 9000},
               "loadgen": {"cpu_ns_per_event": 3000}}
    sc = [dict(figures, name="fanout/sse", group="fanout", transport="sse"),
          dict(figures, name="fanout/ws", group="fanout", transport="ws",
               repetitions={"runs": 3, "latency_us.corrected.p99":
                            {"median": 900, "mad": 10, "values": [880, 900, 950]}})]
    rep = {"schema_version": 1, "git_sha": "abc", "started_at": "2026-01-01T00:00:00Z",
           "finished_at": "2026-01-01T00:01:00Z", "scenarios": sc}
    put("report", "two-scenarios", json.dumps(rep))
    put("report", "nulls", json.dumps({"scenarios": [{"name": "x", "throughput": None,
                                                      "latency_us": {"corrected": 5}}]}))
    put("report", "not-object", json.dumps({"scenarios": [1, "a", None, []]}))
    suites = os.path.join(ROOT, "..", "..", "bench", "suites")
    for name in ("quick", "workloads"):
        with open(os.path.join(suites, name + ".json"), "rb") as f:
            put("suite", name, f.read())
    put("suite", "matrix", json.dumps({"name": "m", "defaults": {"transports": ["sse", "ws"]},
                                       "matrix": [{"group": "g-{size}-{compression}",
                                                   "axes": {"size": [64, 4096],
                                                            "compression": ["none", "on"]},
                                                   "fixed": {"rate": 50},
                                                   "exclude": [{"size": 64}]}]}))
    put("suite", "bad-types", json.dumps({"name": "b", "scenarios": [
        {"group": "x", "rate": "fast", "http": 2, "streams": -1}]}))


if __name__ == "__main__":
    sse(); ws(); pmd(); queries(); server_http(); clients(); reports()
