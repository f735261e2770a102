#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Durability: after kill -9 every acknowledged message (201 or its
chat.message event) is there, with its transcript; SIGTERM closes sockets
with 1001 and exits 0; tokens and state survive restarts."""

import threading

from hdcase import ServerTestCase, main
from hdtest import Closed


class DurabilityTest(ServerTestCase):
    smtp = False

    def test_kill9_keeps_acknowledged_messages(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid, rid = chat['id'], chat['request_id']
        acked = {}
        lock = threading.Lock()
        stop = threading.Event()

        # REST writers in a thread, socket writer here, while we kill.
        def rest_writer():
            i = 0
            while not stop.is_set():
                i += 1
                client_id = 'rest-%d' % i
                try:
                    status, m = carol.post('/chats/%d/messages' % cid,
                                           {'body': 'rest %d' % i, 'client_id': client_id})
                except OSError:
                    return
                if status == 201:
                    with lock:
                        acked[client_id] = m['seq']
                else:
                    return

        t = threading.Thread(target=rest_writer)
        t.start()
        sent = 0
        try:
            for i in range(60):
                client_id = 'ws-%d' % i
                tina_ev.send('chat.send', {'chat_id': cid, 'body': 'ws %d' % i, 'client_id': client_id})
                sent += 1
                ev = tina_ev.next('chat.message', where=lambda d, c=client_id: d['client_id'] == c)
                with lock:
                    acked[client_id] = ev['data']['seq']
        except (Closed, OSError):
            pass
        with lock:
            n_before_kill = len(acked)
        self.assertGreater(n_before_kill, 20)
        self.srv.kill9()
        stop.set()
        t.join(30)

        self.srv.start()
        body = self.messages(carol, cid)
        stored = {m['client_id']: m['seq'] for m in body['messages']}
        with lock:
            for client_id, seq in acked.items():
                self.assertEqual(stored.get(client_id), seq, client_id)
        seqs = [m['seq'] for m in body['messages']]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        # The transcript is the whole transcript of what is stored.
        note = self.transcript_note(carol, rid, cid)
        for m in body['messages']:
            self.assertIn(m['body'], note['body'])
        # And the chat goes on after the restart.
        status, one = carol.get('/chats/%d' % cid)
        self.assertEqual(one['state'], 'active')
        m = self.post_message(carol, cid, 'after the crash')
        self.assertEqual(m['seq'], len(seqs) + 1)

    def test_sigterm_closes_sockets_1001_and_exits_0(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(carol, chat['id'], 'before shutdown')
        tina_ev.next('chat.message')
        codes = {}

        def watch(name, stream):
            codes[name] = stream.expect_close(timeout=20)

        threads = [threading.Thread(target=watch, args=n) for n in (('tina', tina_ev), ('carol', carol_ev))]
        for t in threads:
            t.start()
        self.assertEqual(self.srv.stop(), 0)
        for t in threads:
            t.join(25)
        self.assertEqual(codes, {'tina': 1001, 'carol': 1001})

        # State after a clean restart: the message, the chat, the token.
        self.srv.start()
        body = self.messages(carol, chat['id'])
        self.assertEqual([m['body'] for m in body['messages']], ['before shutdown'])
        status, me = tina.get('/me')
        self.assertEqual(status, 200, me)
        # Without a socket tina is not online.
        self.assertIs(me['online'], False)

    def test_restart_keeps_privileges(self):
        admin = self.login('admin')
        self.set_privileges(admin, customer_chat_with_team=True, chat_enabled=False)
        self.srv.kill9()
        self.srv.start()
        self.assertEqual(admin.get('/setup/privileges'),
                         (200, {'chat_enabled': False, 'customer_chat_with_team': True,
                                'max_chats_per_technician': 0, 'waiting_timeout_s': 300, 'inactivity_timeout_s': 0}))


if __name__ == '__main__':
    main()
