"""Raw clients for the hostile-input tests: bytes exactly as written (no library to tidy them up),
answers read back as a client sees them. HTTP: status, headers, body, and whether the server closed
the connection. Websocket: the handshake by hand and frames built one by one (masked or not)."""

import base64
import json
import os
import socket
import struct
import time


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def error(self):
        """(code, field) of a JSON error answer."""
        e = self.json()["error"]
        return e["code"], e.get("field")


class RawHttp:
    """One TCP connection; send() writes bytes as given, answer() reads one HTTP answer."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buf += chunk

    def answer(self, head=False):
        """Reads one answer (status line, headers, Content-Length body; no body with head, the
        answer to a HEAD request)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        text, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = text.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        n = 0 if head or status in (100, 101) else int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return Answer(status, headers, body)

    def closed(self, timeout=5):
        """True when the server closes the connection (EOF or reset) within timeout, having sent
        nothing more."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return not self.buf
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return not self.buf
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def request(method, target, headers=(), body=b"", version="HTTP/1.1"):
    """The bytes of one request; headers are (name, value) pairs written as given."""
    lines = ["%s %s %s" % (method, target, version)] + ["%s: %s" % h for h in headers]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body


def process_cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- websocket ------------------------------------------------------------------------------------

def frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length_form=None):
    """A client frame. length_form forces the 16- or 64-bit length encoding (16 or 64)."""
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    mbit = 0x80 if mask else 0
    if length_form == 64 or (length_form is None and n >= 65536):
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    elif length_form == 16 or (length_form is None and n >= 126):
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BB", b0, mbit | n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


class RawWs:
    """A websocket opened by hand: frames sent as built, server frames read back."""

    def __init__(self, port, token, extra=b""):
        self.http = RawHttp(port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.http.send(request("GET", "/ws", [("Host", "127.0.0.1"), ("Upgrade", "websocket"),
                                              ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
                                              ("Sec-WebSocket-Version", "13"),
                                              ("Authorization", "Bearer " + token)]) + extra)
        ans = self.http.answer()
        if ans.status != 101:
            raise AssertionError("upgrade refused: %d %s" % (ans.status, ans.body))

    def send(self, data):
        self.http.send(data)

    def recv_frame(self, timeout=10):
        """(opcode, payload) of the next server frame."""
        h = self.http
        h.sock.settimeout(timeout)
        while len(h.buf) < 2:
            h._fill()
        b0, b1 = h.buf[0], h.buf[1]
        if b1 & 0x80:
            raise AssertionError("the server sent a masked frame")
        n, off = b1 & 0x7F, 2
        if n == 126:
            while len(h.buf) < 4:
                h._fill()
            n, off = struct.unpack("!H", h.buf[2:4])[0], 4
        elif n == 127:
            while len(h.buf) < 10:
                h._fill()
            n, off = struct.unpack("!Q", h.buf[2:10])[0], 10
        while len(h.buf) < off + n:
            h._fill()
        payload, h.buf = h.buf[off:off + n], h.buf[off + n:]
        return b0 & 0x0F, payload

    def recv_json(self, timeout=10):
        op, payload = self.recv_frame(timeout)
        if op != 1:
            raise AssertionError("expected a text frame, got opcode %d %r" % (op, payload))
        return json.loads(payload)

    def recv_close(self, timeout=10):
        """(code, reason) of the close frame, skipping messages before it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            op, payload = self.recv_frame(max(0.1, deadline - time.time()))
            if op == 8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:].decode("utf-8")
        raise AssertionError("no close frame")

    def request(self, msg):
        self.send(frame(1, json.dumps(msg)))
        while True:
            m = self.recv_json()
            if m.get("type") != "event":
                return m

    def close(self):
        self.http.close()
