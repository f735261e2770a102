#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Technicians": canned responses with personal, team and
global scopes; who sees, creates, changes and deletes which; shortcuts."""

from hdcase import ServerTestCase, main
from hdtest import error_code


class TechCannedTest(ServerTestCase):
    smtp = False

    def setUp(self):
        super().setUp()
        self.admin = self.login('admin')
        self.tina = self.login('tina')
        self.theo = self.login('theo')
        self.carol = self.login('carol')
        status, teams = self.admin.get('/teams')
        self.team_id = teams['teams'][0]['id']

    def listed(self, api):
        status, body = api.get('/canned-responses')
        self.assertEqual(status, 200, body)
        return body['canned_responses']

    def create(self, api, **kw):
        body = {'shortcut': 'hello', 'title': 'Greeting', 'body': 'Hello, how can I help?',
                'scope': 'personal'}
        body.update(kw)
        status, c = api.post('/canned-responses', body)
        self.assertEqual(status, 201, c)
        return c

    def test_scopes(self):
        tina, theo, admin = self.tina, self.theo, self.admin
        self.assertEqual(self.listed(tina), [])

        mine = self.create(tina)
        self.assertEqual({k: mine[k] for k in ('shortcut', 'title', 'body', 'scope', 'team_id')},
                         {'shortcut': 'hello', 'title': 'Greeting', 'body': 'Hello, how can I help?',
                          'scope': 'personal', 'team_id': None})
        self.assertIsInstance(mine['id'], int)
        self.assertEqual([c['id'] for c in self.listed(tina)], [mine['id']])
        self.assertEqual(self.listed(theo), [])

        # Team and global: admin only.
        self.assertError(tina.post('/canned-responses', {'shortcut': 'x', 'title': 'X', 'body': 'x',
                                                         'scope': 'team', 'team_id': self.team_id}),
                         403, 'forbidden')
        self.assertError(tina.post('/canned-responses', {'shortcut': 'x', 'title': 'X', 'body': 'x',
                                                         'scope': 'global'}), 403, 'forbidden')
        team = self.create(admin, shortcut='vpn', title='VPN reset', body='Please restart the VPN client.',
                           scope='team', team_id=self.team_id)
        self.assertEqual((team['scope'], team['team_id']), ('team', self.team_id))
        glob = self.create(admin, shortcut='bye', title='Goodbye', body='Have a nice day!', scope='global')
        self.assertEqual((glob['scope'], glob['team_id']), ('global', None))
        # A team nobody of whom is tina: she does not see its responses.
        status, other = admin.post('/teams', {'name': 'Field', 'member_ids': [theo.id]})
        self.assertEqual(status, 201, other)
        field = self.create(admin, shortcut='visit', title='Visit', body='We come by.', scope='team',
                            team_id=other['id'])

        self.assertEqual(sorted(c['id'] for c in self.listed(tina)),
                         sorted([mine['id'], team['id'], glob['id']]))
        self.assertEqual(sorted(c['id'] for c in self.listed(theo)),
                         sorted([team['id'], glob['id'], field['id']]))

        # Customers: 403 for everything.
        carol = self.carol
        self.assertError(carol.get('/canned-responses'), 403, 'forbidden')
        self.assertError(carol.post('/canned-responses', {'shortcut': 'x', 'title': 'X', 'body': 'x',
                                                          'scope': 'personal'}), 403, 'forbidden')
        self.assertError(carol.delete('/canned-responses/%d' % glob['id']), 403, 'forbidden')

    def test_shortcuts(self):
        tina, theo, admin = self.tina, self.theo, self.admin
        self.create(tina, shortcut='hello')
        # Unique within its scope: the same owner again is a conflict ...
        self.assertError(tina.post('/canned-responses', {'shortcut': 'hello', 'title': 'T', 'body': 'b',
                                                         'scope': 'personal'}), 409, 'conflict')
        # ... another person's personal one or another scope is not.
        self.create(theo, shortcut='hello')
        self.create(admin, shortcut='hello', scope='global')
        self.create(admin, shortcut='hello', scope='team', team_id=self.team_id)
        self.assertError(admin.post('/canned-responses', {'shortcut': 'hello', 'title': 'T', 'body': 'b',
                                                          'scope': 'global'}), 409, 'conflict')

        ok = 'a' * 32
        self.create(tina, shortcut=ok)
        self.create(tina, shortcut='reset-vpn_2')
        for bad in ('', 'a' * 33, 'Hello', 'two words', 'caf\u00e9', 'semi;colon', '/hello', None, 7):
            status, body = tina.post('/canned-responses', {'shortcut': bad, 'title': 'T', 'body': 'b',
                                                           'scope': 'personal'})
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
            self.assertTrue(body['error']['message'])
        for bad in ({'title': ''}, {'title': '   '}, {'body': ''}, {'body': 'x' * 4001},
                    {'scope': 'everyone'}, {'scope': 'team'}, {'scope': 'team', 'team_id': 9999},
                    {'scope': 'personal', 'team_id': self.team_id}):
            body = {'shortcut': 'fresh', 'title': 'T', 'body': 'b', 'scope': 'personal'}
            body.update(bad)
            status, res = admin.post('/canned-responses', body)
            self.assertEqual((status, error_code(res)), (400, 'bad_request'), (bad, res))
        # None of the refused ones was stored.
        self.assertNotIn('fresh', [c['shortcut'] for c in self.listed(admin)])

    def test_patch_and_delete(self):
        tina, theo, admin = self.tina, self.theo, self.admin
        mine = self.create(tina, shortcut='hello')
        other = self.create(tina, shortcut='thanks', title='Thanks', body='Thank you!')
        glob = self.create(admin, shortcut='bye', scope='global', title='Bye', body='Bye!')
        url = '/canned-responses/%d' % mine['id']

        status, changed = tina.patch(url, {'title': 'Hi', 'body': 'Hi there <b>friend</b>'})
        self.assertEqual(status, 200, changed)
        self.assertEqual((changed['shortcut'], changed['title'], changed['body']),
                         ('hello', 'Hi', 'Hi there <b>friend</b>'))
        status, changed = tina.patch(url, {'shortcut': 'hi'})
        self.assertEqual((status, changed['shortcut']), (200, 'hi'), changed)
        # Taking a shortcut already used in the scope: conflict, no change.
        self.assertError(tina.patch(url, {'shortcut': 'thanks'}), 409, 'conflict')
        self.assertError(tina.patch(url, {'shortcut': 'Bad!'}), 400, 'bad_request')
        self.assertError(tina.patch(url, {'title': ''}), 400, 'bad_request')
        mine_now = [c for c in self.listed(tina) if c['id'] == mine['id']][0]
        self.assertEqual((mine_now['shortcut'], mine_now['title']), ('hi', 'Hi'))

        # Not the owner: another technician does not even see it; a global
        # one is seen but not theirs.
        self.assertError(theo.patch(url, {'title': 'mine now'}), 404, 'not_found')
        self.assertError(theo.delete(url), 404, 'not_found')
        self.assertError(tina.patch('/canned-responses/%d' % glob['id'], {'title': 'x'}), 403, 'forbidden')
        self.assertError(tina.delete('/canned-responses/%d' % glob['id']), 403, 'forbidden')
        # An admin may change and delete anyone's.
        status, changed = admin.patch('/canned-responses/%d' % other['id'], {'body': 'Many thanks!'})
        self.assertEqual((status, changed['body']), (200, 'Many thanks!'), changed)

        status, body = tina.delete(url)
        self.assertEqual(status, 204, body)
        self.assertNotIn(mine['id'], [c['id'] for c in self.listed(tina)])
        self.assertError(tina.delete(url), 404, 'not_found')
        self.assertError(tina.patch(url, {'title': 'x'}), 404, 'not_found')
        status, body = admin.delete('/canned-responses/%d' % glob['id'])
        self.assertEqual(status, 204, body)
        self.assertEqual([c['id'] for c in self.listed(tina)], [other['id']])
        self.assertError(tina.get('/canned-responses/abc'), 404, 'not_found')


if __name__ == '__main__':
    main()
