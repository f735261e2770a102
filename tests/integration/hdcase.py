# SPDX-License-Identifier: GPL-3.0-or-later
"""A unittest base for the integration suite: every test gets its own
helpdesk-server (seeded demo database in a fresh directory) and its own SMTP
sink, and the steps of the seed's story as helpers."""

import sys
import unittest
import uuid

from hdtest import Api, Events, Server, SmtpSink, error_code

DEMO = ('admin', 'tina', 'theo', 'carol', 'chris')


def one_server(why):
    """Keeps one test on one server when the suite runs across two
    (HD_TEST_SERVERS=2, suite cluster2): for a test that looks at one
    process on purpose.  why says what it looks at."""
    assert why

    def mark(test):
        test.hd_one_server = why
        return test
    return mark


class ServerTestCase(unittest.TestCase):
    smtp = True
    # More command-line arguments for the test's server.
    server_args = ()
    # A reason string keeps every test of the class on one server (see
    # one_server); None lets them spread over two in the cluster2 suite.
    one_server = None

    def setUp(self):
        self._events = []
        self.srv = None
        self.sink = None
        self.addCleanup(self._cleanup)
        self.sink = SmtpSink() if self.smtp else None
        method = getattr(self, self._testMethodName, None)
        pinned = self.one_server or getattr(method, 'hd_one_server', None)
        self.srv = Server(smtp_url=self.sink.url if self.sink else None,
                          servers=1 if pinned else None, extra_args=self.server_args)

    def _cleanup(self):
        for ev in self._events:
            ev.close(settle=False)
        failed = self._failed()
        if self.srv is not None:
            if failed:
                sys.stderr.write('\n--- helpdesk-server stderr ---\n%s\n'
                                 % self.srv.log_all()[-9000:])
            self.srv.close()
        if self.sink:
            self.sink.stop()

    def _failed(self):
        """Whether this test has failed so far (Python 3.11 reports a
        failure to the result at once and leaves _outcome.success True)."""
        outcome = getattr(self, '_outcome', None)
        if outcome is None:
            return False
        if not outcome.success:
            return True
        result = getattr(outcome, 'result', None)
        return any(test is self for test, _ in
                   getattr(result, 'errors', []) + getattr(result, 'failures', []))

    # --- people -----------------------------------------------------------

    def login(self, name, password='demo'):
        return Api(self.srv).login(name, password)

    def events(self, api, hello=True):
        ev = Events(self.srv, api.token)
        self._events.append(ev)
        if hello:
            h = ev.next('hello')
            self.assertEqual(h['data']['user']['id'], api.id)
        return ev

    def subscribe(self, ev, request_id, unsubscribe=False):
        """Sends subscribe (or unsubscribe) for the request and waits for the
        server's acknowledgement; returns its data."""
        kind = 'unsubscribe' if unsubscribe else 'subscribe'
        ev.send(kind, {'request_id': request_id})
        return ev.next(kind + 'd', where=lambda d: d['request_id'] == request_id)['data']

    def go_online(self, api, available=True):
        """Opens the technician's socket (logged in) and sets availability."""
        ev = self.events(api)
        status, user = api.patch('/me', {'available_for_chat': available})
        self.assertEqual(status, 200, user)
        self.assertIs(user['available_for_chat'], available)
        return ev

    def user_id(self, api_admin, login):
        status, body = api_admin.get('/users')
        self.assertEqual(status, 200, body)
        for u in body['users']:
            if u.get('login') == login:
                return u['id']
        raise AssertionError('no user %s' % login)

    def request_id(self, api, subject):
        status, body = api.get('/requests')
        self.assertEqual(status, 200, body)
        for r in body['requests']:
            if r['subject'] == subject:
                return r['id']
        raise AssertionError('no request %r for %s' % (subject, api.user['login']))

    def set_privileges(self, admin, **kw):
        status, body = admin.patch('/setup/privileges', kw)
        self.assertEqual(status, 200, body)
        for k, v in kw.items():
            self.assertIs(body[k], v)
        return body

    # --- the chat ---------------------------------------------------------

    def open_chat(self, customer, request_id, technician_id=None):
        body = {'request_id': request_id}
        if technician_id is not None:
            body['technician_id'] = technician_id
        status, chat = customer.post('/chats', body)
        self.assertEqual(status, 201, chat)
        self.assertEqual(chat['state'], 'waiting')
        return chat

    def accepted_chat(self):
        """tina online and available, carol opens a chat on "Printer
        offline", tina accepts.  Returns (tina, tina_ev, carol, carol_ev, chat)."""
        tina = self.login('tina')
        carol = self.login('carol')
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)
        rid = self.request_id(carol, 'Printer offline')
        chat = self.open_chat(carol, rid)
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        self.assertEqual(chat['state'], 'active')
        carol_ev.next('chat.accepted', where=lambda d: d['id'] == chat['id'])
        return tina, tina_ev, carol, carol_ev, chat

    def post_message(self, api, chat_id, body, client_id=None):
        status, msg = api.post('/chats/%d/messages' % chat_id,
                               {'body': body, 'client_id': client_id or new_client_id()})
        self.assertEqual(status, 201, msg)
        return msg

    def messages(self, api, chat_id, after=None, limit=None):
        q = []
        if after is not None:
            q.append('after=%d' % after)
        if limit is not None:
            q.append('limit=%d' % limit)
        path = '/chats/%d/messages' % chat_id + ('?' + '&'.join(q) if q else '')
        status, body = api.get(path)
        self.assertEqual(status, 200, body)
        return body

    def transcript_note(self, api, request_id, chat_id):
        status, body = api.get('/requests/%d/notes' % request_id)
        self.assertEqual(status, 200, body)
        notes = [n for n in body['notes']
                 if n['kind'] == 'chat_transcript' and n['chat_id'] == chat_id]
        self.assertEqual(len(notes), 1, body)
        return notes[0]

    def assertError(self, result, status, code):
        got_status, body = result[0], result[1]
        self.assertEqual((got_status, error_code(body)), (status, code), body)
        self.assertIsInstance(body['error'].get('message'), str)
        self.assertTrue(body['error']['message'])


def new_client_id():
    return str(uuid.uuid4())


def main():
    unittest.main(verbosity=2, buffer=False)


if __name__ == '__main__':
    main()
