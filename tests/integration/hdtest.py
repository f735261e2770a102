# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for tests that drive the real helpdesk-server.

Standard library, python3-websocket and python3-aiosmtpd only.

    from hdtest import Server, Api, Events, SmtpSink

    with SmtpSink() as sink, Server(smtp_url=sink.url) as srv:
        tina = Api(srv).login('tina', 'demo')       # an Api with .token, .user
        status, body = tina.get('/me')              # (HTTP status, JSON or None)
        ev = Events(srv, tina.token)                # WebSocket /api/v1/events
        hello = ev.next('hello')                    # {"type", "data"}
        tina.patch('/me', {'available_for_chat': True})
        ...
        msgs = sink.wait_for(1)                     # [email.message.EmailMessage]

Server(...)    starts $HD_SERVER_BIN --port 0 --database <tmp>/hd.db
               --seed-demo [--smtp-url URL] and reads its
               "listening on http://ADDR:PORT/" line.  .url, .base (no
               trailing slash), .ws_url, .pid, .stop() (SIGTERM, returns the
               exit status), .kill9(), .restart() (same database, new port),
               .log() (its stderr so far).  With HD_TEST_STORE=postgresql
               the database is a fresh one in a PostgreSQL cluster the test
               process starts once (hdpg.py); .store is what /health says.
               With HD_TEST_SERVERS=2 as well (suite cluster2) a Server that
               chose its own database is two servers on it: .twin is the
               second, started after the first; start/stop/kill9/restart/
               close act on both (the helpdesk goes down and comes back);
               .pid/.port/.host/.url/.log() are the first's, so a test that
               looks at one process looks at that one.  servers=1 keeps a
               Server (and so its test) on one process.
               .endpoint() hands out the servers in turn: every new Api and
               Events takes the next one, so a customer and a technician of
               one test are mostly on different servers.
Api(srv)       REST under /api/v1; .login(login, password) returns self and
               sets .token and .user; get/post/patch/delete(path, body) return
               (status, json-or-None); .raw(method, path, data_bytes, headers)
               sends anything.  Paths are relative to /api/v1 ('/me') unless
               they start with /api/ or are /health.
Events(srv, token)
               a WebSocket client with the Bearer header.  .next(type,
               timeout, where=None) waits for an event of that type (and
               matching where(data)), keeping the others for later next()
               calls; .send(type, data), .send_raw(text), .expect_close()
               returns the close code, .assert_none(type, seconds).
SmtpSink()     an aiosmtpd server on 127.0.0.1, port 0, in a thread.  .url
               (smtp://127.0.0.1:PORT), .messages (parsed with
               email.policy.default), .envelopes (mail_from, rcpt_tos),
               .wait_for(n, timeout); .refuse (a set of addresses whose RCPT
               gets 550).
