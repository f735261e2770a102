#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two servers on one PostgreSQL database are one helpdesk (suite
'postgresql'): the seed story with the customer on server A and the
technician on server B (presence, offer, accept, messages and typing both
ways, end); kill -9 of A loses no acknowledged message and the customer
carries on through B; a dead server's users go offline when its lease
runs out (shortened here with HD_BUS_LEASE_MS); the login throttle counts
failures on both servers; contract v2 "Technicians" across servers: a
waiting chat ends no_answer once when its technician goes away on the
other server, and a transfer to a technician on the other server; the
limit of 5 transcript mails per chat an hour is one limit for both
servers, also when they are asked at once."""

import os
import threading
import time
import unittest

import hdpg
from hdcase import new_client_id
from hdtest import Api, Closed, Events, Server, SmtpSink, error_code

LEASE_MS = 3000
RENEW_MS = 500


class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.pg = hdpg.shared_cluster()
        self.uri = self.pg.create_database()
        self.servers = []
        self.sockets = []
        self.sink = SmtpSink()
        old = {k: os.environ.get(k) for k in ('HD_BUS_LEASE_MS', 'HD_BUS_RENEW_MS')}
        os.environ['HD_BUS_LEASE_MS'] = str(LEASE_MS)
        os.environ['HD_BUS_RENEW_MS'] = str(RENEW_MS)
        try:
            self.a = self.server(seed=True)
            self.b = self.server()
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.admin = admin = Api(self.a).login('admin')
        status, body = admin.patch('/setup/privileges', {'chat_enabled': True})
        self.assertEqual(status, 200, body)

    def tearDown(self):
        for ev in self.sockets:
            ev.close()
        for s in self.servers:
            s.close()
        self.sink.stop()

    def server(self, seed=False):
        s = Server(database=self.uri, seed=seed, smtp_url=self.sink.url)
        self.servers.append(s)
        return s

    def events(self, srv, api):
        ev = Events(srv, api.token)
        self.sockets.append(ev)
        self.assertEqual(ev.next('hello')['data']['user']['id'], api.id)
        return ev

    def wait_for(self, what, cond, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = cond()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError('%s: not within %ss' % (what, timeout))

    def online(self, srv, user_id):
        """Whether @user_id is online as server @srv sees it."""
        status, body = Api(srv, token=self.admin.token).get('/users')
        self.assertEqual(status, 200, body)
        return [u for u in body['users'] if u['id'] == user_id][0]['online']

    def story_until_accepted(self):
        """tina on B, carol on A: returns (tina, tina_ev, carol, carol_ev, chat)."""
        tina = Api(self.b).login('tina')
        carol = Api(self.a).login('carol')
        tina_ev = self.events(self.b, tina)
        status, body = tina.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200, body)
        carol_ev = self.events(self.a, carol)
        # A hears of tina's socket on B through the database.
        self.wait_for('tina online as seen from A', lambda: self.online(self.a, tina.id))

        status, reqs = carol.get('/requests')
        rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
        status, chat = carol.post('/chats', {'request_id': rid})
        self.assertEqual(status, 201, chat)
        ev = tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['state'], 'waiting')

        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        carol_ev.next('chat.accepted', where=lambda d: d['id'] == chat['id'])
        return tina, tina_ev, carol, carol_ev, chat

    def test_seed_story_across_two_servers(self):
        tina, tina_ev, carol, carol_ev, chat = self.story_until_accepted()
        cid = chat['id']

        # Customer on A (REST) → technician on B.
        status, m1 = carol.post('/chats/%d/messages' % cid,
                                {'body': 'My printer is offline', 'client_id': new_client_id()})
        self.assertEqual(status, 201, m1)
        self.assertEqual(tina_ev.next('chat.message')['data']['id'], m1['id'])
        # Technician on B (WebSocket) → customer on A.
        cl = new_client_id()
        tina_ev.send('chat.send', {'chat_id': cid, 'body': 'Turn it off and on ✓', 'client_id': cl})
        mine = tina_ev.next('chat.message', where=lambda d: d['client_id'] == cl)['data']
        got = carol_ev.next('chat.message', where=lambda d: d['client_id'] == cl)['data']
        self.assertEqual((got['id'], got['seq'], got['body']), (mine['id'], 2, 'Turn it off and on ✓'))
        # Typing crosses too.
        carol_ev.send('chat.typing', {'chat_id': cid})
        self.assertEqual(tina_ev.next('chat.typing')['data']['user_id'], carol.id)

        # The transcript is one note, kept by both.
        status, notes = tina.get('/requests/%d/notes' % chat['request_id'])
        t = [n for n in notes['notes'] if n['kind'] == 'chat_transcript']
        self.assertEqual(len(t), 1, notes)

        # The customer ends it on A; B's technician hears.
        status, ended = carol.post('/chats/%d/end' % cid)
        self.assertEqual(status, 200, ended)
        self.assertEqual(tina_ev.next('chat.ended')['data']['id'], cid)

        # tina leaves B: A sees her offline.
        tina_ev.close()
        carol_ev.next('presence.changed', where=lambda d: d['id'] == tina.id and not d['online'])
        self.assertFalse(self.online(self.a, tina.id))

    def test_kill9_of_a_loses_no_acknowledged_message(self):
        tina, tina_ev, carol, carol_ev, chat = self.story_until_accepted()
        cid = chat['id']
        acked = {}
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    status, m = carol.post('/chats/%d/messages' % cid,
                                           {'body': 'a %d' % i, 'client_id': 'a-%d' % i})
                except OSError:
                    return
                if status != 201:
                    return
                acked['a-%d' % i] = m['seq']

        t = threading.Thread(target=writer)
        t.start()
        self.wait_for('messages flowing', lambda: len(acked) >= 30)
        self.a.kill9()
        stop.set()
        t.join(30)
        n = len(acked)
        self.assertGreaterEqual(n, 30)

        # carol's socket on A is gone; she reconnects through B.
        with self.assertRaises(Closed):
            carol_ev.next('chat.message', timeout=5, where=lambda d: False)
        carol_b = Api(self.b, token=carol.token)
        carol_b.user = carol.user
        carol_ev_b = self.events(self.b, carol_b)
        stored = {}
        after = 0
        while True:
            status, body = carol_b.get('/chats/%d/messages?after=%d&limit=500' % (cid, after))
            self.assertEqual(status, 200, body)
            for m in body['messages']:
                stored[m['client_id']] = m['seq']
            if not body['more']:
                break
            after = body['messages'][-1]['seq']
        for client_id, seq in acked.items():
            self.assertEqual(stored.get(client_id), seq, client_id)
        self.assertEqual(sorted(stored.values()), list(range(1, len(stored) + 1)))

        # The chat goes on, now all on B.
        status, m = carol_b.post('/chats/%d/messages' % cid, {'body': 'still here', 'client_id': 'after'})
        self.assertEqual(status, 201, m)
        self.assertEqual(tina_ev.next('chat.message', where=lambda d: d['client_id'] == 'after')['data']['id'],
                         m['id'])
        carol_ev_b.next('chat.message', where=lambda d: d['client_id'] == 'after')

    def test_login_throttle_is_shared(self):
        """10 failed logins per login name per minute, counted over both
        servers: 5 wrong passwords on A and 5 on B, then both refuse."""
        for i in range(10):
            srv = self.a if i % 2 == 0 else self.b
            status, body = Api(srv).post('/session', {'login': 'theo', 'password': 'wrong'}, auth=False)
            self.assertEqual(status, 401, (i, body))
            time.sleep(0.05)     # the other server hears of it through the bus
        for srv in (self.a, self.b):
            self.wait_for('429 from %s' % srv.url, lambda srv=srv: Api(srv).post(
                '/session', {'login': 'theo', 'password': 'demo'}, auth=False)[0] == 429, timeout=5)
        # Other logins are not affected.
        Api(self.b).login('tina')

    def test_transcript_mail_limit_is_shared(self):
        """At most 5 transcript mails per chat an hour, counted in the
        database: 3 asked through A and 3 through B, all at once, give 5
        mails and one 429."""
        tina, tina_ev, carol, carol_ev, chat = self.story_until_accepted()
        path = '/chats/%d/email' % chat['id']
        # carol on A, tina on B; each call on its own connection.
        callers = [Api(self.a, token=carol.token), Api(self.b, token=tina.token)] * 3
        results = [None] * len(callers)
        start = threading.Barrier(len(callers))

        def send(i):
            start.wait()
            results[i] = callers[i].post(path)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(callers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r[0] for r in results)
        self.assertEqual(statuses, [202] * 5 + [429], results)
        self.assertEqual([error_code(r[1]) for r in results if r[0] == 429], ['too_many_requests'])
        self.sink.wait_for(5)
        # Later ones are refused by either server.
        for api in (Api(self.a, token=carol.token), Api(self.b, token=tina.token)):
            status, body = api.post(path)
            self.assertEqual((status, error_code(body)), (429, 'too_many_requests'), body)
        self.assertEqual(len(self.sink.messages), 5)

    def test_dead_servers_users_go_offline_after_the_lease(self):
        theo = Api(self.a).login('theo')
        tina = Api(self.b).login('tina')
        tina_ev = self.events(self.b, tina)
        self.events(self.a, theo)
        self.wait_for('theo online as seen from B', lambda: self.online(self.b, theo.id))
        self.a.kill9()
        killed = time.monotonic()
        ev = tina_ev.next('presence.changed', timeout=LEASE_MS / 1000 + 5,
                          where=lambda d: d['id'] == theo.id and not d['online'])
        took = time.monotonic() - killed
        self.assertFalse(ev['data']['online'])
        self.assertFalse(self.online(self.b, theo.id))
        # Not before the lease ran out (so it was the lease, not a goodbye).
        self.assertGreater(took, LEASE_MS / 1000 - 1.0 - RENEW_MS / 1000)

    def ended_events(self):
        """How many chat.ended events the servers wrote (to the bus)."""
        return int(self.pg.psql(self.uri, "SELECT count(*) FROM hd_events WHERE type = 'chat.ended'").strip())

    def test_waiting_chat_ends_no_answer_when_its_technician_goes_away_elsewhere(self):
        """carol on A waits on tina, whose socket is on B; tina sets away on
        B: the chat ends no_answer at once and once (both servers sweep
        waiting chats every second), and carol's socket on A hears it."""
        tina = Api(self.b).login('tina')
        carol = Api(self.a).login('carol')
        tina_ev = self.events(self.b, tina)
        status, body = tina.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200, body)
        carol_ev = self.events(self.a, carol)
        self.wait_for('tina online as seen from A', lambda: self.online(self.a, tina.id))
        status, reqs = carol.get('/requests')
        rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
        status, chat = carol.post('/chats', {'request_id': rid})
        self.assertEqual(status, 201, chat)
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])

        status, me = tina.patch('/me', {'away': True})
        self.assertEqual((status, me['away']), (200, True), me)
        ev = carol_ev.next('chat.ended', timeout=5, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'no_answer')
        status, now = Api(self.a, token=carol.token).get('/chats/%d' % chat['id'])
        self.assertEqual((now['state'], now['end_reason']), ('ended', 'no_answer'))
        # A sees her away (its own sweep must not take her for reachable).
        status, users = Api(self.a, token=self.admin.token).get('/users')
        self.assertTrue([u for u in users['users'] if u['id'] == tina.id][0]['away'])
        # Two sweeps later on both servers: still one end, told once.
        carol_ev.assert_none('chat.ended', 2.5, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(self.ended_events(), 1)

    def events_of(self, type_):
        """How many events of type_ the servers wrote (to the bus)."""
        return int(self.pg.psql(self.uri, "SELECT count(*) FROM hd_events WHERE type = '%s'" % type_).strip())

    def test_waiting_timeout_swept_by_both_servers(self):
        """Both servers sweep the waiting chats every second: when
        waiting_timeout_s passes, the chat moves to the team queue once and,
        when nobody takes it there either, ends no_answer once; carol (on
        A) and theo (on B, in the team) each hear every step once."""
        status, body = self.admin.patch('/setup/privileges', {'waiting_timeout_s': 2,
                                                              'customer_chat_with_team': True})
        self.assertEqual(status, 200, body)
        tina = Api(self.a).login('tina')
        theo = Api(self.b).login('theo')
        carol = Api(self.a).login('carol')
        tina_ev = self.events(self.a, tina)
        theo_ev = self.events(self.b, theo)
        carol_ev = self.events(self.a, carol)
        for api in (tina, theo):
            status, body = api.patch('/me', {'available_for_chat': True})
            self.assertEqual(status, 200, body)
        self.wait_for('theo online as seen from A', lambda: self.online(self.a, theo.id))
        self.wait_for('tina online as seen from B', lambda: self.online(self.b, tina.id))
        status, reqs = carol.get('/requests')
        rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
        status, chat = carol.post('/chats', {'request_id': rid, 'technician_id': tina.id})
        self.assertEqual(status, 201, chat)
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])

        ev = theo_ev.next('chat.requested', timeout=8, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['target']['kind'], 'team')
        carol_ev.next('chat.transferred', where=lambda d: d['id'] == chat['id'])
        ev = carol_ev.next('chat.ended', timeout=8, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'no_answer')
        theo_ev.next('chat.taken', where=lambda d: d['id'] == chat['id'])
        # Two more sweeps on each server: nothing more happens.
        carol_ev.assert_none('chat.transferred', 2.5, where=lambda d: d['id'] == chat['id'])
        for ev in theo_ev.collect(0.1):
            self.assertFalse(ev['type'] == 'chat.requested' and ev['data']['id'] == chat['id'], ev)
        self.assertEqual([self.events_of(t) for t in ('chat.transferred', 'chat.ended')], [1, 1])

    def test_transfer_across_servers(self):
        """tina on B transfers carol's chat (carol on A) to theo, whose
        socket is on A: all three hear it, theo answers from A, tina can
        no longer write."""
        tina, tina_ev, carol, carol_ev, chat = self.story_until_accepted()
        cid = chat['id']
        theo = Api(self.a).login('theo')
        theo_ev = self.events(self.a, theo)
        status, body = theo.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200, body)
        # B offers theo once it knows he is online (on A).
        self.wait_for('theo online as seen from B', lambda: self.online(self.b, theo.id))
        status, m1 = carol.post('/chats/%d/messages' % cid,
                                {'body': 'My printer is offline', 'client_id': new_client_id()})
        self.assertEqual(status, 201, m1)

        status, moved = tina.post('/chats/%d/transfer' % cid, {'technician_id': theo.id})
        self.assertEqual(status, 200, moved)
        self.assertEqual((moved['state'], moved['technician']['id']), ('active', theo.id))
        for stream in (tina_ev, theo_ev, carol_ev):
            ev = stream.next('chat.transferred', where=lambda d: d['id'] == cid)
            self.assertEqual(ev['data']['technician']['id'], theo.id)
        for stream in (carol_ev, theo_ev):
            ev = stream.next('chat.message', where=lambda d: d['chat_id'] == cid and d['seq'] == 2)
            self.assertEqual((ev['data']['kind'], ev['data']['body']),
                             ('system', 'Tina Tech transferred the chat to Theo Tech.'))

        cl = new_client_id()
        theo_ev.send('chat.send', {'chat_id': cid, 'body': 'Theo here', 'client_id': cl})
        got = carol_ev.next('chat.message', where=lambda d: d['client_id'] == cl)['data']
        self.assertEqual((got['seq'], got['author']['id']), (3, theo.id))
        status, body = tina.post('/chats/%d/messages' % cid, {'body': 'hi', 'client_id': new_client_id()})
        self.assertEqual(status, 404, body)
        # One transcript note, with the system line, whichever server reads it.
        status, notes = Api(self.b, token=carol.token).get('/requests/%d/notes' % chat['request_id'])
        t = [n for n in notes['notes'] if n['kind'] == 'chat_transcript']
        self.assertEqual(len(t), 1, notes)
        lines = t[0]['body'].splitlines()
        self.assertEqual(len(lines), 3, lines)
        self.assertTrue(lines[1].endswith('Tina Tech transferred the chat to Theo Tech.'), lines)


if __name__ == '__main__':
    unittest.main(verbosity=2)
