#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input that is never silently changed, and limits that hold under
concurrency (issue #9): U+0000 in any JSON string is refused with 400
bad_request (REST bodies and WebSocket frames alike, one helper), the login
throttle counts concurrent attempts before the password check, and at most
5 transcript mails per chat in an hour."""

import json
import threading

from hdcase import ServerTestCase, main, new_client_id
from hdtest import Api, error_code


class NulTest(ServerTestCase):
    smtp = False

    def raw_post(self, api, path, text, auth=True):
        status, body, _ = api.raw('POST', path, text.encode('utf-8'),
                                  {'Content-Type': 'application/json'}, auth=auth)
        return status, body

    def test_login_with_nul_is_refused(self):
        anon = Api(self.srv)
        # Cut at U+0000 this would be tina's login.
        status, body = anon.post('/session', {'login': 'tina\u0000x', 'password': 'demo'},
                                 auth=False)
        self.assertError((status, body), 400, 'bad_request')
        status, body = anon.post('/session', {'login': 'tina', 'password': 'demo\u0000'},
                                 auth=False)
        self.assertError((status, body), 400, 'bad_request')
        # Upper-case hex is the same character.
        status, body = self.raw_post(anon, '/session',
                                     '{"login":"tina\\u0000","password":"demo"}', auth=False)
        self.assertError((status, body), 400, 'bad_request')

    def test_nul_in_user_fields(self):
        admin = self.login('admin')
        base = {'login': 'nul-user', 'name': 'Nul User', 'email': 'nul@example.com',
                'role': 'customer', 'password': 'long enough password'}
        for field, value in (('email', 'x@x\u0000@evil.example'), ('name', 'a\u0000b'),
                             ('login', 'nul\u0000user')):
            body = dict(base)
            body[field] = value
            self.assertError(admin.post('/users', body), 400, 'bad_request')
        status, users = admin.get('/users')
        self.assertEqual(status, 200)
        self.assertNotIn('nul-user', [u.get('login') for u in users['users']])
        self.assertNotIn('nul', [u.get('login') for u in users['users']])

    def test_nul_in_subject_member_name_and_message(self):
        carol = self.login('carol')
        self.assertError(carol.post('/requests', {'subject': 'Printer\u0000 on fire'}),
                         400, 'bad_request')
        # A member name counts too.
        tina = self.login('tina')
        self.assertError(tina.patch('/me', {'available_for_chat': True, 'x\u0000': 1}),
                         400, 'bad_request')
        # A raw NUL byte is not JSON either.
        status, body = self.raw_post(carol, '/requests', '{"subject":"a\x00b"}')
        self.assertError((status, body), 400, 'bad_request')

    def test_escaped_backslash_is_text_not_nul(self):
        carol = self.login('carol')
        status, req = carol.post('/requests', {'subject': 'a \\u0000 b'})
        self.assertEqual(status, 201, req)
        self.assertEqual(req['subject'], 'a \\u0000 b')

    def test_nul_in_messages_rest_and_frames(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        path = '/chats/%d/messages' % cid
        self.assertError(carol.post(path, {'body': 'a\u0000b', 'client_id': new_client_id()}),
                         400, 'bad_request')
        self.assertError(carol.post(path, {'body': 'hello', 'client_id': '\u0000'}),
                         400, 'bad_request')
        # The same rule on the WebSocket.
        carol_ev.send('chat.send', {'chat_id': cid, 'body': 'a\u0000b', 'client_id': new_client_id()})
        err = carol_ev.next('error')
        self.assertEqual(err['data']['code'], 'bad_request', err)
        carol_ev.send('chat.send', {'chat_id': cid, 'body': 'hello', 'client_id': '\u0000'})
        err = carol_ev.next('error')
        self.assertEqual(err['data']['code'], 'bad_request', err)
        carol_ev.send_raw('{"type":"chat.send","data":{"chat_id":%d,"body":"x","client_id":"%s"},'
                          '"\\u0000":1}' % (cid, new_client_id()))
        err = carol_ev.next('error')
        self.assertEqual(err['data']['code'], 'bad_request', err)
        # Nothing was stored; the socket is still open and works.
        self.assertEqual(self.messages(carol, cid)['messages'], [])
        carol_ev.send('chat.send', {'chat_id': cid, 'body': 'hello', 'client_id': new_client_id()})
        msg = tina_ev.next('chat.message')
        self.assertEqual(msg['data']['body'], 'hello')


class ThrottleTest(ServerTestCase):
    smtp = False

    def test_concurrent_wrong_passwords_count_before_the_check(self):
        results = []
        lock = threading.Lock()
        start = threading.Barrier(60)

        def attempt():
            api = Api(self.srv, timeout=60)
            start.wait()
            status, body = api.post('/session', {'login': 'carol', 'password': 'wrong'},
                                    auth=False)
            with lock:
                results.append((status, error_code(body)))

        threads = [threading.Thread(target=attempt) for _ in range(60)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(len(results), 60)
        n401 = sum(1 for r in results if r == (401, 'unauthorized'))
        n429 = sum(1 for r in results if r == (429, 'too_many_requests'))
        # Across servers (suite cluster2) too: they count in the database.
        self.assertLessEqual(n401, 10, results)
        self.assertEqual(n401 + n429, 60, results)
        # The right password is refused too until the window passes.
        status, body = Api(self.srv).post('/session', {'login': 'carol', 'password': 'demo'},
                                          auth=False)
        self.assertError((status, body), 429, 'too_many_requests')
        # Another login is not affected.
        self.login('chris')


class MailLimitTest(ServerTestCase):

    def test_five_transcript_mails_per_chat_then_429(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        self.post_message(carol, cid, 'hi')
        for i in range(5):
            status, body = (tina if i % 2 else carol).post('/chats/%d/email' % cid)
            self.assertEqual(status, 202, body)
        self.sink.wait_for(5)
        self.assertError(tina.post('/chats/%d/email' % cid), 429, 'too_many_requests')
        # Also after the chat ended.
        status, body = tina.post('/chats/%d/end' % cid)
        self.assertEqual(status, 200, body)
        self.assertError(carol.post('/chats/%d/email' % cid), 429, 'too_many_requests')
        self.assertEqual(len(self.sink.messages), 5)

    def test_failed_mail_does_not_count(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        self.sink.refuse.add('carol@example.com')
        for _ in range(6):
            self.assertError(tina.post('/chats/%d/email' % cid), 502, 'mail_failed')
        self.sink.refuse.clear()
        status, body = tina.post('/chats/%d/email' % cid)
        self.assertEqual(status, 202, body)

    def test_limit_is_per_chat(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        for _ in range(5):
            self.assertEqual(tina.post('/chats/%d/email' % cid)[0], 202)
        self.assertError(tina.post('/chats/%d/email' % cid), 429, 'too_many_requests')
        tina.post('/chats/%d/end' % cid)
        # The next chat on the same request gets its own five.
        chat2 = self.open_chat(carol, chat['request_id'])
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat2['id'])
        self.assertEqual(tina.post('/chats/%d/accept' % chat2['id'])[0], 200)
        status, body = tina.post('/chats/%d/email' % chat2['id'])
        self.assertEqual(status, 202, body)


if __name__ == '__main__':
    main()
