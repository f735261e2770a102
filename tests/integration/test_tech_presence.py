#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Technicians": away (PATCH /me {"away"}), the three new
privileges and the technician_busy limit."""

from hdcase import ServerTestCase, main
from hdtest import error_code

DEFAULTS = {'max_chats_per_technician': 0, 'waiting_timeout_s': 300,
            'inactivity_timeout_s': 0}


class TechPresenceTest(ServerTestCase):
    smtp = False

    def chat_options(self, customer, rid):
        status, req = customer.get('/requests/%d' % rid)
        self.assertEqual(status, 200, req)
        return req['chat_options']

    def test_away(self):
        tina = self.login('tina')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')
        carol_ev = self.events(carol)
        status, me = tina.get('/me')
        self.assertEqual(status, 200, me)
        self.assertIs(me['away'], False)

        tina_ev = self.go_online(tina)
        self.assertIs(self.chat_options(carol, rid)['can_start'], True)
        carol_ev.collect(0.3)

        # Away: still available as chosen, but not offered.
        status, me = tina.patch('/me', {'away': True})
        self.assertEqual(status, 200, me)
        self.assertIs(me['away'], True)
        self.assertIs(me['available_for_chat'], True)
        ev = carol_ev.next('presence.changed', where=lambda d: d['id'] == tina.id)
        self.assertIs(ev['data']['away'], True)
        self.assertIs(ev['data']['available_for_chat'], True)
        tina_ev.next('presence.changed', where=lambda d: d['id'] == tina.id and d['away'])
        opts = self.chat_options(carol, rid)
        self.assertEqual((opts['can_start'], opts['reason'], opts['technicians']),
                         (False, 'technician_unavailable', []))
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'technician_unavailable')
        # Everybody sees it: /users and /teams carry it.
        admin = self.login('admin')
        status, users = admin.get('/users?role=technician')
        self.assertIs([u for u in users['users'] if u['id'] == tina.id][0]['away'], True)

        # Setting the same value again is no change: no event.
        status, me = tina.patch('/me', {'away': True})
        self.assertEqual(status, 200, me)
        carol_ev.assert_none('presence.changed', 0.5, where=lambda d: d['id'] == tina.id)

        # Back at the desk.
        status, me = tina.patch('/me', {'away': False})
        self.assertIs(me['away'], False)
        carol_ev.next('presence.changed', where=lambda d: d['id'] == tina.id and not d['away'])
        self.assertIs(self.chat_options(carol, rid)['can_start'], True)

        # Both fields in one call.
        status, me = tina.patch('/me', {'away': True, 'available_for_chat': False})
        self.assertEqual(status, 200, me)
        self.assertEqual((me['away'], me['available_for_chat']), (True, False))
        status, me = tina.patch('/me', {'away': False, 'available_for_chat': True})
        self.assertEqual((me['away'], me['available_for_chat']), (False, True))

        # Away survives a restart of the socket (it is the user's state).
        tina.patch('/me', {'away': True})
        tina_ev.close()
        self.events(tina)
        status, me = tina.get('/me')
        self.assertIs(me['away'], True)

    def test_away_bad_input(self):
        tina = self.login('tina')
        carol = self.login('carol')
        self.assertError(carol.patch('/me', {'away': True}), 403, 'forbidden')
        for bad in ({'away': 'yes'}, {'away': 1}, {'away': None}, {}):
            status, body = tina.patch('/me', bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        # Nothing changed by a half-bad call.
        status, body = tina.patch('/me', {'away': True, 'available_for_chat': 'x'})
        self.assertEqual(status, 400, body)
        status, me = tina.get('/me')
        self.assertEqual((me['away'], me['available_for_chat']), (False, False))

    def test_privileges_v2(self):
        admin = self.login('admin')
        tina = self.login('tina')
        status, p = tina.get('/setup/privileges')
        self.assertEqual(status, 200, p)
        for k, v in DEFAULTS.items():
            self.assertEqual(p[k], v, p)

        tina_ev = self.events(tina)
        status, p = admin.patch('/setup/privileges', {'max_chats_per_technician': 3,
                                                      'waiting_timeout_s': 60,
                                                      'inactivity_timeout_s': 900})
        self.assertEqual(status, 200, p)
        self.assertEqual((p['max_chats_per_technician'], p['waiting_timeout_s'],
                          p['inactivity_timeout_s'], p['chat_enabled']), (3, 60, 900, True))
        ev = tina_ev.next('privileges.changed')
        self.assertEqual(ev['data'], p)
        self.assertEqual(tina.get('/setup/privileges'), (200, p))
        self.assertError(tina.patch('/setup/privileges', {'waiting_timeout_s': 10}), 403, 'forbidden')

        # Bad values change nothing.
        for bad in ({'max_chats_per_technician': -1}, {'max_chats_per_technician': 'many'},
                    {'waiting_timeout_s': 0}, {'waiting_timeout_s': 1.5},
                    {'inactivity_timeout_s': -5}, {'inactivity_timeout_s': True},
                    {'waiting_timeout_s': 10 ** 12},
                    {'chat_enabled': False, 'waiting_timeout_s': -1}):
            status, body = admin.patch('/setup/privileges', bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        self.assertEqual(admin.get('/setup/privileges'), (200, p))

        # They last across a restart.
        self.srv.restart()
        admin = self.login('admin')
        self.assertEqual(admin.get('/setup/privileges'), (200, p))

    def test_busy(self):
        admin = self.login('admin')
        tina = self.login('tina')
        carol = self.login('carol')
        chris = self.login('chris')
        self.go_online(tina)
        status, p = admin.patch('/setup/privileges', {'max_chats_per_technician': 1})
        self.assertEqual(status, 200, p)
        # A second request of chris's, assigned to tina.
        status, req = admin.post('/requests', {'subject': 'Mouse broken', 'customer_id': chris.id,
                                               'assignee_id': tina.id})
        self.assertEqual(status, 201, req)
        rid2 = req['id']
        rid1 = self.request_id(carol, 'Printer offline')

        chat1 = self.open_chat(carol, rid1)
        # Waiting chats do not count, only active ones.
        self.assertIs(self.chat_options(chris, rid2)['can_start'], True)
        status, chat1 = tina.post('/chats/%d/accept' % chat1['id'])
        self.assertEqual(status, 200, chat1)

        opts = self.chat_options(chris, rid2)
        self.assertEqual((opts['can_start'], opts['reason'], opts['technicians']),
                         (False, 'technician_busy', []))
        self.assertError(chris.post('/chats', {'request_id': rid2}), 409, 'technician_busy')
        self.assertError(chris.post('/chats', {'request_id': rid2, 'technician_id': tina.id}),
                         409, 'technician_busy')

        # Unavailable wins over busy as the reason.
        tina.patch('/me', {'away': True})
        self.assertEqual(self.chat_options(chris, rid2)['reason'], 'technician_unavailable')
        tina.patch('/me', {'away': False})

        # With the team privilege, theo (available, idle) is offered instead.
        theo = self.login('theo')
        status, req = admin.patch('/requests/%d' % rid2, {'team_id': self.team_id(admin)})
        self.assertEqual(status, 200, req)
        self.set_privileges(admin, customer_chat_with_team=True)
        self.go_online(theo)
        opts = self.chat_options(chris, rid2)
        self.assertEqual((opts['can_start'], [t['id'] for t in opts['technicians']]),
                         (True, [theo.id]))
        theo.patch('/me', {'available_for_chat': False})

        # A raised limit lets her take one more; 0 means no limit.
        admin.patch('/setup/privileges', {'max_chats_per_technician': 2})
        self.assertIs(self.chat_options(chris, rid2)['can_start'], True)
        admin.patch('/setup/privileges', {'max_chats_per_technician': 1})
        self.assertEqual(self.chat_options(chris, rid2)['reason'], 'technician_busy')
        admin.patch('/setup/privileges', {'max_chats_per_technician': 0})
        chat2 = self.open_chat(chris, rid2)
        admin.patch('/setup/privileges', {'max_chats_per_technician': 1})
        # At the limit she cannot accept a chat that was offered before.
        self.assertError(tina.post('/chats/%d/accept' % chat2['id']), 409, 'technician_busy')
        status, chat2 = chris.get('/chats/%d' % chat2['id'])
        self.assertEqual(chat2['state'], 'waiting')

        # Ending the first chat frees her.
        status, ended = tina.post('/chats/%d/end' % chat1['id'])
        self.assertEqual(status, 200, ended)
        status, chat2 = tina.post('/chats/%d/accept' % chat2['id'])
        self.assertEqual(status, 200, chat2)

    def team_id(self, admin):
        status, teams = admin.get('/teams')
        return teams['teams'][0]['id']


if __name__ == '__main__':
    main()
