#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, Customers: a waiting chat tells its customer where they stand
(queue_position, estimated_wait_s) and chat.updated says when either
changes; customers open their own requests."""

import time

from hdcase import ServerTestCase, main


class QueueTest(ServerTestCase):
    smtp = False

    def second_request_for(self, admin, customer, assignee, subject):
        status, req = admin.post('/requests', {'subject': subject, 'customer_id': customer.id,
                                               'assignee_id': assignee.id})
        self.assertEqual(status, 201, req)
        return req['id']

    def test_positions_move_up_and_customers_are_told(self):
        admin = self.login('admin')
        tina = self.login('tina')
        carol = self.login('carol')
        chris = self.login('chris')
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)
        chris_ev = self.events(chris)

        # Two chats for tina: carol's first, then chris's.
        a = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        self.assertEqual(a['queue_position'], 1, a)
        # No chat has ever been accepted: nothing to estimate from.
        self.assertIn('estimated_wait_s', a)
        self.assertIsNone(a['estimated_wait_s'])
        rid_b = self.second_request_for(admin, chris, tina, 'Monitor flickers')
        b = self.open_chat(chris, rid_b)
        self.assertEqual(b['queue_position'], 2, b)
        status, seen = chris.get('/chats/%d' % b['id'])
        self.assertEqual((status, seen['queue_position']), (200, 2), seen)
        # The request's active chat carries it too.
        status, req = chris.get('/requests/%d' % rid_b)
        self.assertEqual(req['active_chat']['queue_position'], 2, req)
        # A chat for another technician does not count in tina's queue.
        theo = self.login('theo')
        self.go_online(theo)
        status, vpn = chris.post('/chats', {'request_id': self.request_id(chris, 'VPN drops every hour')})
        self.assertEqual(status, 201, vpn)
        self.assertEqual(vpn['queue_position'], 1, vpn)

        # carol withdraws: chris moves up and is told so.
        time.sleep(0.2)
        status, ended = carol.post('/chats/%d/end' % a['id'])
        self.assertEqual(status, 200, ended)
        upd = chris_ev.next('chat.updated', where=lambda d: d['id'] == b['id'])
        self.assertEqual(upd['data']['queue_position'], 1, upd)
        self.assertEqual(upd['data']['state'], 'waiting')
        # chat.updated is the customer's: tina was not sent it.
        tina_ev.assert_none('chat.updated', 0.3)
        # Once it has ended, a chat has no queue position.
        self.assertIsNone(ended.get('queue_position'), ended)

        # tina accepts after about a second: from then on there is an estimate.
        time.sleep(1.1)
        status, acc = tina.post('/chats/%d/accept' % b['id'])
        self.assertEqual(status, 200, acc)
        self.assertIsNone(acc.get('queue_position'), acc)
        self.assertIsNone(acc.get('estimated_wait_s'), acc)
        c = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        self.assertEqual(c['queue_position'], 1, c)
        self.assertIsInstance(c['estimated_wait_s'], int, c)
        self.assertGreaterEqual(c['estimated_wait_s'], 1, c)
        self.assertLess(c['estimated_wait_s'], 60, c)
        # Second in the queue: expected to wait longer than the first.
        rid_d = self.second_request_for(admin, chris, tina, 'Keyboard sticks')
        tina.post('/chats/%d/end' % b['id'])
        d = self.open_chat(chris, rid_d)
        self.assertEqual(d['queue_position'], 2, d)
        self.assertGreater(d['estimated_wait_s'], c['estimated_wait_s'], d)

        # tina accepts carol's: chris is next, told with a new position and estimate.
        status, _ = tina.post('/chats/%d/accept' % c['id'])
        self.assertEqual(status, 200)
        upd = chris_ev.next('chat.updated', where=lambda x: x['id'] == d['id'])
        self.assertEqual(upd['data']['queue_position'], 1, upd)
        self.assertIsInstance(upd['data']['estimated_wait_s'], int, upd)
        # carol's accepted chat is not "updated" for her, it was accepted.
        carol_ev.next('chat.accepted', where=lambda x: x['id'] == c['id'])

    def test_team_queue_positions(self):
        admin = self.login('admin')
        tina = self.login('tina')
        carol = self.login('carol')
        chris = self.login('chris')
        self.set_privileges(admin, customer_chat_with_team=True)
        # tina is online but not available; theo is, in the same team: the
        # printer chat (assignee tina) goes to the team queue.
        self.go_online(tina, available=False)
        theo = self.login('theo')
        self.go_online(theo)
        chris_ev = self.events(chris)
        a = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        self.assertEqual((a['target']['kind'], a['queue_position']), ('team', 1), a)
        # chris's own printer-ish request, no assignee but the team: team queue too.
        status, req = admin.post('/requests', {'subject': 'Scanner jams', 'customer_id': chris.id,
                                               'team_id': a['target']['id']})
        self.assertEqual(status, 201, req)
        b = self.open_chat(chris, req['id'])
        self.assertEqual((b['target']['kind'], b['queue_position']), ('team', 2), b)
        status, _ = theo.post('/chats/%d/accept' % a['id'])
        self.assertEqual(status, 200)
        upd = chris_ev.next('chat.updated', where=lambda d: d['id'] == b['id'])
        self.assertEqual(upd['data']['queue_position'], 1)

    def test_chat_with_the_team_even_when_the_assignee_is_there(self):
        admin = self.login('admin')
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        tina_ev = self.go_online(tina)
        theo_ev = self.go_online(theo)
        rid = self.request_id(carol, 'Printer offline')
        # Without the privilege: refused, nothing started.
        status, body = carol.post('/chats', {'request_id': rid, 'team': True})
        self.assertError((status, body), 409, 'technician_unavailable')
        status, body = carol.post('/chats', {'request_id': rid, 'team': 'yes'})
        self.assertEqual(status, 400, body)
        self.set_privileges(admin, customer_chat_with_team=True)
        status, chat = carol.post('/chats', {'request_id': rid, 'team': True})
        self.assertEqual(status, 201, chat)
        self.assertEqual((chat['target']['kind'], chat['queue_position']), ('team', 1), chat)
        # Offered to the team's available technicians, tina (the assignee) too.
        theo_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        # A request without a team cannot go to a team queue.
        status, bare = carol.post('/requests', {'subject': 'No team here'})
        admin.patch('/requests/%d' % bare['id'], {'assignee_id': tina.id})
        self.assertError(carol.post('/chats', {'request_id': bare['id'], 'team': True}),
                         409, 'technician_unavailable')

    def test_customer_opens_a_request_and_chats_about_it(self):
        tina = self.login('tina')
        admin = self.login('admin')
        carol = self.login('carol')
        status, req = carol.post('/requests', {'subject': 'Cannot print PDFs',
                                               'description': 'Only PDFs; Word documents print.'})
        self.assertEqual(status, 201, req)
        self.assertEqual((req['status'], req['customer']['id'], req['description']),
                         ('open', carol.id, 'Only PDFs; Word documents print.'))
        # Without a description too.
        status, bare = carol.post('/requests', {'subject': 'Second thing'})
        self.assertEqual((status, bare['description']), (201, ''), bare)
        # She may not assign it herself.
        status, body = carol.post('/requests', {'subject': 'x', 'assignee_id': tina.id})
        self.assertEqual(status, 403, body)
        # Nobody assigned yet: no chat possible, but a note is.
        self.assertEqual(req['chat_options']['reason'], 'technician_unavailable')
        status, note = carol.post('/requests/%d/notes' % req['id'], {'body': 'Call me at 4711.'})
        self.assertEqual(status, 201, note)
        # Once staff assign it and tina is there, the chat starts.
        self.go_online(tina)
        status, _ = admin.patch('/requests/%d' % req['id'], {'assignee_id': tina.id})
        self.assertEqual(status, 200)
        status, seen = carol.get('/requests/%d' % req['id'])
        self.assertTrue(seen['chat_options']['can_start'], seen)
        chat = self.open_chat(carol, req['id'])
        self.assertEqual(chat['queue_position'], 1)
        # tina sees the request and carol's note on it.
        status, notes = tina.get('/requests/%d/notes' % req['id'])
        self.assertEqual(status, 200, notes)
        self.assertEqual([n['body'] for n in notes['notes']], ['Call me at 4711.'])


if __name__ == '__main__':
    main()
