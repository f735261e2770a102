#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fan-out cost: what a chat message costs the server with 1 and with N
connected technicians in the request's team, and what setting up the
latency target (N technicians and N customers connect, each technician goes
available) costs in presence.

    tests/bench/fanout-cost.py --server build/backend/helpdesk-server [--techs 1000]
        [--messages 2000] [--runs 3] [--mode message|setup|both]

mode message: one team, TECHS technicians connected (sockets open and
  read), one chat between a customer and the team's first technician on a
  request of that team; the customer sends MESSAGES chat.send frames, each
  after the previous one's chat.message reached the technician.  Measured:
  the server's CPU time (utime + stime from /proc/PID/stat) for the
  MESSAGES, per message, with 1 technician and with TECHS; prints the
  ratio.  Also counts the frames every other technician received during
  the messages (must be 0: interest, not rank).
mode setup: TECHS technicians (teams of 10, a request per technician,
  each request's customer connected) and TECHS customers connect, then
  every technician says available (PATCH /me, 8 at a time).  Prints the
  server CPU time of that phase, the presence frames and bytes received
  by staff and customer sockets, and how many sockets the server closed
  (must be 0).

Standard library and python3-websocket.  The server is started once with
a temporary database (--seed-demo) to create the schema, stopped, and the
bench's people, teams, requests and session tokens are written into that
SQLite database directly (the admin's password hash copied, tokens stored as
the server stores them: SHA-256 hex); then it is started again.  Creating
2,000 users through POST /users and POST /session costs two argon2id
operations each, about 20 minutes on this machine, and the bench measures
the socket layer, not the login.  This ties the bench to the SQLite schema
(users, tokens, teams, team_members, requests): adjust populate() when
the schema changes.
"""

import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import selectors
import shutil
import secrets
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

import websocket

LISTEN_RE = re.compile(r'listening on (http://(\S+?):(\d+)/)')
CLK_TCK = os.sysconf('SC_CLK_TCK')


class Server:
    def __init__(self, binary, env=None):
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix='hd-fanout-')
        self.db = os.path.join(self.tmp, 'hd.db')
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None
        self.log = open(os.path.join(self.tmp, 'server.log'), 'ab')
        self.start()

    def start(self):
        # one socket sends every message, 1,000 a second: past the rate one
        # person's socket gets (100 a second), so no rate here
        cmd = [self.binary, '--port', '0', '--database', self.db, '--seed-demo',
               '--max-frames-per-second', '0']
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=self.env)
        for raw in self.proc.stdout:
            m = LISTEN_RE.search(raw.decode())
            if m:
                self.url = m.group(1).rstrip('/')
                self.host, self.port = m.group(2), int(m.group(3))
                break
        else:
            raise RuntimeError('server did not start')
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def cpu(self):
        """Server CPU time so far (every thread), seconds, from the
        nanosecond counters of /proc/PID/task/*/schedstat."""
        total = 0
        base = '/proc/%d/task' % self.proc.pid
        for tid in os.listdir(base):
            try:
                with open('%s/%s/schedstat' % (base, tid)) as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass
        return total / 1e9

    def halt(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        self.halt()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def populate(srv, teams):
    """Writes people into the stopped server's database.  @teams: a list of
    (n_technicians, n_customers); each customer gets one open request of
    that team, assigned to the team's technician of the same index (or the
    first).  Returns [(team_id, [tech Api], [customer Api], [request id])]."""
    con = sqlite3.connect(srv.db)
    cur = con.cursor()
    (pw_hash,) = cur.execute("SELECT password_hash FROM users WHERE login = 'admin'").fetchone()
    now = int(time.time() * 1e6)
    out = []

    def user(login, role):
        cur.execute('INSERT INTO users (login, name, email, role, password_hash, created_at) '
                    'VALUES (?, ?, ?, ?, ?, ?)',
                    (login, 'Bench ' + login, login + '@example.com', role, pw_hash, now))
        uid = cur.lastrowid
        token = secrets.token_hex(32)
        cur.execute('INSERT INTO tokens (hash, user_id, created_at) VALUES (?, ?, ?)',
                    (hashlib.sha256(token.encode()).hexdigest(), uid, now))
        api = Api(srv, token)
        api.user = {'id': uid, 'login': login, 'role': role}
        return api

    for t, (n_techs, n_customers) in enumerate(teams):
        cur.execute('INSERT INTO teams (name) VALUES (?)', ('bench team %d' % t,))
        team_id = cur.lastrowid
        techs = [user('tech%d-%d' % (t, i), 'technician') for i in range(n_techs)]
        for a in techs:
            cur.execute('INSERT INTO team_members (team_id, user_id) VALUES (?, ?)', (team_id, a.user['id']))
        customers = [user('cust%d-%d' % (t, i), 'customer') for i in range(n_customers)]
        requests = []
        for i, c in enumerate(customers):
            assignee = techs[i if i < len(techs) else 0]
            cur.execute('INSERT INTO requests (subject, description, status, customer_id, assignee_id, '
                        'team_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
                        ('bench %d-%d' % (t, i), '', 'open', c.user['id'], assignee.user['id'], team_id, now))
            requests.append(cur.lastrowid)
        out.append((team_id, techs, customers, requests))
    con.commit()
    con.close()
    return out


class Api:
    def __init__(self, srv, token=None):
        self.srv, self.token = srv, token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.srv.url + '/api/v1' + path, data=data, method=method)
        req.add_header('Content-Type', 'application/json')
        if self.token:
            req.add_header('Authorization', 'Bearer ' + self.token)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b'null')

    def login(self, login, password):
        status, body = self.call('POST', '/session', {'login': login, 'password': password})
        assert status == 201, (status, body)
        self.token, self.user = body['token'], body['user']
        return self


class RawSocket:
    """A minimal WebSocket client: handshake, then frames read from a byte
    buffer (the server's are never masked nor fragmented), pings answered.
    Far cheaper per frame than websocket-client, so that 2,000 sockets read
    by one Python thread keep up with the server."""

    def __init__(self, srv, token):
        self.sock = socket.create_connection((srv.host, srv.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET /api/v1/events HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n'
                           'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n'
                           'Authorization: Bearer %s\r\n\r\n' % (srv.host, srv.port, key, token)).encode())
        self.buf = bytearray()
        while b'\r\n\r\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError('closed during the handshake')
            self.buf += chunk
        head, _, rest = bytes(self.buf).partition(b'\r\n\r\n')
        if not head.startswith(b'HTTP/1.1 101'):
            raise RuntimeError(head.decode(errors='replace'))
        self.buf = bytearray(rest)
        self.closed = False
        first = None
        while first is None:
            frames = self.parse()
            if frames:
                first = frames[0]
                assert first[0] == 'hello', first
                self.pending = frames[1:]
            else:
                self.buf += self.sock.recv(65536)
        self.sock.setblocking(False)

    def parse(self):
        """Complete frames in the buffer: [(type, nbytes)]; answers pings."""
        out = []
        buf, off, n = self.buf, 0, len(self.buf)
        while n - off >= 2:
            b0, b1 = buf[off], buf[off + 1]
            length, hdr = b1 & 0x7f, 2
            if length == 126:
                if n - off < 4:
                    break
                length, hdr = struct.unpack_from('!H', buf, off + 2)[0], 4
            elif length == 127:
                if n - off < 10:
                    break
                length, hdr = struct.unpack_from('!Q', buf, off + 2)[0], 10
            if n - off < hdr + length:
                break
            opcode = b0 & 0x0f
            start = off + hdr
            if opcode == 0x9:
                self.pong(bytes(buf[start:start + length]))
            elif opcode == 0x8:
                self.closed = True
            elif opcode == 0x1:
                m = TYPE_RE.match(bytes(buf[start:start + 64]))
                out.append((m.group(1).decode() if m else '?', length))
            off = start + length
        del buf[:off]
        return out

    def pong(self, payload):
        mask = os.urandom(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.setblocking(True)
        self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + data)
        self.sock.setblocking(False)

    def read(self):
        try:
            chunk = self.sock.recv(262144)
        except BlockingIOError:
            return []
        except OSError:
            chunk = b''
        if not chunk:
            self.closed = True
            return []
        self.buf += chunk
        return self.parse()


TYPE_RE = re.compile(rb'\{"type":"([^"]+)"')


class Sockets:
    """Many event sockets, read by one thread, counting frames and bytes per
    group and the sockets the server closed."""

    def __init__(self, srv):
        self.srv = srv
        self.sel = selectors.DefaultSelector()
        self.lock = threading.RLock()
        self.frames = {}          # group -> {type: count}
        self.bytes = {}
        self.closed = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def open(self, token, group):
        rs = RawSocket(self.srv, token)
        with self.lock:
            self._count(group, rs.pending)
            self.sel.register(rs.sock, selectors.EVENT_READ, (rs, group))
        return rs

    def _count(self, group, frames):
        g = self.frames.setdefault(group, {})
        for kind, length in frames:
            g[kind] = g.get(kind, 0) + 1
            self.bytes[group] = self.bytes.get(group, 0) + length

    def _run(self):
        while not self.stop:
            if not self.sel.get_map():
                time.sleep(0.01)
                continue
            for key, _ in self.sel.select(0.05):
                rs, group = key.data
                frames = rs.read()
                with self.lock:
                    self._count(group, frames)
                    if rs.closed:
                        self.closed += 1
                        self.sel.unregister(key.fileobj)

    def count(self, group, kind=None):
        with self.lock:
            g = self.frames.get(group, {})
            return sum(g.values()) if kind is None else g.get(kind, 0)

    def reset(self):
        with self.lock:
            self.frames.clear()
            self.bytes.clear()

    def close(self):
        self.stop = True
        self.thread.join(2)
        for key in list(self.sel.get_map().values()):
            try:
                key.data[0].sock.close()
            except Exception:
                pass


def message_run(binary, techs, messages, env, same_team=True):
    srv = Server(binary, env)
    pool = concurrent.futures.ThreadPoolExecutor(8)
    socks = Sockets(srv)
    try:
        srv.halt()
        if same_team:
            (team_id, staff, customers, requests) = populate(srv, [(techs, 1)])[0]
        else:
            # The same number of sockets, but the others in another team.
            teams = populate(srv, [(1, 1), (techs - 1, 0)])
            (team_id, staff, customers, requests) = teams[0]
            staff = staff + teams[1][1]
        srv.start()
        admin = Api(srv).login('admin', 'demo')
        status, _ = admin.call('PATCH', '/setup/privileges', {'chat_enabled': True})
        assert status == 200
        customer, first, req = customers[0], staff[0], {'id': requests[0]}
        socks.open(first.token, 'member')
        for t in staff[1:]:
            socks.open(t.token, 'others')
        cws = websocket.create_connection('ws://%s:%d/api/v1/events' % (srv.host, srv.port),
                                          header=['Authorization: Bearer ' + customer.token])
        assert json.loads(cws.recv())['type'] == 'hello'
        status, _ = first.call('PATCH', '/me', {'available_for_chat': True})
        assert status == 200
        status, chat = customer.call('POST', '/chats', {'request_id': req['id']})
        assert status == 201, chat
        status, chat = first.call('POST', '/chats/%d/accept' % chat['id'])
        assert status == 200, chat
        time.sleep(1.0)           # presence ticks of the setup go out
        socks.reset()

        def send(i):
            cid = uuid.uuid4().hex
            cws.send(json.dumps({'type': 'chat.send',
                                 'data': {'chat_id': chat['id'], 'body': 'message %d' % i,
                                          'client_id': cid}}))
            # the echo to the sender comes after the commit
            while True:
                text = cws.recv()
                if cid in text and '"chat.message"' in text:
                    return

        for i in range(50):       # warm up
            send(i)
        time.sleep(0.3)
        socks.reset()
        cpu0, t0 = srv.cpu(), time.monotonic()
        for i in range(messages):
            send(i)
        cpu1, t1 = srv.cpu(), time.monotonic()
        # the member's socket has them all
        deadline = time.monotonic() + 30
        while socks.count('member', 'chat.message') < messages and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        others = socks.count('others')
        member = socks.count('member')
        cws.close()
        return {'cpu_per_msg_us': (cpu1 - cpu0) / messages * 1e6, 'wall_s': t1 - t0,
                'member_frames': member, 'other_frames': others, 'closed': socks.closed}
    finally:
        socks.close()
        pool.shutdown()
        srv.stop()


def setup_run(binary, techs, env):
    srv = Server(binary, env)
    pool = concurrent.futures.ThreadPoolExecutor(8)
    socks = Sockets(srv)
    try:
        srv.halt()
        staff, customers = [], []
        for (_, t, c, _) in populate(srv, [(min(10, techs - i), min(10, techs - i))
                                           for i in range(0, techs, 10)]):
            staff += t
            customers += c
        srv.start()
        cpu0, t0 = srv.cpu(), time.monotonic()
        for c in customers:
            socks.open(c.token, 'customers')
        for s in staff:
            socks.open(s.token, 'staff')
        cpu1, t1 = srv.cpu(), time.monotonic()
        time.sleep(1.0)
        socks.reset()
        cpu2, t2 = srv.cpu(), time.monotonic()
        list(pool.map(lambda s: s.call('PATCH', '/me', {'available_for_chat': True}), staff))
        t3 = time.monotonic()
        time.sleep(1.0)           # the last ticks
        cpu3 = srv.cpu()
        with socks.lock:
            frames = {g: dict(v) for g, v in socks.frames.items()}
            nbytes = dict(socks.bytes)
        # Every technician available and online, as a customer sees it.
        status, body = customers[-1].call('GET', '/requests')
        opts = body['requests'][0]['chat_options']
        return {'connect_cpu_s': cpu1 - cpu0, 'connect_wall_s': t1 - t0,
                'available_cpu_s': cpu3 - cpu2, 'available_wall_s': t3 - t2,
                'frames': frames, 'bytes': nbytes, 'closed': socks.closed,
                'last_customer_can_start': opts['can_start']}
    finally:
        socks.close()
        pool.shutdown()
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--server', default=os.environ.get('HD_SERVER_BIN', 'build/backend/helpdesk-server'))
    ap.add_argument('--techs', type=int, default=1000)
    ap.add_argument('--messages', type=int, default=2000)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--mode', choices=('message', 'setup', 'both'), default='both')
    args = ap.parse_args()
    env = {}

    if args.mode in ('message', 'both'):
        results = {}
        configs = (('team of 1, 1 socket', 1, True),
                   ('team of 1, %d technician sockets' % args.techs, args.techs, False),
                   ('team of %d, all connected' % args.techs, args.techs, True))
        for name, n, same in configs:
            rs = []
            for run in range(args.runs):
                r = message_run(args.server, n, args.messages, env, same)
                print('%-36s %7.1f µs CPU per message (%.1f s wall for %d), member frames %d, '
                      'frames to the other technicians %d, sockets closed %d'
                      % (name + ':', r['cpu_per_msg_us'], r['wall_s'], args.messages,
                         r['member_frames'], r['other_frames'], r['closed']), flush=True)
                rs.append(r['cpu_per_msg_us'])
            results[name] = statistics.median(rs)
        a, b, c = (results[name] for name, _, _ in configs)
        print('median CPU per message: %.1f / %.1f / %.1f µs' % (a, b, c))
        print('ratio team of %d / team of 1 (same number of sockets): %.2f  (fan-out)'
              % (args.techs, c / b))
        print('ratio team of %d / team of 1 alone: %.2f  (fan-out + the cost of %d open sockets)'
              % (args.techs, c / a, args.techs))

    if args.mode in ('setup', 'both'):
        r = setup_run(args.server, args.techs, env)
        print('setup: %d technicians + %d customers connect: %.2f s CPU (%.1f s wall); '
              'all go available: %.2f s CPU (%.1f s wall); sockets closed by the server: %d; '
              'last customer can_start: %s'
              % (args.techs, args.techs, r['connect_cpu_s'], r['connect_wall_s'],
                 r['available_cpu_s'], r['available_wall_s'], r['closed'], r['last_customer_can_start']))
        for g in ('staff', 'customers'):
            f = r['frames'].get(g, {})
            print('  during "go available", %s sockets got %s frames (%d bytes)'
                  % (g, json.dumps(f), r['bytes'].get(g, 0)))


if __name__ == '__main__':
    main()
