#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PostgreSQL only (suite 'postgresql'): servers starting together on one
empty database migrate it once (advisory lock); a database newer than the
server is refused; what two servers on one database share through it
(tokens, chats, first accept wins, transcripts)."""

import os
import subprocess
import threading
import unittest

import hdpg
from hdcase import new_client_id
from hdtest import Api, Events, Server, error_code


class PostgresTest(unittest.TestCase):
    def setUp(self):
        self.pg = hdpg.shared_cluster()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.close()

    def server(self, database, seed=False, start=True):
        s = Server(database=database, seed=seed, start=start)
        self.servers.append(s)
        return s

    def test_servers_starting_together_migrate_once(self):
        uri = self.pg.create_database()
        servers = [self.server(uri, start=False) for _ in range(4)]
        errors = []

        def start(s):
            try:
                s.start()
            except Exception as e:      # noqa: BLE001 - reported below
                errors.append('%s\n%s' % (e, s.log()))

        threads = [threading.Thread(target=start, args=(s,)) for s in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(self.pg.psql(uri, 'SELECT version FROM hd_schema').strip(), '6')
        self.assertEqual(self.pg.psql(uri, 'SELECT count(*) FROM hd_schema').strip(), '1')
        for s in servers:
            status, health = Api(s).get('/health')
            self.assertEqual((status, health['store']), (200, 'postgresql'))

    def test_servers_seeding_together_seed_once(self):
        uri = self.pg.create_database()
        servers = [self.server(uri, seed=True, start=False) for _ in range(3)]
        errors = []

        def start(s):
            try:
                s.start()
            except Exception as e:      # noqa: BLE001 - reported below
                errors.append('%s\n%s' % (e, s.log()))

        threads = [threading.Thread(target=start, args=(s,)) for s in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(self.pg.psql(uri, "SELECT count(*) FROM users WHERE login = 'tina'").strip(), '1')
        self.assertEqual(self.pg.psql(uri, 'SELECT count(*) FROM requests').strip(), '3')
        for s in servers:
            Api(s).login('tina')

    def test_newer_schema_is_refused(self):
        uri = self.pg.create_database()
        s = self.server(uri)
        s.stop()
        self.pg.psql(uri, 'UPDATE hd_schema SET version = 99')
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        self.assertIn('newer than this server', str(cm.exception))

    def test_migrates_a_version_1_dump(self):
        uri = self.pg.create_database()
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pg-schema-v1.sql')
        p = subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', uri, '-f', dump],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.pg.psql(uri, 'SELECT version FROM hd_schema').strip(), '1')
        s = self.server(uri)
        self.assertEqual(self.pg.psql(uri, 'SELECT version FROM hd_schema').strip(), '6')

        carol = Api(s).login('carol')
        tina = Api(s).login('tina')
        status, body = carol.get('/chats/1/messages')
        self.assertEqual(status, 200, body)
        self.assertEqual([(m['seq'], m['body']) for m in body['messages']],
                         [(1, 'My printer is offline'), (2, 'Is it plugged in?')])
        status, notes = carol.get('/requests/1/notes')
        self.assertEqual(status, 200, notes)
        kinds = sorted(n['kind'] for n in notes['notes'])
        self.assertIn('chat_transcript', kinds)
        # Version 4 put the old messages, notes and subjects in the
        # full-text index.
        status, found = tina.get('/search?q=printer')
        self.assertEqual(status, 200, found)
        self.assertEqual(sorted(((r['message_id'], r['note_id']) for r in found['results']), key=str),
                         [(1, None), (None, None)])
        status, found = tina.get('/search?q=custom')
        self.assertEqual([(r['note_id'], r['snippet']) for r in found['results']],
                         [(2, 'Called the customer back')])
        self.assertEqual(self.pg.psql(uri, 'SELECT waiting_since FROM chats WHERE id = 1').strip(),
                         '1764461000000000')
        # The chat goes on at seq 3, and v2's features work on it.
        status, m = carol.post('/chats/1/messages', {'body': 'Yes', 'client_id': 'c-3'})
        self.assertEqual((status, m['seq']), (201, 3), m)
        status, m = carol.post('/chats/1/messages', {'body': 'Yes', 'client_id': 'c-1'})
        self.assertEqual((status, m['seq']), (200, 1), m)
        self.assertEqual(tina.post('/chats/1/end')[0], 200)
        status, body = carol.post('/chats/1/rating', {'score': 5})
        self.assertIn(status, (200, 201), body)

    def test_bad_uri_fails_clearly(self):
        s = self.server('postgresql:///nosuchdb?host=%s&user=postgres' % self.pg.sockdir,
                        start=False)
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        self.assertIn('Cannot connect to PostgreSQL', str(cm.exception))

    def test_two_servers_share_one_helpdesk(self):
        uri = self.pg.create_database()
        a = self.server(uri, seed=True)
        b = self.server(uri)
        admin_a = Api(a).login('admin')
        # A token from A is good on B.
        admin_b = Api(b, token=admin_a.token)
        status, me = admin_b.get('/me')
        self.assertEqual((status, me['login']), (200, 'admin'))
        status, body = admin_b.patch('/setup/privileges', {'chat_enabled': True})
        self.assertEqual(status, 200, body)

        carol = Api(a).login('carol')
        tina_a, tina_b = Api(a).login('tina'), None
        tina_b = Api(b, token=tina_a.token)
        # (Presence across servers is test_cluster's; here the sockets are
        # on the server carol asks.)
        theo = Api(b).login('theo')
        for api in (tina_a, theo):
            ev = Events(a, api.token)
            self.addCleanup(ev.close)
            ev.next('hello')
            status, body = Api(b, token=api.token).patch('/me', {'available_for_chat': True})
            self.assertEqual(status, 200, body)
        status, reqs = carol.get('/requests')
        rid = [r['id'] for r in reqs['requests'] if r['subject'] == 'Printer offline'][0]
        status, chat = carol.post('/chats', {'request_id': rid})
        self.assertEqual(status, 201, chat)
        # One open chat per request, whichever server is asked.
        self.assertEqual(error_code(Api(b, token=carol.token).post('/chats', {'request_id': rid})[1]),
                         'chat_in_progress')

        # Two accepts at once (the chat is offered to tina, its request's
        # assignee), one per server: exactly one wins.
        results = {}

        def accept(name, api):
            results[name] = api.post('/chats/%d/accept' % chat['id'])

        ts = [threading.Thread(target=accept, args=('via B', tina_b)),
              threading.Thread(target=accept, args=('via A', tina_a))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        codes = sorted(r[0] for r in results.values())
        self.assertEqual(codes, [200, 409], results)
        self.assertEqual([error_code(r[1]) for r in results.values() if r[0] == 409],
                         ['already_taken'])
        tech = tina_b

        # Messages through both servers share one seq and one transcript.
        seqs = []
        for i, api in enumerate([carol, Api(b, token=carol.token), tech] * 3):
            status, m = api.post('/chats/%d/messages' % chat['id'],
                                 {'body': 'm%d' % i, 'client_id': new_client_id()})
            self.assertEqual(status, 201, m)
            seqs.append(m['seq'])
        self.assertEqual(seqs, list(range(1, 10)))
        status, body = Api(b, token=carol.token).get('/chats/%d/messages' % chat['id'])
        self.assertEqual([m['body'] for m in body['messages']], ['m%d' % i for i in range(9)])
        status, notes = carol.get('/requests/%d/notes' % rid)
        transcript = [n for n in notes['notes'] if n['kind'] == 'chat_transcript']
        self.assertEqual(len(transcript), 1, notes)
        self.assertEqual(transcript[0]['chat_id'], chat['id'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
