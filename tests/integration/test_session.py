#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sessions: health, login, the demo users, /me, DELETE /session, the login
throttle, tokens across a restart."""

from hdcase import DEMO, ServerTestCase, main
from hdtest import Api, error_code


class SessionTest(ServerTestCase):
    smtp = False

    def test_health_needs_no_token(self):
        status, body = Api(self.srv).get('/health', auth=False)
        self.assertEqual(status, 200, body)
        self.assertEqual(body['status'], 'ok')
        self.assertIsInstance(body['version'], str)
        self.assertEqual(body['store'], self.srv.store)

    def test_login_every_demo_user(self):
        expected = {
            'admin': ('Ada Admin', 'admin', 'admin@example.com'),
            'tina': ('Tina Tech', 'technician', 'tina@example.com'),
            'theo': ('Theo Tech', 'technician', 'theo@example.com'),
            'carol': ('Carol Customer', 'customer', 'carol@example.com'),
            'chris': ('Chris Customer', 'customer', 'chris@example.com'),
        }
        tokens = set()
        for login in DEMO:
            api = Api(self.srv)
            status, body = api.post('/session', {'login': login, 'password': 'demo'}, auth=False)
            self.assertEqual(status, 201, body)
            self.assertRegex(body['token'], r'^\S{20,}$')
            tokens.add(body['token'])
            u = body['user']
            self.assertEqual((u['name'], u['role'], u['email']), expected[login])
            self.assertEqual(u['login'], login)
            self.assertIsInstance(u['id'], int)
            # Nobody is available for chat until they say so.
            self.assertIs(u['available_for_chat'], False)
            api.token = body['token']
            status, me = api.get('/me')
            self.assertEqual(status, 200, me)
            self.assertEqual(me['id'], u['id'])
            self.assertEqual(me['login'], login)
        self.assertEqual(len(tokens), len(DEMO))

    def test_bad_logins(self):
        api = Api(self.srv)
        for body in ({'login': 'carol', 'password': 'wrong'},
                     {'login': 'nobody', 'password': 'demo'},
                     {'login': 'carol', 'password': ''},
                     {'login': 'carol', 'password': 'demo '}):
            status, resp = api.post('/session', body, auth=False)
            self.assertEqual((status, error_code(resp)), (401, 'unauthorized'), (body, resp))
            self.assertNotIn('token', resp)
        # Missing fields are a bad request, not a crash.
        status, resp = api.post('/session', {'login': 'carol'}, auth=False)
        self.assertIn(status, (400, 401), resp)
        status, resp = api.post('/session', {'login': 5, 'password': ['demo']}, auth=False)
        self.assertIn(status, (400, 401), resp)

    def test_calls_without_or_with_bad_token(self):
        api = Api(self.srv)
        for method, path in (('GET', '/me'), ('GET', '/requests'), ('GET', '/chats'),
                             ('GET', '/setup/privileges'), ('POST', '/chats'),
                             ('DELETE', '/session')):
            status, body = api.call(method, path, {} if method == 'POST' else None, auth=False)
            self.assertEqual((status, error_code(body)), (401, 'unauthorized'), (method, path, body))
        api.token = 'f' * 64
        status, body = api.get('/me')
        self.assertEqual((status, error_code(body)), (401, 'unauthorized'), body)
        status, body, _ = api.raw('GET', '/api/v1/me', headers={'Authorization': 'Basic Zm9vOmJhcg=='})
        self.assertEqual(status, 401, body)

    def test_delete_session_ends_only_that_token(self):
        a = self.login('tina')
        b = self.login('tina')
        self.assertNotEqual(a.token, b.token)
        status, body = a.delete('/session')
        self.assertEqual(status, 204, body)
        self.assertIsNone(body)
        status, body = a.get('/me')
        self.assertEqual((status, error_code(body)), (401, 'unauthorized'))
        # The other session of the same user is still good.
        status, body = b.get('/me')
        self.assertEqual(status, 200, body)
        # An ended token cannot open the event socket either.
        with self.assertRaises(Exception):
            self.events(a)

    def test_patch_me_availability(self):
        tina = self.login('tina')
        status, user = tina.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200, user)
        self.assertIs(user['available_for_chat'], True)
        status, me = tina.get('/me')
        self.assertIs(me['available_for_chat'], True)
        # Bad values change nothing.
        for bad in ({'available_for_chat': 'yes'}, {'available_for_chat': None}, []):
            status, body = tina.patch('/me', bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        status, me = tina.get('/me')
        self.assertIs(me['available_for_chat'], True)
        # Customers have no availability.
        carol = self.login('carol')
        self.assertError(carol.patch('/me', {'available_for_chat': True}), 403, 'forbidden')

    def test_login_throttle(self):
        api = Api(self.srv)
        for i in range(10):
            status, body = api.post('/session', {'login': 'chris', 'password': 'bad%d' % i}, auth=False)
            self.assertEqual((status, error_code(body)), (401, 'unauthorized'), (i, body))
        status, body = api.post('/session', {'login': 'chris', 'password': 'bad'}, auth=False)
        self.assertError((status, body), 429, 'too_many_requests')
        # While throttled, even the right password is refused.
        status, body = api.post('/session', {'login': 'chris', 'password': 'demo'}, auth=False)
        self.assertError((status, body), 429, 'too_many_requests')
        # Another login is not affected.
        status, body = api.post('/session', {'login': 'carol', 'password': 'demo'}, auth=False)
        self.assertEqual(status, 201, body)

    def test_token_survives_restart(self):
        carol = self.login('carol')
        tina = self.login('tina')
        tina.delete('/session')
        self.assertEqual(self.srv.stop(), 0)
        self.srv.start()
        status, me = carol.get('/me')
        self.assertEqual(status, 200, me)
        self.assertEqual(me['login'], 'carol')
        # An ended token stays ended.
        status, body = tina.get('/me')
        self.assertEqual(status, 401, body)
        # The seed does not run twice on a non-empty database.
        admin = self.login('admin')
        status, body = admin.get('/requests')
        self.assertEqual(status, 200, body)
        self.assertEqual(sorted(r['subject'] for r in body['requests']),
                         ['New laptop', 'Printer offline', 'VPN drops every hour'])

    def test_seed_requests(self):
        admin = self.login('admin')
        status, body = admin.get('/requests')
        self.assertEqual(status, 200, body)
        by_subject = {r['subject']: r for r in body['requests']}
        self.assertEqual(len(by_subject), 3)
        r1 = by_subject['Printer offline']
        self.assertEqual((r1['status'], r1['customer']['name'], r1['assignee']['name'],
                          r1['team']['name']),
                         ('open', 'Carol Customer', 'Tina Tech', 'Service Desk'))
        r2 = by_subject['VPN drops every hour']
        self.assertEqual((r2['status'], r2['customer']['name'], r2['assignee']['name']),
                         ('open', 'Chris Customer', 'Theo Tech'))
        r3 = by_subject['New laptop']
        self.assertEqual((r3['status'], r3['customer']['name'], r3['assignee']['name']),
                         ('closed', 'Carol Customer', 'Tina Tech'))
        for r in body['requests']:
            self.assertIsNone(r['active_chat'])
        status, privs = admin.get('/setup/privileges')
        self.assertEqual(privs, {'chat_enabled': True, 'customer_chat_with_team': False,
                                 'max_chats_per_technician': 0, 'waiting_timeout_s': 300, 'inactivity_timeout_s': 0})

        # A customer sees her own requests only, and not other people's
        # login or email.
        carol = self.login('carol')
        status, body = carol.get('/requests')
        self.assertEqual(status, 200, body)
        self.assertEqual(sorted(r['subject'] for r in body['requests']),
                         ['New laptop', 'Printer offline'])
        for r in body['requests']:
            self.assertNotIn('email', r['assignee'])
            self.assertNotIn('login', r['assignee'])
            self.assertIn('chat_options', r)

        # Technicians: assigned or team requests.
        theo = self.login('theo')
        status, body = theo.get('/requests')
        subjects = {r['subject'] for r in body['requests']}
        self.assertIn('VPN drops every hour', subjects)
        self.assertIn('Printer offline', subjects)   # team Service Desk

        status, teams = theo.get('/teams')
        self.assertEqual(status, 200, teams)
        desk = [t for t in teams['teams'] if t['name'] == 'Service Desk']
        self.assertEqual(len(desk), 1)
        self.assertEqual(sorted(m['login'] for m in desk[0]['members']),
                         ['admin', 'theo', 'tina'])
        self.assertError(carol.get('/teams'), 403, 'forbidden')
        self.assertError(carol.get('/users'), 403, 'forbidden')
        status, users = theo.get('/users?role=customer')
        self.assertEqual(status, 200, users)
        self.assertEqual(sorted(u['login'] for u in users['users']), ['carol', 'chris'])

    def test_admin_creates_users_and_teams(self):
        admin = self.login('admin')
        status, team = admin.post('/teams', {'name': 'Field', 'member_ids': []})
        self.assertEqual(status, 201, team)
        status, u = admin.post('/users', {'login': 'stan', 'name': 'Stan Stranger',
                                          'email': 'stan@example.com', 'role': 'technician',
                                          'password': 'longenough', 'team_id': team['id']})
        self.assertEqual(status, 201, u)
        self.assertEqual((u['login'], u['role']), ('stan', 'technician'))
        self.login('stan', 'longenough')
        # Taken login, short password, bad role.
        self.assertError(admin.post('/users', {'login': 'stan', 'name': 'X', 'email': 'x@example.com',
                                               'role': 'customer', 'password': 'longenough'}),
                         409, 'conflict')
        self.assertError(admin.post('/users', {'login': 'sam', 'name': 'X', 'email': 'x@example.com',
                                               'role': 'customer', 'password': 'short'}),
                         400, 'bad_request')
        self.assertError(admin.post('/users', {'login': 'sam', 'name': 'X', 'email': 'x@example.com',
                                               'role': 'wizard', 'password': 'longenough'}),
                         400, 'bad_request')
        # Only an admin.
        tina = self.login('tina')
        self.assertError(tina.post('/users', {'login': 'sam', 'name': 'X', 'email': 'x@example.com',
                                              'role': 'customer', 'password': 'longenough'}),
                         403, 'forbidden')
        self.assertError(tina.post('/teams', {'name': 'T', 'member_ids': []}), 403, 'forbidden')


if __name__ == '__main__':
    main()
