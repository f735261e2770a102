#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connections: a burst of clients arriving while the server's loop is busy
is queued by the kernel and served, not reset (the listen backlog)."""

import os
import select
import signal
import socket
import time

from hdcase import ServerTestCase, main

BURST = 200


class ConnectionsTest(ServerTestCase):
    smtp = False

    def test_burst_while_busy_is_queued_and_served(self):
        host, port = self.srv.host, self.srv.port
        socks = []
        # A stopped server stands for a busy loop: nothing calls accept().
        os.kill(self.srv.pid, signal.SIGSTOP)
        try:
            for _ in range(BURST):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex((host, port))
                socks.append(s)
            # With a backlog of 10 most of these handshakes never complete
            # while the server sleeps; with a real backlog the kernel
            # completes them all.
            deadline = time.monotonic() + 3
            pending = list(socks)
            while pending and time.monotonic() < deadline:
                _, writable, _ = select.select([], pending, [], 0.2)
                pending = [s for s in pending if s not in writable]
            connected = [s for s in socks
                         if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
            self.assertEqual(len(connected), BURST,
                             '%d of %d connections completed while the server was busy'
                             % (len(connected), BURST))
            for s in socks:
                s.setblocking(True)
                s.settimeout(20)
                s.sendall(b'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        finally:
            os.kill(self.srv.pid, signal.SIGCONT)

        answered = 0
        for s in socks:
            data = b''
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            finally:
                s.close()
            if data.startswith(b'HTTP/1.1 200'):
                answered += 1
        self.assertEqual(answered, BURST)


if __name__ == '__main__':
    main()
