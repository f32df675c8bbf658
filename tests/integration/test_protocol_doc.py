"""server/PROTOCOL.md is the protocol reference, and its examples are this test's script.

The test reads the document, starts a fresh renfortd as its "renfort fixture" block says (server
flags and the tokens the examples use), then replays every example block in document order:
HTTP requests with the harness' http(), websocket messages on one connection per name, and checks
that each answer (and each event a connection receives) matches the documented one, with the
conventions the document states at the top of its examples (ISO timestamps match any timestamp,
"<any>" matches anything, "<name>" placeholders are substituted in requests and captured in
answers). It also checks that every operation of the op table (as `renfortd ops` prints it) has a
section in the document, with the HTTP method and path, roles and kind of the table, and at least one example
that calls it: the document cannot drift from the code without this test failing.

Run: cd tests/integration && RENFORTD=../../build/server/renfortd /usr/bin/python3 -m unittest -v test_protocol_doc

RENFORT_PROTOCOL_RECORD=1 rewrites the document's expected answers from the server's actual ones
(keeping the placeholders and timestamps that still match): a writing aid; review the diff.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import shlex
import time
import unittest
import urllib.parse

import websocket  # Debian: python3-websocket

from harness import Server, op_table

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.environ.get("RENFORT_PROTOCOL_DOC", os.path.join(HERE, "../../server/PROTOCOL.md"))
SERVER = os.path.join(HERE, "../../server")


def server_sources():
    """Every .c file of the server, in server/ and its folders."""
    return sorted(os.path.join(d, f) for d, _, files in os.walk(SERVER) for f in files if f.endswith(".c"))


def server_source(name):
    """The text of the one server source file called name, wherever it lies under server/."""
    paths = [p for p in server_sources() if os.path.basename(p) == name]
    if len(paths) != 1:
        raise AssertionError("%d files called %s under server/: %r" % (len(paths), name, paths))
    with open(paths[0], encoding="utf-8") as f:
        return f.read()
RECORD = os.environ.get("RENFORT_PROTOCOL_RECORD") == "1"

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"
ISO_RE = re.compile(ISO)
PLACEHOLDER = re.compile(r"<([a-z][a-z0-9_]*)>")
PLACEHOLDER_FULL = re.compile(r"^<([a-z][a-z0-9_]*)>$")
FILL = re.compile(r"<([A-Za-z0-9])\*(\d+)>")
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): ?(.*)$")


# --- the operation table (`renfortd ops`) ----------------------------------------------------------

def route(ops, method, path):
    """The operation an HTTP request reaches, as api_route() does (table order, first match)."""
    path = path.split("?", 1)[0]
    for op in ops:
        if not op.path:
            continue
        pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(op.path)) + "$"
        if re.match(pattern, path) and op.method == method:
            return op.name
    return None


# --- the document -------------------------------------------------------------------------------------

class Block:
    def __init__(self, info, text, line, section):
        self.info = info.split()
        self.text = text
        self.line = line        # 1-based line of the opening fence
        self.section = section  # the operation section (### `name`) it is in, or None
        self.end = None         # line index of the closing fence (0-based), for record mode

    def __repr__(self):
        return "%s block at PROTOCOL.md:%d" % (" ".join(self.info), self.line)


def parse_doc(text):
    """(blocks, sections): fenced blocks in order, and {op name: section text}."""
    lines = text.split("\n")
    blocks, sections = [], {}
    section, sec_lines = None, []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(#{1,6}) ", line)
        if m:
            if section:
                sections[section] = "\n".join(sec_lines)
            h = re.match(r"^### `([a-z_.]+)`\s*$", line)
            section = h.group(1) if h else None
            sec_lines = []
            if h and section in sections:
                raise AssertionError("PROTOCOL.md:%d: a second section for %s" % (i + 1, section))
        if line.startswith("```"):
            info = line[3:].strip()
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            if j == len(lines):
                raise AssertionError("PROTOCOL.md:%d: unclosed code block" % (i + 1))
            b = Block(info, "\n".join(lines[i + 1:j]), i + 1, section)
            b.end = j
            blocks.append(b)
            sec_lines.extend(lines[i:j + 1])
            i = j + 1
            continue
        sec_lines.append(line)
        i += 1
    if section:
        sections[section] = "\n".join(sec_lines)
    return blocks, sections


def split_head(text, first_line):
    """A request or response block: [first line], header lines, a blank line, the body."""
    lines = text.split("\n")
    start = lines[0] if first_line else None
    rest = lines[1:] if first_line else lines
    headers = []
    k = 0
    while k < len(rest):
        m = HEADER_LINE.match(rest[k])
        if not m or rest[k].startswith("{") or rest[k].startswith("<"):
            break
        headers.append((m.group(1), m.group(2)))
        k += 1
    if k < len(rest) and rest[k].strip() == "":
        k += 1
    return start, headers, "\n".join(rest[k:]).rstrip("\n")


def no_duplicate_keys(pairs):
    """json.loads would keep the last of two equal keys: such a body is sent as it is written."""
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key given twice")
    return dict(pairs)


def try_json(text):
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except ValueError:
        return None if text.strip() else None


# --- placeholders and comparison -----------------------------------------------------------------------

class Mismatch(AssertionError):
    pass


class Vars(dict):
    def text(self, s, where, strict=True):
        """Substitutes <name> placeholders and <c*N> fills in a text. Not strict (answers): an
        unknown <name> is left as it is, as in the text "Authorization: Bearer <token>"."""
        s = FILL.sub(lambda m: m.group(1) * int(m.group(2)), s)

        def one(m):
            if m.group(1) == "any":
                return m.group(0)
            if m.group(1) not in self:
                if not strict:
                    return m.group(0)
                raise Mismatch("%s: <%s> is not defined yet" % (where, m.group(1)))
            v = self[m.group(1)]
            return v if isinstance(v, str) else json.dumps(v)
        return PLACEHOLDER.sub(one, s)

    def json(self, v, where):
        """Substitutes in a JSON value: a string that is only "<name>" becomes the value itself."""
        if isinstance(v, str):
            m = PLACEHOLDER_FULL.match(v)
            if m and m.group(1) != "any":
                if m.group(1) not in self:
                    raise Mismatch("%s: <%s> is not defined yet" % (where, m.group(1)))
                return self[m.group(1)]
            return self.text(v, where)
        if isinstance(v, list):
            return [self.json(x, where) for x in v]
        if isinstance(v, dict):
            return {k: self.json(x, where) for k, x in v.items()}
        return v


def match(expected, actual, vars_, path="$"):
    """Checks actual against the documented value; binds captures. Raises Mismatch."""
    if isinstance(expected, str):
        m = PLACEHOLDER_FULL.match(expected)
        if m:
            name = m.group(1)
            if name == "any":
                return
            if name not in vars_:
                vars_[name] = actual  # a capture
                return
            if vars_[name] != actual:
                raise Mismatch("%s: expected <%s> = %r, got %r" % (path, name, vars_[name], actual))
            return
        if isinstance(actual, str):
            if normalize_text(vars_.text(expected, path, False)) == normalize_text(actual):
                return
            if capture_in_text(expected, actual, vars_):
                return
        raise Mismatch("%s: expected %r, got %r" % (path, expected, actual))
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch("%s: expected an object, got %r" % (path, actual))
        if set(expected) != set(actual):
            raise Mismatch("%s: expected keys %s, got %s" % (path, sorted(expected), sorted(actual)))
        for k in expected:
            match(expected[k], actual[k], vars_, "%s.%s" % (path, k))
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            raise Mismatch("%s: expected %r, got %r" % (path, expected, actual))
        for i, (e, a) in enumerate(zip(expected, actual)):
            match(e, a, vars_, "%s[%d]" % (path, i))
        return
    if isinstance(expected, bool) or expected is None or isinstance(actual, bool) or actual is None:
        if expected is not actual:
            raise Mismatch("%s: expected %r, got %r" % (path, expected, actual))
        return
    if path.endswith(".seq") and isinstance(expected, int) and isinstance(actual, int):
        return  # sequence numbers: any (the test checks elsewhere that they grow)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if abs(expected - actual) <= 1e-9 * max(1.0, abs(expected)):
            return
    raise Mismatch("%s: expected %r, got %r" % (path, expected, actual))


def capture_in_text(expected, actual, vars_):
    """A text with placeholders not defined yet inside it ("your code is <signup_code>."): they
    capture the word at their place (letters, digits, - and _) when the rest matches as it is."""
    parts = PLACEHOLDER.split(expected)  # text, name, text, name, ..., text
    names = [n for n in parts[1::2] if n != "any" and n not in vars_]
    if not names:
        return False
    regex, seen = "", set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        elif part == "any":
            regex += ".*?"
        elif part in vars_:
            v = vars_[part]
            regex += re.escape(v if isinstance(v, str) else json.dumps(v))
        elif part in seen:
            regex += "(?P=%s)" % part
        else:
            seen.add(part)
            regex += "(?P<%s>[A-Za-z0-9_-]+)" % part
    m = re.fullmatch(regex, actual, re.S)
    if not m:
        return False
    vars_.update(m.groupdict())
    return True


DATE_RE = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def normalize_text(s):
    """Timestamps anywhere, and dates inside a longer text, become markers."""
    s = ISO_RE.sub("<time>", s.replace("\r\n", "\n")).rstrip("\n")
    return s if re.fullmatch(r"\d{4}-\d\d-\d\d", s) else DATE_RE.sub("<date>", s)


def merge(expected, actual, vars_):
    """Record mode: the actual value, keeping what the document wrote where it still matches."""
    try:
        match(expected, actual, vars_)
        return expected
    except Mismatch:
        pass
    if isinstance(actual, dict):
        exp = expected if isinstance(expected, dict) else {}
        return {k: merge(exp.get(k), v, vars_) for k, v in actual.items()}
    if isinstance(actual, list):
        exp = expected if isinstance(expected, list) else []
        return [merge(exp[i] if i < len(exp) else None, v, vars_) for i, v in enumerate(actual)]
    if isinstance(actual, str) and "port" in vars_:
        return actual.replace("127.0.0.1:" + vars_["port"], "127.0.0.1:<port>")
    return actual


def fmt(v, indent=0, width=140):
    """JSON as the document writes it: on one line when it fits, else one member per line."""
    one = json.dumps(v, ensure_ascii=False)
    if len(one) + indent <= width or not isinstance(v, (dict, list)) or not v:
        return one
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        inner = [pad + json.dumps(k, ensure_ascii=False) + ": " + fmt(x, indent + 2, width).lstrip() for k, x in v.items()]
        return "{\n" + ",\n".join(inner) + "\n" + " " * indent + "}"
    inner = [pad + fmt(x, indent + 2, width) for x in v]
    return "[\n" + ",\n".join(inner) + "\n" + " " * indent + "]"


# --- replaying ----------------------------------------------------------------------------------------------

class Replay:
    def __init__(self, blocks):
        self.blocks = blocks
        self.server = None
        self.vars = Vars()
        self.conns = {}   # name -> harness WsClient
        self.edits = {}   # block index -> new text (record mode)
        self.calls = []   # (block, op name) of every request
        self.last_seq = {}  # connection name -> seq of the last event it received

    # the fixture -------------------------------------------------------------------------------------
    def start(self):
        fixtures = [b for b in self.blocks if b.info[:2] == ["renfort", "fixture"]]
        if len(fixtures) != 1:
            raise AssertionError("PROTOCOL.md needs exactly one ```renfort fixture``` block")
        args, tokens = [], []
        for line in fixtures[0].text.split("\n"):
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "renfortd":
                args += words[1:]
            elif words[0] == "token" and len(words) >= 2:
                tokens.append((words[1], words[2:]))
            else:
                raise AssertionError("%r: unknown fixture line %r" % (fixtures[0], line))
        self.settings = dict(a.split("=", 1) for a in args if "=" in a)
        self.vars.update(self.settings)  # <kannel_secret>: the fixture's settings are placeholders too
        self.server = Server(extra_args=args)
        for name, targs in tokens:
            self.vars[name] = self.server.run_cli("token", "create", *targs).stdout.strip()
        self.server.start()
        self.vars["port"] = str(self.server.port)

    def stop(self):
        for c in self.conns.values():
            c.close()
        if self.server:
            try:
                self.server.stop()
            finally:
                self.server.cleanup()

    # one connection per name ("admin", "coordinator_81/replay": token name, then a label) ------------
    def conn(self, name, where):
        if name not in self.conns:
            token = name.split("/", 1)[0]
            if token not in self.vars:
                raise Mismatch("%s: no token <%s> for the websocket" % (where, token))
            self.conns[name] = self.server.ws(self.vars[token])
        return self.conns[name]

    def ws_next(self, c, want_event, rid, timeout=10):
        """The next event, or the answer to request rid (None: the next answer)."""
        if want_event and c.events:
            return c.events.pop(0)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = c.recv(timeout=max(0.1, deadline - time.time()))
            except websocket.WebSocketTimeoutException:
                break
            if m.get("type") == "event":
                if want_event:
                    return m
                c.events.append(m)
                continue
            if want_event:
                raise Mismatch("expected an event, got the answer %r" % m)
            if rid is None or m.get("id") == rid or "id" not in m:
                return m
        raise Mismatch("nothing within %s s" % timeout)

    # the blocks ---------------------------------------------------------------------------------------
    def run(self):
        pending = None
        for idx, b in enumerate(self.blocks):
            kind = b.info[:2]
            where = repr(b)
            if kind in (["http", "request"], ["ws", "request"]):
                if pending:
                    raise AssertionError("%r has no response block" % pending[1])
                pending = (idx, b)
            elif kind == ["http", "response"]:
                if not pending or pending[1].info[0] != "http":
                    raise AssertionError("%s follows no http request" % where)
                self.http(pending[1], idx, b)
                pending = None
            elif kind == ["ws", "response"]:
                if not pending or pending[1].info[0] != "ws":
                    raise AssertionError("%s follows no ws request" % where)
                self.ws(pending[1], idx, b)
                pending = None
            elif kind == ["ws", "event"]:
                if pending:
                    raise AssertionError("%r has no response block" % pending[1])
                self.event(idx, b)
        if pending:
            raise AssertionError("%r has no response block" % pending[1])

    def verify(self, b, expected_text, actual, vars_):
        """Raises Mismatch when actual is not the documented answer (binding captures in vars_)."""
        where = repr(b)
        if isinstance(actual, str) and try_json(expected_text) is None:
            exp = normalize_text(vars_.text(expected_text, where, False))
            act = normalize_text(actual)
            if exp != act:
                raise Mismatch("%s: the text differs:\n--- documented\n%s\n--- actual\n%s" % (where, exp, act))
            return
        expected = try_json(expected_text)
        if expected is None:
            raise Mismatch("%s: the documented answer is not JSON" % where)
        try:
            match(expected, actual, vars_)
        except Mismatch as e:
            raise Mismatch("%s: %s\nactual: %s" % (where, e, json.dumps(actual, ensure_ascii=False)))

    def recorded(self, expected_text, actual):
        """Record mode: the text the document should hold for actual."""
        if isinstance(actual, str):
            try:
                self.verify(Block("", "", 0, None), expected_text, actual, Vars(self.vars))
                return expected_text
            except Mismatch:
                return actual.replace("\r\n", "\n").rstrip("\n").replace("127.0.0.1:" + self.vars["port"], "127.0.0.1:<port>")
        expected = try_json(expected_text) if expected_text.strip() else None
        if expected is None:
            return fmt(merge(None, actual, self.vars))
        new = merge(expected, actual, self.vars)
        return expected_text if new == expected else fmt(new)

    def check(self, b, expected_text, actual):
        """Checks (or, in record mode, records) one answer; returns the block's new text."""
        if RECORD:
            return self.recorded(expected_text, actual)
        self.verify(b, expected_text, actual, self.vars)
        return expected_text

    def twilio_signature(self, path, body):
        """What Twilio would sign: the public URL and the form's parameters sorted by name."""
        token = self.settings.get("twilio_auth_token", "")
        data = "http://127.0.0.1:%s%s" % (self.vars["port"], path)
        for k, v in sorted(urllib.parse.parse_qsl(body or "", keep_blank_values=True), key=lambda kv: kv[0]):
            data += k + v
        return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()

    def http(self, rb, idx, b):
        """One HTTP exchange; a request block marked `retry` is sent again (for up to 10 s) until
        the answer matches: for what renfortd does in the background (the SMS sender)."""
        where = repr(rb)
        start, headers, body = split_head(rb.text, True)
        method, path = start.split(" ", 1)
        path = self.vars.text(path.strip(), where)
        hdrs = {}
        ctype = next((self.vars.text(v, where) for k, v in headers if k.lower() == "content-type"), None)
        raw = None
        if body:
            j = try_json(body)
            if j is not None and (ctype is None or "json" in ctype):
                raw = json.dumps(self.vars.json(j, where), ensure_ascii=False)
            else:
                raw = self.vars.text(body, where)
            if ctype is None:
                hdrs["Content-Type"] = ctype = "application/json"
        for k, v in headers:
            if "<twilio_signature>" in v:
                v = v.replace("<twilio_signature>", self.twilio_signature(path, raw))
            hdrs[k] = self.vars.text(v, where)
        self.calls.append((rb, route(OPS, method, path)))
        want = int(b.info[2]) if len(b.info) > 2 else None
        _, rheaders, rbody = split_head(b.text, False)
        deadline = time.time() + (10 if "retry" in rb.info[2:] else 0)
        if RECORD and "retry" in rb.info[2:] and not rbody.strip():
            time.sleep(2)  # recording a background outcome: let it happen first
        while True:
            st, actual, got_headers = self.server.http(method, path, headers=hdrs,
                                                       raw=raw.encode() if raw is not None else None, content_type=ctype)
            got_headers = {k.lower(): v for k, v in got_headers.items()}
            trial = Vars(self.vars)
            try:
                if want != st:
                    raise Mismatch("%r: status %s, documented %s: %s" % (b, st, want, actual))
                for k, v in rheaders:
                    if got_headers.get(k.lower()) != trial.text(v, repr(b), False):
                        raise Mismatch("%r: header %s: %r, documented %r" % (b, k, got_headers.get(k.lower()), v))
                if rbody.strip() or not RECORD:
                    self.verify(b, rbody, actual, trial)
                self.vars.update(trial)
                break
            except Mismatch:
                if time.time() < deadline:
                    time.sleep(0.2)
                    continue
                if not RECORD:
                    raise
                b.info[2:] = [str(st)]
                break
        if RECORD:
            new_body = self.recorded(rbody, actual)
            head = "".join("%s: %s\n" % (k, v) for k, v in rheaders)
            self.edits[idx] = (" ".join(b.info), head + ("\n" if head else "") + new_body)

    def ws(self, rb, idx, b):
        where = repr(rb)
        if len(rb.info) < 3:
            raise AssertionError("%s: name the connection: ```ws request admin```" % where)
        c = self.conn(rb.info[2], where)
        j = try_json(rb.text)
        rid = None
        if isinstance(j, dict):
            msg = self.vars.json(j, where)
            rid = msg.get("id")
            c.send(json.dumps(msg, ensure_ascii=False))
            self.calls.append((rb, msg.get("type")))
        else:
            c.send(self.vars.text(rb.text, where))
            self.calls.append((rb, None))
        actual = self.ws_next(c, False, rid)
        new = self.check(b, b.text, actual)
        if RECORD:
            self.edits[idx] = (" ".join(b.info), new)

    def event(self, idx, b):
        where = repr(b)
        if len(b.info) < 3:
            raise AssertionError("%s: name the connection: ```ws event coordinator_81```" % where)
        c = self.conn(b.info[2], where)
        actual = self.ws_next(c, True, None, timeout=5)
        last = self.last_seq.get(b.info[2])
        if last is not None and not actual.get("seq", 0) > last:
            raise Mismatch("%s: seq %s after %s: sequence numbers must grow" % (where, actual.get("seq"), last))
        self.last_seq[b.info[2]] = actual.get("seq")
        new = self.check(b, b.text, actual)
        if RECORD:
            self.edits[idx] = (" ".join(b.info), new)

    def leftovers(self):
        """Events a connection received that the document does not show."""
        out = []
        for name, c in self.conns.items():
            while True:
                try:
                    out.append((name, self.ws_next(c, True, None, timeout=0.3)))
                except (Mismatch, websocket.WebSocketException):
                    break
        return out


