#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One socket (or several) of one customer sends frames as fast as it can;
meanwhile a technician sends a chat message every 0.5 s and this prints how
long each took to reach the customer's other socket, and the server's RSS.
The numbers of doc/websocket.md, "Fair shares" (FloodTest in
tests/integration/test_attacks_door.py asserts the same with bounds).

    /usr/bin/python3 tests/bench/flood-probe.py [--server BIN]
        [--kind refused|subscribe|typing] [--sockets N] [--seconds S]

--kind refused: chat.send to a chat the customer is not in (refused by the
core thread); subscribe: to a request it may not see (through the main
loop); typing: chat.typing in its own chat (each one goes to the
technician).  The server is started on a temporary demo database; BIN
defaults to $HD_SERVER_BIN, then build/backend/helpdesk-server."""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from hdtest import Api, Events, Server  # noqa: E402
from test_attacks_door import Flooder, rss_kib, upgrade  # noqa: E402

PAYLOADS = {
    'refused': {'type': 'chat.send',
                'data': {'chat_id': 999999, 'body': 'x', 'client_id': 'flood'}},
    'subscribe': {'type': 'subscribe', 'data': {'request_id': 999999}},
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--server', help='helpdesk-server binary')
    ap.add_argument('--kind', choices=('refused', 'subscribe', 'typing'), default='refused')
    ap.add_argument('--sockets', type=int, default=1, help='flooding sockets (at most 30)')
    ap.add_argument('--seconds', type=float, default=8)
    args = ap.parse_args()
    if args.server:
        os.environ['HD_SERVER_BIN'] = os.path.abspath(args.server)
    elif 'HD_SERVER_BIN' not in os.environ:
        os.environ['HD_SERVER_BIN'] = os.path.join(HERE, '..', '..', 'build', 'backend',
                                                   'helpdesk-server')

    # the shares of a round, as FloodTest: the rate per socket off
    with Server(servers=1, extra_args=('--max-frames-per-second', '0')) as srv:
        tina, carol = Api(srv).login('tina'), Api(srv).login('carol')
        tina_ev = Events(srv, tina.token)
        tina_ev.next('hello')
        tina.patch('/me', {'available_for_chat': True})
        carol_ev = Events(srv, carol.token)
        carol_ev.next('hello')
        _, reqs = carol.get('/requests')
        rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
        _, chat = carol.post('/chats', {'request_id': rid})
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        tina.post('/chats/%d/accept' % chat['id'])
        carol_ev.next('chat.accepted', where=lambda d: d['id'] == chat['id'])
        if args.kind == 'typing':
            payload = {'type': 'chat.typing', 'data': {'chat_id': chat['id']}}
        else:
            payload = PAYLOADS[args.kind]
        socks = []
        for _ in range(args.sockets):
            s, head = upgrade(srv, carol.token)
            if not head.startswith(b'HTTP/1.1 101'):
                raise SystemExit('upgrade refused: %r' % head[:80])
            socks.append(s)
        rss0 = rss_kib(srv.pid)
        flooder = Flooder(socks, json.dumps(payload).encode())
        lat, rss = [], []
        t_end = time.monotonic() + args.seconds
        k = 0
        while time.monotonic() < t_end:
            time.sleep(0.5)
            cid = 'probe-%d' % k
            k += 1
            t0 = time.monotonic()
            tina_ev.send('chat.send', {'chat_id': chat['id'], 'body': cid, 'client_id': cid})
            try:
                carol_ev.next('chat.message', where=lambda d, cid=cid: d['client_id'] == cid,
                              timeout=30)
                lat.append('%.0f' % ((time.monotonic() - t0) * 1000))
            except Exception:
                lat.append('lost')
            rss.append(rss_kib(srv.pid))
        flooder.stop()
        for s in socks:
            s.close()
        print('flood-probe: %s x %d socket(s), %.0f s: %.1f MB sent, %.1f MB answered'
              % (args.kind, args.sockets, args.seconds, flooder.sent / 1e6,
                 flooder.answered / 1e6))
        print('  another chat message, send -> receive (ms): %s' % ' '.join(lat))
        print('  server VmRSS: %d KiB before, %d KiB at most, %d KiB at the end'
              % (rss0, max(rss), rss[-1]))
        tina_ev.close(settle=False)
        carol_ev.close(settle=False)


if __name__ == '__main__':
    main()
