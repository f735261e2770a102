#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's story over HTTP and WebSocket: availability, logged-in-ness is
an open socket, the queue, accepting, messages both ways (REST and
chat.send), client_id, ?after= resume, the live transcript note, ending."""

import re

from hdcase import ServerTestCase, main, new_client_id
from hdtest import error_code

TIME_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')


class ChatTest(ServerTestCase):
    smtp = False

    def chat_options(self, customer, rid):
        status, req = customer.get('/requests/%d' % rid)
        self.assertEqual(status, 200, req)
        return req['chat_options']

    def test_availability_needs_socket_and_flag(self):
        tina = self.login('tina')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')
        carol_ev = self.events(carol)

        # Nobody available: no chat.
        opts = self.chat_options(carol, rid)
        self.assertIs(opts['can_start'], False)
        self.assertEqual(opts['reason'], 'technician_unavailable')
        self.assertEqual(opts['technicians'], [])
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'technician_unavailable')

        # Available but not logged in (no socket): still no chat.
        status, user = tina.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200, user)
        self.assertIs(user['online'], False)
        self.assertIs(self.chat_options(carol, rid)['can_start'], False)
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'technician_unavailable')

        # Socket open: logged in; carol is told.
        tina_ev = self.events(tina)
        ev = carol_ev.next('presence.changed',
                           where=lambda d: d['id'] == tina.id and d['online'])
        self.assertIs(ev['data']['available_for_chat'], True)
        opts = self.chat_options(carol, rid)
        self.assertIs(opts['can_start'], True)
        self.assertIsNone(opts['reason'])
        self.assertEqual([t['id'] for t in opts['technicians']], [tina.id])

        # Not available any more (socket still open): no chat.
        tina.patch('/me', {'available_for_chat': False})
        carol_ev.next('presence.changed',
                      where=lambda d: d['id'] == tina.id and not d['available_for_chat'])
        self.assertEqual(self.chat_options(carol, rid)['reason'], 'technician_unavailable')
        tina.patch('/me', {'available_for_chat': True})
        carol_ev.next('presence.changed',
                      where=lambda d: d['id'] == tina.id and d['available_for_chat'])
        self.assertIs(self.chat_options(carol, rid)['can_start'], True)

        # Two sockets: closing one keeps her logged in; closing both logs out.
        tina_ev2 = self.events(tina)
        tina_ev.close()
        carol_ev.assert_none('presence.changed', 0.5,
                             where=lambda d: d['id'] == tina.id and not d['online'])
        self.assertIs(self.chat_options(carol, rid)['can_start'], True)
        tina_ev2.close()
        carol_ev.next('presence.changed', where=lambda d: d['id'] == tina.id and not d['online'])
        self.assertEqual(self.chat_options(carol, rid)['reason'], 'technician_unavailable')
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'technician_unavailable')

    def test_queue_accept_and_states(self):
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        tina_ev = self.go_online(tina)
        theo_ev = self.go_online(theo)
        carol_ev = self.events(carol)
        rid = self.request_id(carol, 'Printer offline')

        chat = self.open_chat(carol, rid)
        self.assertEqual(chat['request_id'], rid)
        self.assertEqual(chat['customer']['id'], carol.id)
        self.assertIsNone(chat['technician'])
        self.assertEqual(chat['target'], {'kind': 'technician', 'id': tina.id})
        self.assertIsNone(chat['note_id'])
        self.assertRegex(chat['created_at'], TIME_RE)
        self.assertIsNone(chat['accepted_at'])
        self.assertIsNone(chat['ended_at'])

        # Offered to tina (the assignee) only.
        ev = tina_ev.next('chat.requested')
        self.assertEqual(ev['data']['id'], chat['id'])
        theo_ev.assert_none('chat.requested', 0.5)
        status, q = tina.get('/chats/queue')
        self.assertEqual([c['id'] for c in q['chats']], [chat['id']])
        status, q = theo.get('/chats/queue')
        self.assertEqual(q['chats'], [])
        self.assertError(carol.get('/chats/queue'), 403, 'forbidden')

        # One chat per request at a time.
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'chat_in_progress')
        opts = self.chat_options(carol, rid)
        self.assertEqual((opts['can_start'], opts['reason']), (False, 'chat_in_progress'))
        status, req = carol.get('/requests/%d' % rid)
        self.assertEqual(req['active_chat']['id'], chat['id'])

        # No messages while waiting.
        status, body = carol.post('/chats/%d/messages' % chat['id'],
                                  {'body': 'early', 'client_id': new_client_id()})
        self.assertEqual(status, 409, body)

        # Theo was not offered it: he may not accept.
        status, body = theo.post('/chats/%d/accept' % chat['id'])
        self.assertIn(status, (403, 404, 409), body)

        status, active = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, active)
        self.assertEqual(active['state'], 'active')
        self.assertEqual(active['technician']['id'], tina.id)
        self.assertRegex(active['accepted_at'], TIME_RE)
        self.assertIsInstance(active['note_id'], int)
        for ev_stream in (carol_ev, tina_ev):
            ev = ev_stream.next('chat.accepted')
            self.assertEqual(ev['data']['id'], chat['id'])
            self.assertEqual(ev['data']['state'], 'active')
        # Accepting again: already taken.
        self.assertError(tina.post('/chats/%d/accept' % chat['id']), 409, 'already_taken')
        status, q = tina.get('/chats/queue')
        self.assertEqual(q['chats'], [])

        # Both members list it as active.
        for api in (carol, tina):
            status, lst = api.get('/chats?state=active')
            self.assertEqual([c['id'] for c in lst['chats']], [chat['id']])
            status, lst = api.get('/chats?state=waiting')
            self.assertEqual(lst['chats'], [])
            status, one = api.get('/chats/%d' % chat['id'])
            self.assertEqual(status, 200, one)
            self.assertEqual(one['state'], 'active')

        # Transcript note exists from the accept on, empty.
        note = self.transcript_note(carol, rid, chat['id'])
        self.assertEqual(note['id'], active['note_id'])
        self.assertEqual(note['body'], '')

        # End by the technician.
        status, ended = tina.post('/chats/%d/end' % chat['id'])
        self.assertEqual(status, 200, ended)
        self.assertEqual(ended['state'], 'ended')
        self.assertRegex(ended['ended_at'], TIME_RE)
        for ev_stream in (carol_ev, tina_ev):
            self.assertEqual(ev_stream.next('chat.ended')['data']['id'], chat['id'])
        self.assertError(carol.post('/chats/%d/messages' % chat['id'],
                                    {'body': 'late', 'client_id': new_client_id()}),
                         409, 'chat_ended')
        status, lst = carol.get('/chats?state=ended')
        self.assertEqual([c['id'] for c in lst['chats']], [chat['id']])
        status, req = carol.get('/requests/%d' % rid)
        self.assertIsNone(req['active_chat'])
        # The note stays, for the customer too.
        self.transcript_note(carol, rid, chat['id'])
        # A new chat may start.
        self.open_chat(carol, rid)

    def test_customer_withdraws_waiting_chat(self):
        tina = self.login('tina')
        carol = self.login('carol')
        tina_ev = self.go_online(tina)
        rid = self.request_id(carol, 'Printer offline')
        chat = self.open_chat(carol, rid)
        tina_ev.next('chat.requested')
        status, ended = carol.post('/chats/%d/end' % chat['id'])
        self.assertEqual(status, 200, ended)
        self.assertEqual(ended['state'], 'ended')
        ev = tina_ev.next('chat.taken')
        self.assertEqual(ev['data']['id'], chat['id'])
        status, q = tina.get('/chats/queue')
        self.assertEqual(q['chats'], [])
        status, body = tina.post('/chats/%d/accept' % chat['id'])
        self.assertIn(status, (404, 409), body)
        # A waiting chat has no note.
        status, notes = carol.get('/requests/%d/notes' % rid)
        self.assertEqual([n for n in notes['notes'] if n['chat_id'] == chat['id']], [])

    def test_closed_request(self):
        tina = self.login('tina')
        carol = self.login('carol')
        self.go_online(tina)
        rid = self.request_id(carol, 'New laptop')
        opts = self.chat_options(carol, rid)
        self.assertEqual((opts['can_start'], opts['reason']), (False, 'request_closed'))
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'request_closed')

    def test_messages_both_ways(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']

        # REST, from the customer.
        m1 = self.post_message(carol, cid, 'Hello, my printer is offline')
        self.assertEqual((m1['seq'], m1['chat_id'], m1['author']['id']), (1, cid, carol.id))
        self.assertRegex(m1['created_at'], TIME_RE)
        for ev_stream in (tina_ev, carol_ev):
            ev = ev_stream.next('chat.message')
            self.assertEqual(ev['data']['id'], m1['id'])
            self.assertEqual(ev['data']['body'], 'Hello, my printer is offline')

        # WebSocket, from the technician.
        client_id = new_client_id()
        tina_ev.send('chat.send', {'chat_id': cid, 'body': 'Have you tried <b>turning</b> it off? ✓',
                                   'client_id': client_id})
        ev = tina_ev.next('chat.message')['data']
        self.assertEqual((ev['seq'], ev['client_id'], ev['author']['id']), (2, client_id, tina.id))
        self.assertEqual(ev['body'], 'Have you tried <b>turning</b> it off? ✓')
        self.assertEqual(carol_ev.next('chat.message')['data']['id'], ev['id'])

        # Typing reaches the other member only.
        carol_ev.send('chat.typing', {'chat_id': cid})
        ev = tina_ev.next('chat.typing')['data']
        self.assertEqual((ev['chat_id'], ev['user_id']), (cid, carol.id))
        carol_ev.assert_none('chat.typing', 0.3)

        body = self.messages(carol, cid)
        self.assertEqual([m['seq'] for m in body['messages']], [1, 2])
        self.assertIs(body['more'], False)
        self.assertEqual(body['messages'][1]['client_id'], client_id)

    def test_client_id_is_idempotent(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        client_id = new_client_id()
        m1 = self.post_message(carol, cid, 'once', client_id)
        status, again = carol.post('/chats/%d/messages' % cid, {'body': 'once', 'client_id': client_id})
        self.assertEqual(status, 200, again)
        self.assertEqual(again['id'], m1['id'])
        self.assertEqual(again['seq'], 1)

        # Over the socket: the same chat.message again, no second copy.
        ws_id = new_client_id()
        tina_ev.send('chat.send', {'chat_id': cid, 'body': 'twice?', 'client_id': ws_id})
        first = tina_ev.next('chat.message', where=lambda d: d['client_id'] == ws_id)['data']
        tina_ev.send('chat.send', {'chat_id': cid, 'body': 'twice?', 'client_id': ws_id})
        second = tina_ev.next('chat.message', where=lambda d: d['client_id'] == ws_id)['data']
        self.assertEqual(first['id'], second['id'])
        self.assertEqual(first['seq'], second['seq'])

        body = self.messages(tina, cid)
        self.assertEqual([m['body'] for m in body['messages']], ['once', 'twice?'])
        note = self.transcript_note(tina, chat['request_id'], cid)
        self.assertEqual(note['body'].count('twice?'), 1)
        self.assertEqual(note['body'].count('once'), 1)

    def test_after_and_limit(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        sent = [self.post_message(carol if i % 2 else tina, cid, 'm%d' % i) for i in range(1, 8)]
        self.assertEqual([m['seq'] for m in sent], list(range(1, 8)))

        body = self.messages(carol, cid, after=2, limit=3)
        self.assertEqual([m['seq'] for m in body['messages']], [3, 4, 5])
        self.assertIs(body['more'], True)
        body = self.messages(carol, cid, after=5, limit=3)
        self.assertEqual([m['seq'] for m in body['messages']], [6, 7])
        self.assertIs(body['more'], False)
        body = self.messages(carol, cid, after=4, limit=3)
        self.assertEqual([m['seq'] for m in body['messages']], [5, 6, 7])
        self.assertIs(body['more'], False)
        body = self.messages(carol, cid, after=7)
        self.assertEqual(body['messages'], [])
        self.assertIs(body['more'], False)
        body = self.messages(carol, cid, after=0)
        self.assertEqual([m['body'] for m in body['messages']], ['m%d' % i for i in range(1, 8)])

        for bad in ('after=-1', 'after=x', 'limit=0', 'limit=-5', 'limit=abc'):
            status, resp = carol.get('/chats/%d/messages?%s' % (cid, bad))
            self.assertEqual((status, error_code(resp)), (400, 'bad_request'), (bad, resp))

        # Resume after a dropped socket: what came while away, by ?after=.
        carol_ev.close()
        last_seen = 7
        self.post_message(tina, cid, 'while you were away')
        carol_ev = self.events(carol)
        body = self.messages(carol, cid, after=last_seen)
        self.assertEqual([m['body'] for m in body['messages']], ['while you were away'])

    def test_transcript_note_is_live(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid, rid = chat['id'], chat['request_id']
        theo = self.login('theo')
        theo_ev = self.events(theo)     # staff who can see the request (team) ...
        self.subscribe(theo_ev, rid)    # ... and shows its notes (contract v2)
        chris = self.login('chris')
        chris_ev = self.events(chris)

        texts = ['Hello', 'Grüße aus Köln — ünïcödé ✓ 🖨', 'line with\nnewline inside', 'last one']
        copies = {'carol': '', 'tina': '', 'theo': ''}
        for i, text in enumerate(texts):
            self.post_message(carol if i % 2 == 0 else tina, cid, text)
            for name, stream in (('carol', carol_ev), ('tina', tina_ev), ('theo', theo_ev)):
                # (An event for the note's creation at the accept, with
                # nothing appended yet, may come first.)
                ev = stream.next('note.updated',
                                 where=lambda d: d['chat_id'] == cid and d.get('appended'))['data']
                self.assertEqual(ev['kind'], 'chat_transcript')
                self.assertEqual(ev['request_id'], rid)
                self.assertNotIn('body', ev)
                self.assertIsInstance(ev['appended'], str)
                self.assertTrue(ev['appended'])
                copies[name] += ev['appended']
                self.assertEqual(len(copies[name]), ev['length'], (name, copies[name]))

            note = self.transcript_note(carol, rid, cid)
            self.assertEqual(note['body'], copies['carol'])
            self.assertEqual(copies['tina'], copies['carol'])
            self.assertEqual(copies['theo'], copies['carol'])
        chris_ev.assert_none('note.updated', 0.3)
        chris_ev.assert_none('chat.message', 0.1)

        body = self.transcript_note(tina, rid, cid)['body']
        # One entry per message, in order, naming the author.
        pos = 0
        for i, text in enumerate(texts):
            first_line = text.split('\n')[0]
            at = body.find(first_line, pos)
            self.assertGreaterEqual(at, 0, (text, body))
            line_start = body.rfind('\n', 0, at) + 1
            author = 'Carol Customer' if i % 2 == 0 else 'Tina Tech'
            self.assertIn(author.split()[0], body[line_start:at], body)
            pos = at + len(first_line)

        # After the end the whole transcript stays, for staff and customer.
        tina.post('/chats/%d/end' % cid)
        self.assertEqual(self.transcript_note(carol, rid, cid)['body'], body)
        self.assertEqual(self.transcript_note(theo, rid, cid)['body'], body)


if __name__ == '__main__':
    main()
