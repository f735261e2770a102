#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests and what customers may see of other people: creating and
assigning requests, a customer's view of technicians (no login, no email),
chat lists newest first, ending twice."""

from hdcase import ServerTestCase, main


class RequestsTest(ServerTestCase):
    smtp = False

    def assertPrivate(self, user):
        """A user object as a customer sees another person."""
        self.assertNotIn('email', user)
        self.assertNotIn('login', user)
        self.assertIn('name', user)

    def test_customer_creates_staff_assigns(self):
        carol = self.login('carol')
        tina = self.login('tina')
        admin = self.login('admin')
        status, req = carol.post('/requests', {'subject': 'Mouse broken', 'description': 'It squeaks'})
        self.assertEqual(status, 201, req)
        self.assertEqual((req['status'], req['customer']['id'], req['assignee'], req['subject']),
                         ('open', carol.id, None, 'Mouse broken'))
        self.assertEqual(req['chat_options']['reason'], 'technician_unavailable')
        # Blank subject: refused, nothing created.
        status, body = carol.post('/requests', {'subject': '   '})
        self.assertEqual(status, 400, body)
        status, lst = carol.get('/requests')
        self.assertEqual(len(lst['requests']), 3)

        # Not visible to tina until assigned (no assignee, no team); visible to the admin.
        self.assertError(tina.get('/requests/%d' % req['id']), 404, 'not_found')
        status, patched = admin.patch('/requests/%d' % req['id'], {'assignee_id': tina.id})
        self.assertEqual(status, 200, patched)
        self.assertEqual(patched['assignee']['id'], tina.id)
        status, seen = tina.get('/requests/%d' % req['id'])
        self.assertEqual(status, 200, seen)
        # The customer may not change her request.
        self.assertError(carol.patch('/requests/%d' % req['id'], {'status': 'closed'}), 403, 'forbidden')
        # Staff close it: the customer can no longer chat about it.
        self.go_online(tina)
        status, closed = tina.patch('/requests/%d' % req['id'], {'status': 'closed'})
        self.assertEqual((status, closed['status']), (200, 'closed'))
        self.assertError(carol.post('/chats', {'request_id': req['id']}), 409, 'request_closed')
        status, body = tina.patch('/requests/%d' % req['id'], {'status': 'pending'})
        self.assertEqual(status, 400, body)

        # Staff create a request for a customer.
        status, made = tina.post('/requests', {'subject': 'Toner', 'customer_id': carol.id,
                                               'assignee_id': tina.id})
        self.assertEqual(status, 201, made)
        self.assertEqual((made['customer']['id'], made['assignee']['id']), (carol.id, tina.id))
        status, body = tina.post('/requests', {'subject': 'Toner', 'customer_id': tina.id})
        self.assertEqual(status, 400, body)

    def test_customer_sees_people_without_login_or_email(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(tina, chat['id'], 'hello')
        ev = carol_ev.next('chat.message')['data']
        self.assertPrivate(ev['author'])
        status, one = carol.get('/chats/%d' % chat['id'])
        self.assertPrivate(one['technician'])
        status, req = carol.get('/requests/%d' % chat['request_id'])
        self.assertPrivate(req['assignee'])
        for t in req['chat_options']['technicians']:
            self.assertPrivate(t)
        msgs = self.messages(carol, chat['id'])['messages']
        self.assertPrivate(msgs[0]['author'])
        # Her own user object is complete; staff see everything.
        status, me = carol.get('/me')
        self.assertEqual(me['email'], 'carol@example.com')
        status, one = tina.get('/chats/%d' % chat['id'])
        self.assertEqual(one['customer']['email'], 'carol@example.com')

    def test_chat_list_newest_first_and_end_twice(self):
        tina = self.login('tina')
        carol = self.login('carol')
        self.go_online(tina)
        rid = self.request_id(carol, 'Printer offline')
        ids = []
        for _ in range(3):
            chat = self.open_chat(carol, rid)
            ids.append(chat['id'])
            status, ended = carol.post('/chats/%d/end' % chat['id'])
            self.assertEqual(status, 200, ended)
        self.assertError(carol.post('/chats/%d/end' % ids[0]), 409, 'chat_ended')
        status, lst = carol.get('/chats')
        self.assertEqual([c['id'] for c in lst['chats']], list(reversed(ids)))
        status, lst = carol.get('/chats?state=ended')
        self.assertEqual([c['id'] for c in lst['chats']], list(reversed(ids)))
        status, body = carol.get('/chats?state=bogus')
        self.assertEqual(status, 400, body)

    def test_waiting_chat_visible_to_who_may_accept(self):
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        self.go_online(tina)
        chat = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        status, one = tina.get('/chats/%d' % chat['id'])
        self.assertEqual((status, one['state']), (200, 'waiting'))
        # Theo was not offered it.
        self.assertError(theo.get('/chats/%d' % chat['id']), 404, 'not_found')


if __name__ == '__main__':
    main()
