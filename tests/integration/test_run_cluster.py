#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/run-cluster as a newcomer uses it (suite 'postgresql'): it starts
PostgreSQL, two servers and HAProxy; through HAProxy alone a technician and
a customer (whose sockets HAProxy spreads over both servers) chat; one
server killed, the other carries on; SIGTERM stops it all."""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from hdcase import new_client_id
from hdtest import Api, Events, free_port


class Endpoint:
    def __init__(self, port):
        self.url = 'http://127.0.0.1:%d/' % port
        self.ws_url = 'ws://127.0.0.1:%d/api/v1/events' % port


class RunClusterTest(unittest.TestCase):
    def test_newcomer_chats_through_haproxy(self):
        root = os.environ.get('HD_SOURCE_ROOT', os.path.join(os.path.dirname(__file__), '..', '..'))
        port, p1, p2 = free_port(), free_port(), free_port()
        proc = subprocess.Popen([os.path.join(root, 'tools', 'run-cluster'), '--no-build',
                                 '--port', str(port), '--server-ports', '%d,%d' % (p1, p2)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                env=dict(os.environ, HD_BUILD_DIR=os.environ.get('HD_BUILD_ROOT', 'build')))
        lines = []
        ready = threading.Event()

        def reader():
            for raw in proc.stdout:
                line = raw.decode('utf-8', 'replace').rstrip()
                lines.append(line)
                if 'ready' in line:
                    ready.set()
            ready.set()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        sockets = []
        try:
            self.assertTrue(ready.wait(60) and proc.poll() is None, '\n'.join(lines))
            pids = [int(m.group(1)) for m in (re.search(r'server \d: .*\(pid (\d+)', l) for l in lines) if m]
            self.assertEqual(len(pids), 2, lines)
            lb = Endpoint(port)

            status, health = Api(lb).get('/health')
            self.assertEqual((status, health['store']), (200, 'postgresql'))
            admin = Api(lb).login('admin')
            self.assertEqual(admin.patch('/setup/privileges', {'chat_enabled': True})[0], 200)
            tina = Api(lb).login('tina')
            carol = Api(lb).login('carol')
            tina_ev = Events(lb, tina.token)
            sockets.append(tina_ev)
            tina_ev.next('hello')
            self.assertEqual(tina.patch('/me', {'available_for_chat': True})[0], 200)
            carol_ev = Events(lb, carol.token)
            sockets.append(carol_ev)
            carol_ev.next('hello')

            status, reqs = carol.get('/requests')
            rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
            deadline = time.monotonic() + 10
            while True:
                status, chat = carol.post('/chats', {'request_id': rid})
                if status == 201 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)    # tina's presence may still be on its way
            self.assertEqual(status, 201, chat)
            tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
            self.assertEqual(tina.post('/chats/%d/accept' % chat['id'])[0], 200)
            carol_ev.next('chat.accepted')
            cl = new_client_id()
            carol_ev.send('chat.send', {'chat_id': chat['id'], 'body': 'hello through HAProxy', 'client_id': cl})
            got = tina_ev.next('chat.message', where=lambda d: d['client_id'] == cl)
            self.assertEqual(got['data']['body'], 'hello through HAProxy')

            # One server dies: new calls through HAProxy still work.
            os.kill(pids[0], signal.SIGKILL)
            deadline = time.monotonic() + 15
            ok = 0
            while ok < 5 and time.monotonic() < deadline:
                try:
                    status, m = carol.post('/chats/%d/messages' % chat['id'],
                                           {'body': 'after', 'client_id': new_client_id()})
                    ok = ok + 1 if status == 201 else 0
                except OSError:
                    ok = 0
                time.sleep(0.1)
            self.assertEqual(ok, 5, 'calls through HAProxy failed after one server died')
        finally:
            for s in sockets:
                s.close()
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = None
            t.join(5)
            proc.stdout.close()
        self.assertEqual(rc, 0, '\n'.join(lines))
        # Everything it started is gone: the ports are free again.
        for p in (port, p1, p2):
            with socket.socket() as s:
                self.assertNotEqual(s.connect_ex(('127.0.0.1', p)), 0, 'port %d still listening' % p)


if __name__ == '__main__':
    unittest.main(verbosity=2)
