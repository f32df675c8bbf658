#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets, tests/fuzz/corpus/<target>/, from the examples
of server/PROTOCOL.md (every request and answer block) plus hand-made edge cases.

    python3 tests/fuzz/seed.py

Files it writes are named doc-<hash> and edge-<name>; it replaces those and leaves every other file
alone (the inputs of fixed findings, named finding-<what>, stay). The selector byte that starts a
json or csv input picks the operation: it follows the tables of fuzz_json.c and fuzz_csv.c."""
import hashlib
import json
import os
import struct
import re
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")

# fuzz_json.c's table, in its order
JSON_OPS = ["structures.create", "structures.update", "depots.create", "items.create", "volunteers.create",
            "volunteers.update", "duty_officers.create", "stock.report", "stock.movement", "thresholds.set",
            "sms.send", "tokens.create"]
# fuzz_csv.c's table, in its order
CSV_OPS = ["structures.import", "volunteers.import"]


def routes():
    """(method, regex, op name) of every HTTP route of server/api.c's table."""
    text = open(os.path.join(ROOT, "server", "api.c"), encoding="utf-8").read()
    out = []
    for name, method, path in re.findall(r'\{"([a-z_.]+)", op_\w+,[^"]*"([A-Z]+)",\s*"([^"]+)"\}', text):
        rx = "^" + re.sub(r"\\\{\w+\\\}", "[^/?]+", re.escape(path)) + "$"
        out.append((method, re.compile(rx), name))
    return out


def fill(text):
    """The examples' placeholders made concrete: fills shortened, names given a plain value."""
    text = re.sub(r"<(\w)\*(\d+)>", lambda m: m.group(1) * min(int(m.group(2)), 300), text)
    text = re.sub(r'"<[\w.]+>"', "1", text)
    return re.sub(r"<[\w.]+>", "1", text)


def blocks(md):
    """(info string, body) of each fenced block."""
    for m in re.finditer(r"^```([^\n]*)\n(.*?)^```", md, re.S | re.M):
        yield m.group(1).strip(), m.group(2)


