#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authorization: a stranger customer (chris) and a stranger technician (a
new one outside the request's team) get 404 for every call on carol's
request and chat, and see none of its events."""

from hdcase import ServerTestCase, main, new_client_id
from hdtest import error_code


class AuthzTest(ServerTestCase):
    smtp = False

    def setUp(self):
        super().setUp()
        admin = self.login('admin')
        status, team = admin.post('/teams', {'name': 'Elsewhere', 'member_ids': []})
        self.assertEqual(status, 201, team)
        status, stan = admin.post('/users', {'login': 'stan', 'name': 'Stan Stranger',
                                             'email': 'stan@example.com', 'role': 'technician',
                                             'password': 'stranger-pw', 'team_id': team['id']})
        self.assertEqual(status, 201, stan)
        self.admin = admin

    def strangers(self):
        return [('chris', self.login('chris')), ('stan', self.login('stan', 'stranger-pw'))]

    def test_every_call_is_404(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid, rid = chat['id'], chat['request_id']
        self.post_message(carol, cid, 'private words')

        calls = [
            ('GET', '/requests/%d' % rid, None),
            ('GET', '/requests/%d/notes' % rid, None),
            ('GET', '/chats/%d' % cid, None),
            ('GET', '/chats/%d/messages' % cid, None),
            ('GET', '/chats/%d/messages?after=0&limit=10' % cid, None),
            ('POST', '/chats/%d/messages' % cid, {'body': 'intruder', 'client_id': new_client_id()}),
            ('POST', '/chats/%d/email' % cid, {}),
            ('POST', '/chats/%d/end' % cid, {}),
            ('POST', '/chats/%d/accept' % cid, {}),
        ]
        staff_calls = [
            ('PATCH', '/requests/%d' % rid, {'status': 'closed'}),
        ]
        customer_calls = [
            ('POST', '/chats', {'request_id': rid}),
        ]
        for name, api in self.strangers():
            mine = calls + (staff_calls if name == 'stan' else customer_calls)
            for method, path, body in mine:
                status, resp = api.call(method, path, body)
                self.assertEqual((status, error_code(resp)), (404, 'not_found'),
                                 (name, method, path, resp))
            # Lists leave the object out.
            status, lst = api.get('/requests')
            self.assertNotIn(rid, [r['id'] for r in lst['requests']], name)
            status, lst = api.get('/chats')
            self.assertNotIn(cid, [c['id'] for c in lst['chats']], name)
            if name == 'stan':
                status, q = api.get('/chats/queue')
                self.assertEqual(q['chats'], [])

        # Nothing changed.
        status, one = carol.get('/chats/%d' % cid)
        self.assertEqual(one['state'], 'active')
        body = self.messages(carol, cid)
        self.assertEqual([m['body'] for m in body['messages']], ['private words'])
        status, req = carol.get('/requests/%d' % rid)
        self.assertEqual(req['status'], 'open')

    def test_nonexistent_ids_are_404(self):
        carol = self.login('carol')
        for method, path in (('GET', '/requests/99999'), ('GET', '/chats/99999'),
                             ('GET', '/chats/99999/messages'), ('POST', '/chats/99999/end'),
                             ('GET', '/requests/99999/notes')):
            status, resp = carol.call(method, path, {} if method == 'POST' else None)
            self.assertEqual((status, error_code(resp)), (404, 'not_found'), (path, resp))
        status, resp = carol.post('/chats', {'request_id': 99999})
        self.assertEqual((status, error_code(resp)), (404, 'not_found'), resp)

    def test_socket_of_a_stranger(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        for name, api in self.strangers():
            ev = self.events(api)
            ev.send('chat.send', {'chat_id': cid, 'body': 'intruder', 'client_id': new_client_id()})
            err = ev.next('error')['data']
            self.assertEqual(err['code'], 'not_found', (name, err))
            ev.send('chat.typing', {'chat_id': cid})
            # Carol's chat goes on without the stranger seeing it.
            self.post_message(carol, cid, 'for tina only (%s)' % name)
            tina_ev.next('chat.message')
            ev.assert_none('chat.message', 0.3)
            ev.assert_none('note.updated', 0.01)
        tina_ev.assert_none('chat.typing', 0.3)
        body = self.messages(carol, cid)
        self.assertNotIn('intruder', [m['body'] for m in body['messages']])

    def test_customer_sees_no_other_customer(self):
        chris = self.login('chris')
        status, lst = chris.get('/requests')
        self.assertEqual([r['subject'] for r in lst['requests']], ['VPN drops every hour'])
        status, notes = chris.get('/requests/%d/notes' % lst['requests'][0]['id'])
        self.assertEqual(status, 200, notes)
        self.assertError(chris.get('/users'), 403, 'forbidden')


if __name__ == '__main__':
    main()
