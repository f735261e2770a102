#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Technicians": POST /chats/{id}/transfer to a technician or a
team, the system message (kind "system", author null), chat.transferred, the
transcript note carrying on, and refusals that change nothing."""

from hdcase import ServerTestCase, main, new_client_id
from hdtest import error_code


class TechTransferTest(ServerTestCase):
    smtp = False

    def setUp(self):
        super().setUp()
        self.admin = self.login('admin')
        self.theo = self.login('theo')
        status, teams = self.admin.get('/teams')
        self.team_id = teams['teams'][0]['id']

    def unchanged(self, api, chat, n_messages):
        status, now = api.get('/chats/%d' % chat['id'])
        self.assertEqual(status, 200, now)
        self.assertEqual((now['state'], now['technician']['id']),
                         ('active', chat['technician']['id']))
        msgs = self.messages(api, chat['id'])['messages']
        self.assertEqual(len(msgs), n_messages, msgs)

    def test_to_technician(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        theo = self.theo
        theo_ev = self.go_online(theo)
        cid = chat['id']
        self.post_message(carol, cid, 'My printer is offline')

        status, moved = tina.post('/chats/%d/transfer' % cid, {'technician_id': theo.id})
        self.assertEqual(status, 200, moved)
        self.assertEqual((moved['state'], moved['technician']['id'], moved['target']),
                         ('active', theo.id, {'kind': 'technician', 'id': theo.id}))
        self.assertEqual(moved['note_id'], chat['note_id'])
        self.assertIsNone(moved['end_reason'])

        for stream in (tina_ev, theo_ev, carol_ev):
            ev = stream.next('chat.transferred', where=lambda d: d['id'] == cid)
            self.assertEqual(ev['data']['technician']['id'], theo.id)
        # The system line: to both members now (carol, theo).
        for stream in (carol_ev, theo_ev):
            ev = stream.next('chat.message', where=lambda d: d['chat_id'] == cid and d['seq'] == 2)
            self.assertEqual(ev['data']['kind'], 'system')
            self.assertIsNone(ev['data']['author'])
            self.assertEqual(ev['data']['body'], 'Tina Tech transferred the chat to Theo Tech.')

        msgs = self.messages(carol, cid)['messages']
        self.assertEqual([(m['seq'], m['kind']) for m in msgs], [(1, 'text'), (2, 'system')])
        self.assertEqual(msgs[0]['author']['id'], carol.id)
        self.assertIsNone(msgs[1]['author'])

        # The same transcript note carries on, with the system line.
        reply = self.post_message(theo, cid, 'Theo here, let me look')
        self.assertEqual((reply['seq'], reply['kind']), (3, 'text'))
        note = self.transcript_note(carol, chat['request_id'], cid)
        self.assertEqual(note['id'], chat['note_id'])
        lines = note['body'].splitlines()
        self.assertEqual(len(lines), 3, note['body'])
        self.assertTrue(lines[0].endswith('Carol Customer: My printer is offline'), lines)
        self.assertTrue(lines[1].endswith('Tina Tech transferred the chat to Theo Tech.'), lines)
        self.assertNotIn('Carol', lines[1])
        self.assertTrue(lines[2].endswith('Theo Tech: Theo here, let me look'), lines)

        # tina is no longer a member; theo is.
        status, body = tina.post('/chats/%d/messages' % cid, {'body': 'hi', 'client_id': new_client_id()})
        self.assertEqual(status, 404, body)
        status, lst = theo.get('/chats?state=active')
        self.assertEqual([c['id'] for c in lst['chats']], [cid])
        status, lst = tina.get('/chats?state=active')
        self.assertEqual(lst['chats'], [])
        # Typing goes to theo now.
        carol_ev.send('chat.typing', {'chat_id': cid})
        theo_ev.next('chat.typing', where=lambda d: d['chat_id'] == cid)
        status, ended = theo.post('/chats/%d/end' % cid)
        self.assertEqual(ended['end_reason'], 'technician')

    def test_refusals_change_nothing(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        theo, admin = self.theo, self.admin
        cid = chat['id']
        url = '/chats/%d/transfer' % cid

        # theo is not logged in.
        self.assertError(tina.post(url, {'technician_id': theo.id}), 409, 'technician_unavailable')
        theo_ev = self.go_online(theo, available=False)
        self.assertError(tina.post(url, {'technician_id': theo.id}), 409, 'technician_unavailable')
        theo.patch('/me', {'available_for_chat': True})
        theo.patch('/me', {'away': True})
        self.assertError(tina.post(url, {'technician_id': theo.id}), 409, 'technician_unavailable')
        theo.patch('/me', {'away': False})
        # At the limit.
        status, req = admin.post('/requests', {'subject': 'Other', 'customer_id': self.login('chris').id,
                                               'assignee_id': theo.id})
        chris = self.login('chris')
        other = self.open_chat(chris, req['id'])
        status, other = theo.post('/chats/%d/accept' % other['id'])
        self.assertEqual(status, 200, other)
        admin.patch('/setup/privileges', {'max_chats_per_technician': 1})
        self.assertError(tina.post(url, {'technician_id': theo.id}), 409, 'technician_busy')
        # GET /users tells staff each colleague's active chats (this
        # server's extension), so the app can leave theo out; customers'
        # objects do not carry it.
        status, users = tina.get('/users')
        self.assertEqual(status, 200, users)
        by_id = {u['id']: u for u in users['users']}
        self.assertEqual(by_id[theo.id]['active_chats'], 1, by_id[theo.id])
        self.assertEqual(by_id[tina.id]['active_chats'], 1, by_id[tina.id])
        self.assertEqual(by_id[admin.id]['active_chats'], 0, by_id[admin.id])
        self.assertNotIn('active_chats', by_id[carol.id])
        admin.patch('/setup/privileges', {'max_chats_per_technician': 0})

        # Bad input.
        for bad in ({}, {'technician_id': theo.id, 'team_id': self.team_id},
                    {'technician_id': 'theo'}, {'technician_id': tina.id},
                    {'technician_id': carol.id}, {'technician_id': 99999},
                    {'team_id': 99999}):
            status, body = tina.post(url, bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))

        # Who may: the chat's technician or an admin; not the customer, not
        # another technician.
        self.assertError(carol.post(url, {'technician_id': theo.id}), 403, 'forbidden')
        self.assertError(theo.post(url, {'technician_id': theo.id}), 404, 'not_found')
        self.assertError(tina.post('/chats/99999/transfer', {'technician_id': theo.id}), 404, 'not_found')

        self.unchanged(carol, chat, 0)
        carol_ev.assert_none('chat.transferred', 0.3)
        tina_ev.assert_none('chat.message', 0.1)

        # An admin (not a member) may.
        status, moved = admin.post(url, {'technician_id': theo.id})
        self.assertEqual((status, moved['technician']['id']), (200, theo.id), moved)
        ev = carol_ev.next('chat.message', where=lambda d: d['chat_id'] == cid)
        self.assertEqual(ev['data']['body'], 'Ada Admin transferred the chat from Tina Tech to Theo Tech.')
        theo_ev.next('chat.transferred', where=lambda d: d['id'] == cid)

        # Not after the end.
        theo.post('/chats/%d/end' % cid)
        self.assertError(admin.post(url, {'technician_id': tina.id}), 409, 'chat_ended')

    def test_to_team(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        theo = self.theo
        theo_ev = self.go_online(theo)
        cid = chat['id']
        self.post_message(carol, cid, 'hello')

        status, moved = tina.post('/chats/%d/transfer' % cid, {'team_id': self.team_id})
        self.assertEqual(status, 200, moved)
        self.assertEqual((moved['state'], moved['technician'], moved['target']),
                         ('waiting', None, {'kind': 'team', 'id': self.team_id}))
        ev = carol_ev.next('chat.transferred', where=lambda d: d['id'] == cid)
        self.assertEqual(ev['data']['state'], 'waiting')
        tina_ev.next('chat.transferred', where=lambda d: d['id'] == cid)
        ev = theo_ev.next('chat.requested', where=lambda d: d['id'] == cid)
        self.assertEqual(ev['data']['target'], {'kind': 'team', 'id': self.team_id})
        ev = carol_ev.next('chat.message', where=lambda d: d['chat_id'] == cid and d['seq'] == 2)
        self.assertEqual((ev['data']['kind'], ev['data']['author'], ev['data']['body']),
                         ('system', None, 'Tina Tech transferred the chat to the team Service Desk.'))

        # While it waits, nobody posts.
        status, body = carol.post('/chats/%d/messages' % cid, {'body': 'x', 'client_id': new_client_id()})
        self.assertEqual(status, 409, body)
        status, q = theo.get('/chats/queue')
        self.assertIn(cid, [c['id'] for c in q['chats']])

        status, active = theo.post('/chats/%d/accept' % cid)
        self.assertEqual(status, 200, active)
        self.assertEqual((active['state'], active['technician']['id'], active['note_id']),
                         ('active', theo.id, chat['note_id']))
        carol_ev.next('chat.accepted', where=lambda d: d['id'] == cid)
        msg = self.post_message(theo, cid, 'Theo here')
        self.assertEqual(msg['seq'], 3)
        note = self.transcript_note(theo, chat['request_id'], cid)
        self.assertEqual(len(note['body'].splitlines()), 3, note['body'])
        # Only one transcript note for the chat.
        status, notes = carol.get('/requests/%d/notes' % chat['request_id'])
        self.assertEqual(len([n for n in notes['notes'] if n['chat_id'] == cid]), 1)

    def test_to_team_nobody_there(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        tina.patch('/me', {'available_for_chat': False})
        self.assertError(tina.post('/chats/%d/transfer' % chat['id'], {'team_id': self.team_id}),
                         409, 'technician_unavailable')
        self.unchanged(carol, chat, 0)


if __name__ == '__main__':
    main()