class Corpus:
    def __init__(self):
        self.files = {}  # target -> {name: bytes}

    def add(self, target, data, name=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not name:
            name = "doc-" + hashlib.sha1(data).hexdigest()[:16]
        self.files.setdefault(target, {})[name] = data

    def write(self):
        for target, files in sorted(self.files.items()):
            d = os.path.join(CORPUS, target)
            os.makedirs(d, exist_ok=True)
            for old in os.listdir(d):
                if old.startswith(("doc-", "edge-")):
                    os.unlink(os.path.join(d, old))
            for name, data in files.items():
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            print(f"{target}: {len(files)} seeds", file=sys.stderr)


def ws_frame(payload, opcode=1, fin=True, key=b"\x12\x34\x56\x78"):
    """A client's websocket frame: masked, as RFC 6455 requires of clients."""
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def http_request(method, target, headers, body):
    """The raw bytes of a request as a client sends them (fuzz_http reads the head)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:8080"] + headers
    if body:
        if not any(h.lower().startswith("content-type:") for h in headers):
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def sms_texts(obj, out):
    """Every "text" and "body" string inside a JSON value (SMS texts in answers and requests)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("text", "body") and isinstance(v, str):
                out.append(v)
            else:
                sms_texts(v, out)
    elif isinstance(obj, list):
        for v in obj:
            sms_texts(v, out)


def main():
    md = open(os.path.join(ROOT, "server", "PROTOCOL.md"), encoding="utf-8").read()
    table = routes()
    c = Corpus()
    texts = []
    for info, body in blocks(md):
        body = fill(body)
        kind = info.split()
        if info.startswith("http request"):
            head, _, payload = body.partition("\n\n")
            lines = head.split("\n")
            method, _, target = lines[0].partition(" ")
            path, _, query = target.strip().partition("?")
            op = next((name for m, rx, name in table if m == method and rx.match(path)), None)
            c.add("http", http_request(method, target.strip(), [h for h in lines[1:] if h], payload.rstrip("\n")))
            if query:
                c.add("form", query)
                for v in urllib.parse.parse_qs(query).get("text", []):
                    texts.append(v)
            payload = payload.rstrip("\n")
            if not payload:
                continue
            if op in ("sms.twilio_inbound", "sms.twilio_status"):
                c.add("form", payload)
                texts.extend(urllib.parse.parse_qs(payload).get("Body", []))
            elif op in CSV_OPS:
                c.add("csv", bytes([CSV_OPS.index(op)]) + payload.encode())
            else:
                sel = JSON_OPS.index(op) if op in JSON_OPS else 0
                c.add("json", bytes([sel]) + payload.encode())
                try:
                    sms_texts(json.loads(payload), texts)
                except ValueError:
                    pass
        elif info.startswith("ws request"):
            try:
                msg = json.loads(body)
            except ValueError:
                c.add("json", b"\0" + body.encode())
                continue
            c.add("ws", ws_frame(body.strip().encode()))
            op = msg.get("type")
            data = msg.get("data")
            if op in ("sms.twilio_inbound",) and isinstance(data, str):
                c.add("form", data)
            elif data is not None:
                sel = JSON_OPS.index(op) if op in JSON_OPS else 0
                c.add("json", bytes([sel]) + json.dumps(data, ensure_ascii=False).encode())
                sms_texts(data, texts)
            c.add("json", b"\0" + body.encode())  # the whole message: the parser's input too
        elif info.startswith(("http response", "ws response", "ws event")):
            payload = body.split("\n\n", 1)[1] if info.startswith("http response") and "\n\n" in body and \
                not body.lstrip().startswith(("{", "[")) else body
            payload = payload.strip("\n")
            if payload.startswith(("{", "[")):
                c.add("json", b"\0" + payload.encode())
                try:
                    sms_texts(json.loads(payload), texts)
                except ValueError:
                    pass
            elif "," in payload.split("\n", 1)[0] and not payload.startswith("<"):
                # a CSV export: imported back as structures or volunteers, by its header
                sel = 1 if "first_name" in payload.split("\n", 1)[0] else 0
                c.add("csv", bytes([sel]) + payload.encode())
    for t in texts:
        c.add("sms", t)

    # hand-made edge cases
    edges = {
        "json": {
            "empty-object": b"\0{}",
            "nul-escape": b"\0{\"name\":\"a\\u0000b\"}",
            "trailing": b"\0{} {}",
            "deep": b"\0" + b"[" * 200 + b"]" * 200,
            "big-number": b"\x07{\"holder_kind\":\"structure\",\"holder_id\":1,\"items\":[{\"item\":1,\"quantity\":1e400}]}",
            "negative-zero": b"\x07{\"holder_kind\":\"structure\",\"holder_id\":-0,\"items\":[{\"item\":1,\"quantity\":-0}]}",
            "surrogate": b"\0{\"name\":\"\\ud83d\\ude00\\ud800\",\"category\":\"ehpad\"}",
            "overlong-utf8": b"\0{\"name\":\"\xc0\xaf\",\"category\":\"ehpad\",\"legal_form\":\"sas\",\"commune\":\"81004\"}",
        },
        "form": {
            "empty": b"",
            "bad-escape": b"a=%zz&b=%",
            "nul": b"Body=a%00b&From=%2B33639981302&MessageSid=SM1",
            "plus-space": b"Body=Dispo+svp&From=0639981302&MessageSid=SM2&To=%2B33",
            "many": "&".join(f"f{i}={i}" for i in range(70)).encode(),
            "no-value": b"a&b=&=c&&",
        },
        "sms": {
            "stop-accent": "Arrêt".encode(),
            "dispo-lower": b"dispo",
            "gsm-ext": "€[]{}|^~\\".encode(),
            "160": b"a" * 160,
            "161": b"a" * 161,
            "70-ucs2": "é" * 35 + "€" * 35 + "ш" * 1,
            "emoji": "DISPO 😀".encode(),
            "invalid-utf8": b"STOP \xff\xfe",
            "empty": b"",
        },
        "http": {
            "chunked": b"POST /api/v1/stock/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            "two-lengths": b"POST /api/v1/items HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "dot-segments": b"GET /api/v1/../../etc/passwd HTTP/1.1\r\n\r\n",
            "percent-nul": b"GET /api/v1/structures?q=%00&dep=%C3%28 HTTP/1.1\r\n\r\n",
            "lf-only": b"GET /api/v1/whoami HTTP/1.1\nAuthorization: Bearer x\n\n",
        },
        "ws": {
            "ping-close": ws_frame(b"hi", opcode=9) + ws_frame(struct.pack(">H", 1000) + b"bye", opcode=8),
            "fragmented": ws_frame(b'{"type": "who', fin=False) + ws_frame(b'ami", "id": 1}', opcode=0),
            "bad-close-code": ws_frame(struct.pack(">H", 1005), opcode=8),
            "unmasked": b"\x81\x02{}",
            "long-16": ws_frame(b"x" * 300),
            "binary": ws_frame(b"\x00\xff", opcode=2),
        },
        "csv": {
            "quoted-newline": b"\0name,category,legal_form,commune\n\"a\nb\",ehpad,sas,81004\n",
            "bom-crlf": b"\0\xef\xbb\xbfname,category,legal_form,commune\r\nX,ehpad,sas,81004\r\n",
            "unterminated": b"\0name,category\n\"abc,ehpad\n",
            "ragged": b"\1first_name,last_name\nA\nB,C,D\n",
            "finess": b"\0id,hospital_name,site_name,lat,lon,postcode,city,facility_type,public_private,tel,cap_beds\n"
                      b"810000001,CH,,43.9,2.1,81000,Albi,hospital,public,0563000000,100\n",
        },
    }
    for target, cases in edges.items():
        for name, data in cases.items():
            c.add(target, data, "edge-" + name)
    c.write()


if __name__ == "__main__":
    main()
