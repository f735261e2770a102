#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How late an event reaches a socket on the other server: two real
servers on one PostgreSQL database (tests/integration/hdpg.py starts a
throwaway cluster), the same event timed on a socket on the server where it
happens (A) and on one on the other server (B).

    HD_BUILD_ROOT=build /usr/bin/python3 tests/bench/cross-server-lag.py [--probes N]

- presence: tina's socket on A opens and closes N times each; theo (staff)
  has a socket on A and one on B: when does presence.changed (online true
  / false) reach each, and when does GET /me on B first say the new
  online (polled every 2 ms)?
- chat.message: tina posts N messages through A; carol has a socket on A
  and one on B.

Prints, per kind, B's arrival after A's (the crossing: the bus's writer,
NOTIFY, the listener, the core thread) and each one's arrival after the
cause.  presence.changed reaches A itself only after the presence tick
(HD_PRESENCE_TICK_MS, 100 ms: changes coalesced per tick), and B after its
own tick, started when the change crossed.  Standard library and
python3-websocket; not run by meson test."""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid

import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
os.environ['HD_TEST_STORE'] = 'postgresql'
os.environ['HD_TEST_SERVERS'] = '2'

from hdtest import Api, Server  # noqa: E402


class Stamped:
    """A socket whose frames are kept with their arrival time."""

    def __init__(self, srv, token):
        self.got = []
        self.ws = websocket.create_connection(srv.ws_url,
                                              header=['Authorization: Bearer %s' % token])
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                text = self.ws.recv()
            except Exception:
                return
            if isinstance(text, str) and text:
                self.got.append((time.monotonic(), json.loads(text)))

    def wait(self, pred, since, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ts, ev in list(self.got):
                if ts >= since and pred(ev):
                    return ts
            time.sleep(0.0005)
        raise AssertionError('no matching event within %s s' % timeout)

    def close(self):
        self.ws.close()


def me_online_on(srv, token, want, since, timeout=10):
    while time.monotonic() - since < timeout:
        if Api(srv.url, token).get('/me')[1]['online'] is want:
            return time.monotonic()
        time.sleep(0.002)
    raise AssertionError('GET /me never said online %r' % want)


def summary(name, values):
    ms = sorted(v * 1000 for v in values)
    print('  %-34s n=%3d  median %6.1f  p90 %6.1f  max %6.1f ms'
          % (name, len(ms), statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], ms[-1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--probes', type=int, default=20)
    args = ap.parse_args()
    srv = Server()
    pres_ab, pres_a, pres_b, me_b, msg_ab, msg_a, msg_b = ([] for _ in range(7))
    try:
        a, b = srv.servers
        tina = Api(a.url).login('tina')
        theo = Api(a.url).login('theo')
        carol = Api(a.url).login('carol')
        theo_a, theo_b = Stamped(a, theo.token), Stamped(b, theo.token)
        carol_a, carol_b = Stamped(a, carol.token), Stamped(b, carol.token)
        tina_ws = Stamped(a, tina.token)
        tina.patch('/me', {'available_for_chat': True})
        rid = [r['id'] for r in carol.get('/requests')[1]['requests']
               if r['subject'] == 'Printer offline'][0]
        status, chat = carol.post('/chats', {'request_id': rid})
        assert status == 201, chat
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        assert status == 200, chat
        tina_ws.close()
        time.sleep(0.5)
        for i in range(args.probes):
            for online in (True, False):
                t0 = time.monotonic()
                if online:
                    tina_ws = Stamped(a, tina.token)
                else:
                    tina_ws.close()
                tb_me = me_online_on(b, tina.token, online, t0)

                def is_it(ev, online=online):
                    users = ev['data'].get('users', [ev['data']])
                    return ev['type'] == 'presence.changed' and any(
                        u['id'] == tina.id and u['online'] is online for u in users)
                ta, tb = theo_a.wait(is_it, t0), theo_b.wait(is_it, t0)
                pres_ab.append(tb - ta)
                pres_a.append(ta - t0)
                pres_b.append(tb - t0)
                me_b.append(tb_me - t0)
                time.sleep(0.15)
            t0 = time.monotonic()
            body = 'probe %d %s' % (i, uuid.uuid4())
            status, m = tina.post('/chats/%d/messages' % chat['id'],
                                  {'body': body, 'client_id': str(uuid.uuid4())})
            assert status == 201, m

            def is_msg(ev, body=body):
                return ev['type'] == 'chat.message' and ev['data'].get('body') == body
            ta, tb = carol_a.wait(is_msg, t0), carol_b.wait(is_msg, t0)
            msg_ab.append(tb - ta)
            msg_a.append(ta - t0)
            msg_b.append(tb - t0)
            time.sleep(0.15)
    finally:
        srv.close()
    print('presence (tina\'s socket on A opens or closes):')
    summary('presence.changed on B after on A', pres_ab)
    summary('presence.changed on A after cause', pres_a)
    summary('presence.changed on B after cause', pres_b)
    summary('GET /me on B says it, after cause', me_b)
    print('chat.message (tina posts through A):')
    summary('chat.message on B after on A', msg_ab)
    summary('chat.message on A after POST', msg_a)
    summary('chat.message on B after POST', msg_b)


if __name__ == '__main__':
    main()