def write_back(doc_text, blocks, edits):
    lines = doc_text.split("\n")
    for idx in sorted(edits, reverse=True):
        b = blocks[idx]
        info, text = edits[idx]
        lines[b.line - 1:b.end + 1] = ["```" + info] + text.split("\n") + ["```"]
    return "\n".join(lines)


OPS = op_table()


class ProtocolDoc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DOC, encoding="utf-8") as f:
            cls.text = f.read()
        cls.blocks, cls.sections = parse_doc(cls.text)

    def test_1_every_operation_is_documented(self):
        """Each line of the op table has a section with its HTTP route, roles and kind."""
        missing = [op.name for op in OPS if op.name not in self.sections]
        self.assertEqual(missing, [], "operations without a ### `name` section in PROTOCOL.md")
        unknown = [s for s in self.sections if s not in {op.name for op in OPS}]
        self.assertEqual(unknown, [], "sections of operations that `renfortd ops` does not list")
        order = [s for s in self.sections]
        self.assertEqual(order, [op.name for op in OPS], "sections are in the order of the op table (renfortd ops)")
        for op in OPS:
            name, roles, flags, method, path = op.name, op.roles, op.flags, op.method, op.path
            sec = self.sections[name]
            m = re.search(r"^- HTTP: (.+)$", sec, re.M)
            self.assertIsNotNone(m, "%s: no '- HTTP:' line" % name)
            want = "`%s %s`" % (method, path) if method else "none (websocket only)"
            self.assertEqual(m.group(1).strip(), want, "%s: HTTP route" % name)
            m = re.search(r"^- Websocket: `\{\"type\": \"([^\"]+)\"", sec, re.M)
            self.assertIsNotNone(m, "%s: no '- Websocket:' line" % name)
            self.assertEqual(m.group(1), name)
            m = re.search(r"^- Roles: (.+)$", sec, re.M)
            self.assertIsNotNone(m, "%s: no '- Roles:' line" % name)
            documented = {r.strip() for r in m.group(1).split(",")}
            self.assertEqual(documented, roles, "%s: roles" % name)
            m = re.search(r"^- Kind: (read|write)( \(public: no token\))?$", sec, re.M)
            self.assertIsNotNone(m, "%s: no '- Kind:' line" % name)
            self.assertEqual(m.group(1), "write" if "write" in flags else "read", "%s: kind" % name)
            self.assertEqual(bool(m.group(2)), "public" in flags, "%s: public (no token) or not" % name)
            self.assertTrue(any(b.section == name and b.info[:2] in (["http", "request"], ["ws", "request"])
                                for b in self.blocks), "%s: no example in its section" % name)

    def section_text(self, heading):
        """The text under a heading line (up to the next heading)."""
        m = re.search(r"^%s\s*$(.*?)(?=^#)" % re.escape(heading), self.text, re.M | re.S)
        self.assertIsNotNone(m, "PROTOCOL.md has no %r" % heading)
        return m.group(1)

    def test_3_records_match_the_model(self):
        """The field tables of the Records part name exactly the fields of model.c."""
        model = server_source("model.c")
        macros = dict(re.findall(r'^#define (\w+) \{"(\w+)"', model, re.M))
        for heading, array in (("### Structure", "structure_fields"), ("### Depot", "depot_fields"),
                               ("### Item", "item_fields"), ("### Volunteer", "volunteer_fields"),
                               ("### Duty officer", "duty_officer_fields")):
            body = model[model.index("static const struct field %s[] = {" % array):]
            body = body[:body.index("\n};")]
            fields = set(re.findall(r'^\s*\{"(\w+)",', body, re.M))
            fields |= {macros[m] for m in re.findall(r"^\s*(\w+),\s*$", body, re.M) if m in macros}
            rows = re.findall(r"^\| ([^|]+) \|", self.section_text(heading), re.M)
            documented = {n for r in rows for n in re.findall(r"`(\w+)`", r)}
            self.assertEqual(documented, fields, "%s: the fields of %s in model.c" % (heading, array))

    def test_4_limits_match_the_config(self):
        """The Limits table gives each key with its default from config.c."""
        config = server_source("config.c")
        defaults = {k: v.strip().strip('"') for k, v in re.findall(r"KEY_(?:INT|STR)\((\w+),\s*([^,]+),", config)}
        rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", self.section_text("## Limits"), re.M)
        self.assertTrue(rows)
        for key, default in rows:
            self.assertIn(key, defaults, "Limits: %s is no configuration key" % key)
            self.assertEqual(default.strip().replace("(empty)", ""), defaults[key], "Limits: default of %s" % key)

    def test_5_every_error_code_is_documented(self):
        """Each (status, code) the server answers with is in the Errors table."""
        used = set()
        for path in server_sources():
            with open(path, encoding="utf-8") as f:
                used |= set(re.findall(r'(?:api_fail|rf_error_set|rf_refuse|answer_fail|reply_error|\bfail)\(\s*[^,;]+,\s*(\d{3}),\s*"([a-z_]+)"',
                                       f.read()))
        table = set(re.findall(r"^\| (\d{3}) \| `([a-z_]+)` \|", self.section_text("## Errors"), re.M))
        self.assertTrue(used)
        self.assertEqual(sorted(used - table), [], "error codes the server uses that PROTOCOL.md does not list")
        self.assertEqual(sorted(table - used), [], "error codes PROTOCOL.md lists that the server no longer uses")

    def test_2_examples_replay(self):
        """Every example, in document order, against a fresh renfortd."""
        r = Replay(self.blocks)
        try:
            r.start()
            r.run()
            left = r.leftovers()
            if RECORD:
                for name, ev in left:
                    print("undocumented event on %s: %s" % (name, json.dumps(ev, ensure_ascii=False)))
            else:
                self.assertEqual(left, [], "events received that the document does not show")
        finally:
            r.stop()
            if RECORD:
                with open(DOC, "w", encoding="utf-8") as f:
                    f.write(write_back(self.text, self.blocks, r.edits))
        # each operation is called by at least one example of its own section
        called = {(b.section, op) for b, op in r.calls}
        for op in OPS:
            self.assertIn((op.name, op.name), called, "%s: no example in its section calls it" % op.name)


if __name__ == "__main__":
    unittest.main()