"""

import asyncio
import email
import email.policy
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse

import websocket

DEMO_PASSWORD = 'demo'
LISTEN_RE = re.compile(r'listening on (http://(\S+?):(\d+)/)')


def servers_wanted():
    """How many servers one Server stands for: HD_TEST_SERVERS (default 1);
    two only on PostgreSQL (two servers need one shared database)."""
    try:
        n = int(os.environ.get('HD_TEST_SERVERS', '1'))
    except ValueError:
        n = 1
    if os.environ.get('HD_TEST_STORE') != 'postgresql':
        return 1
    return max(1, min(n, 2))


def server_bin():
    path = os.environ.get('HD_SERVER_BIN')
    if not path:
        root = os.environ.get('HD_BUILD_ROOT', '.')
        path = os.path.join(root, 'backend', 'helpdesk-server')
    return path


class Server:
    """The real helpdesk-server on a free port, with its own database."""

    def __init__(self, smtp_url=None, seed=True, database=None, extra_args=(),
                 start=True, ready_timeout=30, servers=None):
        self._tmp = tempfile.mkdtemp(prefix='hdtest-')
        # A test that gives its own database (test_cluster, test_postgresql)
        # starts every server it wants itself.
        if servers is None:
            servers = servers_wanted() if database is None else 1
        if database is None and os.environ.get('HD_TEST_STORE') == 'postgresql':
            # One PostgreSQL cluster per test process, a fresh database each.
            import hdpg
            database = hdpg.shared_cluster().create_database()
        self.database = database or os.path.join(self._tmp, 'hd.db')
        # What GET /health must report.
        self.store = 'postgresql' if self.database.startswith(('postgresql:', 'postgres:')) else 'sqlite'
        self.smtp_url = smtp_url
        self.seed = seed
        self.extra_args = list(extra_args)
        self.ready_timeout = ready_timeout
        self.proc = None
        self.url = None
        self._stdout_lines = []
        self._stderr_path = os.path.join(self._tmp, 'server.log')
        self._stderr = None
        self._runs = 0
        self._turn = 0
        self.twin = None
        self.group = self            # the Server the test holds
        if servers > 1 and self.store == 'postgresql':
            self.twin = Server(smtp_url=smtp_url, seed=seed, database=self.database,
                               extra_args=extra_args, start=False,
                               ready_timeout=ready_timeout, servers=1)
            self.twin.group = self
        if start:
            self.start()

    def endpoint(self):
        """The server the next client talks to: this one, or in turn this
        one and its twin."""
        if self.twin is None:
            return self
        self._turn += 1
        return self if self._turn % 2 == 1 else self.twin

    @property
    def servers(self):
        return [self] if self.twin is None else [self, self.twin]

    # --- life cycle ------------------------------------------------------

    def command(self):
        cmd = [server_bin(), '--port', '0', '--database', self.database]
        if self.seed:
            cmd.append('--seed-demo')
        if self.smtp_url:
            cmd += ['--smtp-url', self.smtp_url]
        return cmd + self.extra_args

    def start(self):
        self._start_one()
        # The twin after the first: the first one migrates and seeds (both
        # could, under the store's advisory locks, but one at a time keeps
        # the logs simple).
        if self.twin is not None and not self.twin.running():
            self.twin._start_one()
        return self

    def _start_one(self):
        assert self.proc is None or self.proc.poll() is not None, 'already running'
        self._runs += 1
        self._stderr = open(self._stderr_path, 'ab')
        self._stderr.write(('--- run %d: %s\n' % (self._runs, ' '.join(self.command()))).encode())
        self._stderr.flush()
        # The server aborts if its main loop ever calls the service
        # directly (hd_core_enter): no SQL on the main loop.
        env = dict(os.environ, HD_STRICT_THREADS='1')
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE,
                                     stderr=self._stderr, stdin=subprocess.DEVNULL,
                                     env=env)
        found = threading.Event()
        proc = self.proc

        def reader():
            for raw in proc.stdout:
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                self._stdout_lines.append(line)
                m = LISTEN_RE.search(line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()
            found.set()

        self.url = None
        self._reader = threading.Thread(target=reader, daemon=True)
        self._reader.start()
        if not found.wait(self.ready_timeout) or self.url is None:
            rc = self.proc.poll()
            self.kill9()
            raise RuntimeError('helpdesk-server did not print its address '
                               '(exit status %r)\nstdout: %s\nstderr: %s'
                               % (rc, '\n'.join(self._stdout_lines), self.log()))
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def base(self):
        return self.url.rstrip('/')

    @property
    def host(self):
        return urllib.parse.urlsplit(self.url).hostname

    @property
    def port(self):
        return urllib.parse.urlsplit(self.url).port

    @property
    def ws_url(self):
        return 'ws://%s:%d/api/v1/events' % (self.host, self.port)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20):
        """SIGTERM and wait; returns the exit status (the worse of the two
        with a twin)."""
        status = self._stop_one(timeout)
        if self.twin is not None:
            twin_status = self.twin._stop_one(timeout)
            if status == 0 and twin_status not in (0, None):
                status = twin_status
        return status

    def _stop_one(self, timeout):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError('helpdesk-server did not exit within %ss '
                                     'of SIGTERM' % timeout)
        self._reader.join(5)
        self.proc.stdout.close()
        self._close_log()
        return self.proc.returncode

    def kill9(self):
        self._kill9_one()
        if self.twin is not None:
            self.twin._kill9_one()

    def _kill9_one(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if self.proc is not None:
            self._reader.join(5)
            self.proc.stdout.close()
        self._close_log()

    def restart(self):
        """Stops (SIGTERM) if still running, then starts on the same database."""
        if any(s.running() for s in self.servers):
            self.stop()
        return self.start()

    def _close_log(self):
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def log(self):
        try:
            with open(self._stderr_path, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def log_all(self):
        """log(), and the twin's after it."""
        if self.twin is None:
            return self.log()
        return '%s\n--- second server ---\n%s' % (self.log(), self.twin.log())

    def close(self):
        if self.twin is not None:
            self.twin.close()
        try:
            self.kill9()
        finally:
            if os.environ.get('HD_KEEP_TMP'):
                return
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Api:
    """REST calls as one user.  Every call returns (status, json-or-None)."""

    def __init__(self, server, token=None, timeout=30):
        self.server = server.endpoint() if isinstance(server, Server) else server
        self.token = token
        self.user = None
        self.timeout = timeout

    def login(self, login, password=DEMO_PASSWORD):
        status, body = self.post('/session', {'login': login, 'password': password},
                                 auth=False)
        if status != 201:
            raise AssertionError('login %s: %s %r' % (login, status, body))
        self.token = body['token']
        self.user = body['user']
        return self

    @property
    def id(self):
        return self.user['id']

    def _path(self, path):
        if path.startswith('/api/') or path == '/health':
            return path
        return '/api/v1' + path

    def raw(self, method, path, data=None, headers=None, auth=True):
        """Sends bytes as they are; returns (status, parsed json or None, raw bytes)."""
        base = self.server.url if hasattr(self.server, 'url') else self.server
        parts = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        hdrs = dict(headers or {})
        if auth and self.token and 'Authorization' not in hdrs:
            hdrs['Authorization'] = 'Bearer ' + self.token
        try:
            try:
                conn.request(method, self._path(path), body=data, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                # The server may answer (413) and close before reading it all.
                pass
            resp = conn.getresponse()
            payload = resp.read()
            status = resp.status
        finally:
            conn.close()
        parsed = None
        if payload:
            try:
                parsed = json.loads(payload)
            except ValueError:
                parsed = None
        return status, parsed, payload

    def call(self, method, path, body=None, auth=True):
        data = None
        headers = {}
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        status, parsed, _ = self.raw(method, path, data, headers, auth=auth)
        return status, parsed

    def get(self, path, **kw):
        return self.call('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.call('POST', path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.call('PATCH', path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.call('DELETE', path, **kw)


def error_code(body):
    """The contract's error code of an error body, or None."""
    try:
        return body['error']['code']
    except (TypeError, KeyError):
        return None


# How long presence may take to cross to the other server before a test
# fails: it takes milliseconds (doc/cluster.md has the measurement, as fast
# as any other event); a lost wake-up of the bus listener would take up to
# its periodic check (5 s).
PRESENCE_CROSS_LIMIT = 2.0


def settle_presence(server, token, timeout=PRESENCE_CROSS_LIMIT):
    """Across two servers: waits until every server of server's group says
    the same "online" for the token's user as the server the socket is on.
    Presence crosses the bus in milliseconds (hd-bus.c), as every event
    does, but a test's next call on the other server can be quicker than
    that; a real client learns of it by the presence.changed event, a test
    asserting on the very next call would race.  Fails the test if the
    servers still disagree after timeout: a delay is a bug, not something
    to wait out."""
    group = getattr(server, 'group', None)
    if group is None or group.twin is None:
        return
    t0 = time.monotonic()
    views = []
    while time.monotonic() - t0 < timeout:
        views = []
        try:
            for srv in [server] + [s for s in group.servers if s is not server]:
                if not srv.running():
                    continue
                status, me = Api(srv.url, token).get('/me')
                if status != 200:
                    return
                views.append(me.get('online'))
        except OSError:
            return
        if len(set(views)) <= 1:
            return
        time.sleep(0.005)
    raise AssertionError('presence did not cross between the servers within %.1f s: '
                         'online per server %r' % (timeout, views))


class Closed(Exception):
    def __init__(self, code, reason=''):
        super().__init__('closed with %r %s' % (code, reason))
        self.code = code
        self.reason = reason


class Events:
    """A WebSocket on /api/v1/events with the Bearer header.

    A thread reads the socket all the time, as a real client does: it
    answers the server's pings and queues the messages, so a socket the test
    leaves unread for a while (a slow UI step) is not closed by the server's
    liveness check.  The test sees the messages in the order they came."""

    def __init__(self, server, token, timeout=15):
        server = server.endpoint() if isinstance(server, Server) else server
        self.server = server
        self.backlog = []
        self.close_code = None
        self._closed = None          # the Closed raised once the queue ends
        self._closing = False        # close() sent our close frame
        self._queue = queue.Queue()
        self.ws = websocket.create_connection(
            server.ws_url, timeout=timeout,
            header=['Authorization: Bearer %s' % token],
            enable_multithread=True)
        # The reader blocks in recv; close() ends it by closing the socket.
        self.ws.settimeout(None)
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name='hdtest-events')
        self._reader.start()
        self.token = token
        settle_presence(self.server, token)

    def _read(self):
        """The reader thread: every frame into the queue, then the end."""
        ws = self.ws
        while True:
            try:
                frame = ws.recv_frame()
                if frame.opcode in (websocket.ABNF.OPCODE_TEXT,
                                    websocket.ABNF.OPCODE_BINARY,
                                    websocket.ABNF.OPCODE_CONT):
                    ws.cont_frame.validate(frame)
                    ws.cont_frame.add(frame)
                    if ws.cont_frame.is_fire(frame):
                        opcode, whole = ws.cont_frame.extract(frame)
                        self._queue.put(('frame', opcode, whole.data))
                elif frame.opcode == websocket.ABNF.OPCODE_PING:
                    if len(frame.data) < 126:
                        ws.pong(frame.data)
                elif frame.opcode == websocket.ABNF.OPCODE_CLOSE:
                    if not self._closing:
                        ws.send_close()      # the answer to the server's close
                    data = frame.data or b''
                    code = struct.unpack('!H', data[:2])[0] if len(data) >= 2 else 1005
                    self._queue.put(('end', code, data[2:].decode('utf-8', 'replace')))
                    return
            except Exception:  # reset, end of input, or shut down by close()
                self._queue.put(('end', 1006, ''))
                return

    def _recv_event(self, timeout):
        """One event (dict) or None when nothing came within timeout."""
        if self._closed is not None:
            raise self._closed
        try:
            kind, opcode, data = self._queue.get(timeout=max(timeout, 0.01))
        except queue.Empty:
            return None
        if kind == 'end':
            if self.close_code is None:
                self.close_code = opcode
            self._closed = Closed(self.close_code, data)
            raise self._closed
        if opcode == websocket.ABNF.OPCODE_TEXT:
            return json.loads(data.decode('utf-8'))
        # binary or continuation: not part of the contract
        raise AssertionError('unexpected frame opcode %r' % opcode)

    def next(self, type_, timeout=10, where=None):
        """The next event of type_ (whose data satisfies where, if given)."""
        for i, ev in enumerate(self.backlog):
            if ev.get('type') == type_ and (where is None or where(ev.get('data'))):
                return self.backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no %s event within %ss; got %s'
                                     % (type_, timeout,
                                        [e.get('type') for e in self.backlog]))
            ev = self._recv_event(left)
            if ev is None:
                continue
            if ev.get('type') == type_ and (where is None or where(ev.get('data'))):
                return ev
            self.backlog.append(ev)

    def collect(self, seconds):
        """Every event arriving within seconds (plus the backlog); clears them."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ev = self._recv_event(left)
            if ev is not None:
                self.backlog.append(ev)
        out, self.backlog = self.backlog, []
        return out

    def assert_none(self, type_, seconds=1.0, where=None):
        for ev in self.collect(seconds):
            if ev.get('type') == type_ and (where is None or where(ev.get('data'))):
                raise AssertionError('unexpected %s event: %r' % (type_, ev))

    def send(self, type_, data):
        self.ws.send(json.dumps({'type': type_, 'data': data}))

    def send_raw(self, text):
        if isinstance(text, bytes):
            self.ws.send(text, opcode=websocket.ABNF.OPCODE_BINARY)
        else:
            self.ws.send(text)

    def expect_close(self, timeout=10):
        """Reads until the server closes; returns the close code."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('socket not closed within %ss' % timeout)
            try:
                ev = self._recv_event(left)
            except Closed as c:
                return c.code
            if ev is not None:
                self.backlog.append(ev)

    def close(self, settle=True):
        """A close frame, the server's answer read by the reader thread (up
        to 3 s), then the socket closed (and, across two servers, the
        presence settled unless settle is False)."""
        was_open = self._reader.is_alive()
        self._close()
        if settle and was_open:
            settle_presence(self.server, self.token)

    def _close(self):
        if self._reader.is_alive() and not self._closing:
            self._closing = True
            try:
                self.ws.send_close()
            except Exception:
                pass
            self._reader.join(3)
        sock = self.ws.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # wakes a blocked recv
            except OSError:
                pass
        self._reader.join(3)
        self.ws.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.sink.refuse:
            return '550 5.1.1 <%s>: Recipient address rejected' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.sink.cond:
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.sink.raw.append(envelope.original_content or envelope.content)
            self.sink.messages.append(msg)
            self.sink.cond.notify_all()
        return '250 Message accepted for delivery'


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port."""

    def __init__(self, start=True):
        self.messages = []
        self.envelopes = []
        self.raw = []
        self.refuse = set()
        self.cond = threading.Condition()
        self.port = None
        self._loop = None
        self._thread = None
        if start:
            self.start()

    @property
    def url(self):
        return 'smtp://127.0.0.1:%d' % self.port

    def start(self):
        from aiosmtpd.smtp import SMTP
        ready = threading.Event()
        errors = []

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                srv = loop.run_until_complete(loop.create_server(
                    lambda: SMTP(_SinkHandler(self), decode_data=False,
                                 enable_SMTPUTF8=True, hostname='sink.localhost'),
                    host='127.0.0.1', port=0))
            except Exception as e:  # noqa: BLE001 - reported to start()
                errors.append(e)
                ready.set()
                return
            self.port = srv.sockets[0].getsockname()[1]
            self._server = srv
            ready.set()
            loop.run_forever()
            srv.close()
            loop.run_until_complete(srv.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        if self.port is None:
            raise RuntimeError('SMTP sink did not start')
        return self

    def wait_for(self, n, timeout=15):
        """At least n messages (all received so far), or AssertionError."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('only %d of %d mails arrived within %ss'
                                         % (len(self.messages), n, timeout))
                self.cond.wait(left)
            return list(self.messages)

    def stop(self):
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
