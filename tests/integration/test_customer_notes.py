#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, Customers: leaving a message (POST /requests/{id}/notes),
notes with an author, note.created to the assignee; after a transcript mail
an `event` note names where it went."""

from hdcase import ServerTestCase, main


class NotesTest(ServerTestCase):

    def test_customer_leaves_a_message_and_the_assignee_hears(self):
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        tina_ev = self.events(tina)        # online but not available for chat
        theo_ev = self.events(theo)
        carol_ev = self.events(carol)
        rid = self.request_id(carol, 'Printer offline')
        status, req = carol.get('/requests/%d' % rid)
        self.assertEqual(req['chat_options']['reason'], 'technician_unavailable')

        status, note = carol.post('/requests/%d/notes' % rid,
                                  {'body': 'Nobody there — the printer still says <b>offline</b>.'})
        self.assertEqual(status, 201, note)
        self.assertEqual((note['kind'], note['request_id'], note['chat_id']), ('note', rid, None))
        self.assertEqual(note['body'], 'Nobody there — the printer still says <b>offline</b>.')
        self.assertEqual(note['author']['id'], carol.id)
        self.assertEqual(note['author']['name'], 'Carol Customer')
        self.assertTrue(note['created_at'].endswith('Z'))

        # The assignee is told, with the note (and its author).
        ev = tina_ev.next('note.created', where=lambda d: d['id'] == note['id'])
        self.assertEqual(ev['data']['body'], note['body'])
        self.assertEqual(ev['data']['author']['id'], carol.id)
        # theo is not the assignee and did not subscribe: not told.
        theo_ev.assert_none('note.created', 0.5)
        # It is on the request's notes for both sides.
        for api in (carol, tina):
            status, body = api.get('/requests/%d/notes' % rid)
            self.assertEqual(status, 200, body)
            got = [n for n in body['notes'] if n['id'] == note['id']]
            self.assertEqual(len(got), 1, body)
            self.assertEqual(got[0]['author']['id'], carol.id)
            self.assertEqual(got[0]['body'], note['body'])

        # Staff answer with a note: the customer is told.
        status, reply = tina.post('/requests/%d/notes' % rid, {'body': 'I will look at it at 2 pm.'})
        self.assertEqual(status, 201, reply)
        self.assertEqual(reply['author']['id'], tina.id)
        ev = carol_ev.next('note.created', where=lambda d: d['id'] == reply['id'])
        # As a customer sees another person: no login, no email.
        self.assertNotIn('email', ev['data']['author'])
        self.assertNotIn('login', ev['data']['author'])
        status, body = carol.get('/requests/%d/notes' % rid)
        self.assertNotIn('email', [n for n in body['notes'] if n['id'] == reply['id']][0]['author'])

    def test_who_may_leave_a_note_and_bad_bodies(self):
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        chris = self.login('chris')
        admin = self.login('admin')
        rid = self.request_id(carol, 'Printer offline')
        closed = self.request_id(carol, 'New laptop')

        # Another customer's request: as if it did not exist.
        self.assertError(chris.post('/requests/%d/notes' % rid, {'body': 'hi'}), 404, 'not_found')
        self.assertError(carol.post('/requests/999/notes', {'body': 'hi'}), 404, 'not_found')
        # A closed request: the customer may no longer write; staff may.
        self.assertError(carol.post('/requests/%d/notes' % closed, {'body': 'hi'}), 409, 'request_closed')
        status, body = tina.post('/requests/%d/notes' % closed, {'body': 'Closed: laptop handed over.'})
        self.assertEqual(status, 201, body)
        # Staff who cannot see the request: 404 ("New laptop" has no team; theo is not its assignee).
        self.assertError(theo.post('/requests/%d/notes' % closed, {'body': 'x'}), 404, 'not_found')
        status, body = admin.post('/requests/%d/notes' % closed, {'body': 'Admin was here.'})
        self.assertEqual(status, 201, body)

        # Bodies: empty, blank, too long, not a string, missing.
        for bad in ({'body': ''}, {'body': ' \n\t '}, {'body': 'x' * 4001},
                    {'body': 42}, {}, {'body': None}):
            status, body = carol.post('/requests/%d/notes' % rid, bad)
            self.assertError((status, body), 400, 'bad_request')
        # Exactly 4000 characters (not bytes) is fine.
        status, body = carol.post('/requests/%d/notes' % rid, {'body': 'ä' * 4000})
        self.assertEqual(status, 201, body)
        self.assertEqual(len(body['body']), 4000)
        # Nothing was stored by the refused calls.
        status, body = carol.get('/requests/%d/notes' % rid)
        self.assertEqual([n['body'][:1] for n in body['notes']], ['ä'])
        # Other methods on the notes path.
        status, _, _ = carol.raw('DELETE', '/requests/%d/notes' % rid)
        self.assertEqual(status, 405)

    def test_transcript_notes_have_no_author(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(carol, chat['id'], 'hello')
        note = self.transcript_note(tina, chat['request_id'], chat['id'])
        self.assertIn('author', note)
        self.assertIsNone(note['author'])

    def test_transcript_mail_leaves_an_event_note(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid, rid = chat['id'], chat['request_id']
        self.post_message(carol, cid, 'hello')
        status, body = tina.post('/chats/%d/email' % cid)
        self.assertEqual(status, 202, body)
        self.sink.wait_for(1)
        ev = carol_ev.next('note.created', where=lambda d: d['kind'] == 'event')
        self.assertEqual(ev['data']['body'], 'Chat transcript emailed to carol@example.com.')
        self.assertEqual(ev['data']['author']['id'], tina.id)
        self.assertEqual((ev['data']['request_id'], ev['data']['chat_id']), (rid, cid))
        for api in (tina, carol):
            status, notes = api.get('/requests/%d/notes' % rid)
            events = [n for n in notes['notes'] if n['kind'] == 'event']
            self.assertEqual(len(events), 1, notes)
            self.assertEqual(events[0]['body'], 'Chat transcript emailed to carol@example.com.')
            self.assertEqual(events[0]['author']['id'], tina.id)

        # The customer mails it herself after the end: a second event note, by her.
        tina.post('/chats/%d/end' % cid)
        status, body = carol.post('/chats/%d/email' % cid)
        self.assertEqual(status, 202, body)
        self.sink.wait_for(2)
        ev = tina_ev.next('note.created', where=lambda d: d['kind'] == 'event'
                          and d['author']['id'] == carol.id)
        self.assertEqual(ev['data']['body'], 'Chat transcript emailed to carol@example.com.')
        status, notes = tina.get('/requests/%d/notes' % rid)
        self.assertEqual([n['author']['id'] for n in notes['notes'] if n['kind'] == 'event'],
                         [tina.id, carol.id])

    def test_failed_mail_leaves_no_event_note(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(carol, chat['id'], 'hi')
        self.sink.refuse.add('carol@example.com')
        self.assertError(tina.post('/chats/%d/email' % chat['id']), 502, 'mail_failed')
        status, notes = tina.get('/requests/%d/notes' % chat['request_id'])
        self.assertEqual([n['kind'] for n in notes['notes']], ['chat_transcript'])
        # (The transcript's own note.created, from the accept, may be there.)
        carol_ev.assert_none('note.created', 0.5, where=lambda d: d['kind'] != 'chat_transcript')


if __name__ == '__main__':
    main()
