#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Technicians": GET /search over messages, notes and request
subjects, limited to what the caller may see, best match first, with
highlighted snippets.  (That it uses the FTS5 index and never scans is
checked on the store's own statement by tests/unit/test-store-tech.c.)"""

import sqlite3
import time

from hdcase import ServerTestCase, main
from hdtest import error_code


def marked(result):
    """The highlighted words of a result, lowercased."""
    s = result['snippet']
    return [s[h['start']:h['start'] + h['length']].lower() for h in result['highlights']]


class TechSearchTest(ServerTestCase):
    smtp = False

    def search(self, api, q, limit=None, status=200):
        path = '/search?q=' + __import__('urllib.parse').parse.quote(q)
        if limit is not None:
            path += '&limit=%s' % limit
        got, body = api.get(path)
        self.assertEqual(got, status, body)
        return body['results'] if status == 200 else body

    def test_messages_subjects_notes(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid, rid = chat['id'], chat['request_id']
        m1 = self.post_message(carol, cid, 'The toner cartridge seems to be empty.')
        self.post_message(tina, cid, 'I will bring a new one.')

        res = self.search(tina, 'toner')
        self.assertEqual(len(res), 1, res)
        r = res[0]
        self.assertEqual((r['request_id'], r['chat_id'], r['message_id'], r['note_id']),
                         (rid, cid, m1['id'], None))
        self.assertIn('toner', r['snippet'])
        self.assertEqual(marked(r), ['toner'])
        self.assertEqual(r['created_at'], m1['created_at'])

        # Subjects.
        res = self.search(tina, 'printer')
        self.assertIn((rid, None, None, None),
                      [(x['request_id'], x['chat_id'], x['message_id'], x['note_id']) for x in res])
        subj = [x for x in res if x['message_id'] is None and x['note_id'] is None][0]
        self.assertEqual(marked(subj), ['printer'])

        # Notes (a plain note written straight into the database: the
        # index follows the table, whoever writes it).
        now = int(time.time() * 1e6)
        if self.srv.store == 'postgresql':
            import hdpg
            note_id = int(hdpg.shared_cluster().psql(
                self.srv.database,
                "INSERT INTO notes (request_id, kind, body, created_at, updated_at) "
                "VALUES (%d, 'note', 'Called the vendor about the fuser unit', %d, %d) RETURNING id"
                % (rid, now, now)).strip())
        else:
            db = sqlite3.connect(self.srv.database, timeout=10)
            cur = db.execute("INSERT INTO notes (request_id, kind, body, created_at, updated_at) "
                             "VALUES (?, 'note', 'Called the vendor about the fuser unit', ?, ?)",
                             (rid, now, now))
            note_id = cur.lastrowid
            db.commit()
            db.close()
        res = self.search(tina, 'fuser')
        self.assertEqual([(x['request_id'], x['note_id'], x['chat_id'], x['message_id']) for x in res],
                         [(rid, note_id, None, None)])

        # Prefixes (search as you type), case and accents do not matter.
        self.assertEqual([x['message_id'] for x in self.search(tina, 'TONE')], [m1['id']])
        self.post_message(carol, cid, 'Caf\u00e9 machine is broken too')
        self.assertEqual(len(self.search(tina, 'cafe')), 1)
        # Several words: all must be there.
        self.assertEqual(len(self.search(tina, 'toner empty')), 1)
        self.assertEqual(self.search(tina, 'toner vpn'), [])

    def test_visibility(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(carol, chat['id'], 'secret toner story')
        chris = self.login('chris')
        theo = self.login('theo')
        admin = self.login('admin')
        # Chris's own request is found by chris; carol's is not.
        self.assertEqual(self.search(chris, 'toner'), [])
        self.assertEqual(self.search(chris, 'printer'), [])
        self.assertEqual([x['request_id'] for x in self.search(chris, 'vpn')],
                         [self.request_id(chris, 'VPN drops every hour')])
        self.assertEqual(len(self.search(carol, 'toner')), 1)
        # Theo sees the team's requests; "New laptop" is tina's alone.
        self.assertEqual(len(self.search(theo, 'toner')), 1)
        self.assertEqual(self.search(theo, 'laptop'), [])
        self.assertEqual(len(self.search(tina, 'laptop')), 1)
        self.assertEqual(len(self.search(admin, 'laptop')), 1)

    def test_ranking_limit_and_bad_input(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        long_one = self.post_message(carol, cid, 'Something about the modem and many other things '
                                     'that are not really relevant to anything at all here')
        short_one = self.post_message(tina, cid, 'modem modem')
        res = self.search(tina, 'modem')
        self.assertEqual([x['message_id'] for x in res], [short_one['id'], long_one['id']])

        for i in range(12):
            self.post_message(carol, cid, 'router number %d' % i)
        self.assertEqual(len(self.search(tina, 'router')), 12)
        self.assertEqual(len(self.search(tina, 'router', limit=5)), 5)
        self.assertEqual(len(self.search(tina, 'router', limit=1000)), 12)

        # Query syntax of FTS5 is not ours: quotes and operators are text.
        for q in ('"', 'router"', 'NEAR(', 'router AND', '*', 'a:b', '(', "'", '-router', '^router'):
            status, body = tina.get('/search?q=' + __import__('urllib.parse').parse.quote(q))
            self.assertEqual(status, 200, (q, body))
        # Markup in people's text comes back as text, never interpreted.
        self.post_message(carol, cid, '<b>bold</b> claim')
        res = self.search(tina, 'claim')
        self.assertIn('<b>bold</b>', res[0]['snippet'])

        for bad in ('', '   ', None):
            path = '/search' if bad is None else '/search?q=' + bad.replace(' ', '%20')
            status, body = tina.get(path)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        for bad in ('0', '-1', 'x'):
            status, body = tina.get('/search?q=router&limit=' + bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        status, body = tina.get('/search?q=' + 'x' * 1001)
        self.assertEqual((status, error_code(body)), (400, 'bad_request'), body)


if __name__ == '__main__':
    main()
