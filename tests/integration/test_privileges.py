#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Setup privileges: only an admin changes them; the chat facility switch;
the team privilege (team queue, choosing a technician) and the accept race."""

import threading

from hdcase import ServerTestCase, main
from hdtest import error_code


class PrivilegesTest(ServerTestCase):
    smtp = False

    def test_only_admin_patches(self):
        admin = self.login('admin')
        tina = self.login('tina')
        carol = self.login('carol')
        before = {'chat_enabled': True, 'customer_chat_with_team': False,
                  'max_chats_per_technician': 0, 'waiting_timeout_s': 300, 'inactivity_timeout_s': 0}
        for api in (tina, carol):
            self.assertEqual(api.get('/setup/privileges'), (200, before))
            self.assertError(api.patch('/setup/privileges', {'chat_enabled': False}), 403, 'forbidden')
        self.assertEqual(admin.get('/setup/privileges'), (200, before))

        # Bad input changes nothing.
        for bad in ({'chat_enabled': 'no'}, {'customer_chat_with_team': 1}, ['x']):
            status, body = admin.patch('/setup/privileges', bad)
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad, body))
        self.assertEqual(admin.get('/setup/privileges'), (200, before))

        carol_ev = self.events(carol)
        tina_ev = self.events(tina)
        after = self.set_privileges(admin, customer_chat_with_team=True)
        self.assertEqual(after, {'chat_enabled': True, 'customer_chat_with_team': True,
                                 'max_chats_per_technician': 0, 'waiting_timeout_s': 300, 'inactivity_timeout_s': 0})
        for stream in (carol_ev, tina_ev):
            self.assertEqual(stream.next('privileges.changed')['data'], after)
        self.assertEqual(carol.get('/setup/privileges'), (200, after))

    def test_chat_disabled(self):
        admin = self.login('admin')
        tina = self.login('tina')
        carol = self.login('carol')
        self.go_online(tina)
        rid = self.request_id(carol, 'Printer offline')
        self.set_privileges(admin, chat_enabled=False)

        status, req = carol.get('/requests/%d' % rid)
        self.assertEqual((req['chat_options']['can_start'], req['chat_options']['reason']),
                         (False, 'chat_disabled'))
        self.assertError(carol.post('/chats', {'request_id': rid}), 403, 'chat_disabled')

        self.set_privileges(admin, chat_enabled=True)
        self.open_chat(carol, rid)

    def test_team_queue_and_accept_race(self):
        admin = self.login('admin')
        theo = self.login('theo')
        tina = self.login('tina')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')

        # Assignee tina is not available; without the team privilege: no chat.
        theo_ev = self.go_online(theo)
        admin_ev = self.go_online(admin)
        self.go_online(tina, available=False)   # logged in, not available
        self.assertError(carol.post('/chats', {'request_id': rid}), 409, 'technician_unavailable')

        self.set_privileges(admin, customer_chat_with_team=True)
        status, req = carol.get('/requests/%d' % rid)
        opts = req['chat_options']
        self.assertIs(opts['can_start'], True, opts)
        self.assertEqual(sorted(t['id'] for t in opts['technicians']), sorted([theo.id, admin.id]))

        chat = self.open_chat(carol, rid)
        self.assertEqual(chat['target']['kind'], 'team')
        self.assertEqual(chat['target']['id'], req['team']['id'])
        for stream in (theo_ev, admin_ev):
            self.assertEqual(stream.next('chat.requested')['data']['id'], chat['id'])
        for api in (theo, admin):
            status, q = api.get('/chats/queue')
            self.assertEqual([c['id'] for c in q['chats']], [chat['id']])

        # Both accept at the same instant.
        barrier = threading.Barrier(2)
        results = {}

        def accept(name, api):
            barrier.wait()
            results[name] = api.post('/chats/%d/accept' % chat['id'])

        threads = [threading.Thread(target=accept, args=(n, a))
                   for n, a in (('theo', theo), ('admin', admin))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(r[0] for r in results.values())
        self.assertEqual(statuses, [200, 409], results)
        winner = [n for n, r in results.items() if r[0] == 200][0]
        loser = [n for n, r in results.items() if r[0] == 409][0]
        self.assertEqual(error_code(results[loser][1]), 'already_taken')
        winner_api = theo if winner == 'theo' else admin
        self.assertEqual(results[winner][1]['technician']['id'], winner_api.id)

        # The loser is told it is taken, and it leaves every queue.
        loser_ev = admin_ev if loser == 'admin' else theo_ev
        self.assertEqual(loser_ev.next('chat.taken')['data']['id'], chat['id'])
        for api in (theo, admin):
            status, q = api.get('/chats/queue')
            self.assertEqual(q['chats'], [])

        # Exactly one active chat with one technician.
        status, one = carol.get('/chats/%d' % chat['id'])
        self.assertEqual((one['state'], one['technician']['id']), ('active', winner_api.id))
        # The assignee, logged in but not available, is no winner either.
        status, body = tina.post('/chats/%d/accept' % chat['id'])
        self.assertIn(status, (404, 409), body)

    def test_customer_picks_a_team_technician(self):
        admin = self.login('admin')
        theo = self.login('theo')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')
        theo_ev = self.go_online(theo)

        # Without the privilege, only the assignee may be picked.
        status, body = carol.post('/chats', {'request_id': rid, 'technician_id': theo.id})
        self.assertIn(status, (403, 409), body)

        self.set_privileges(admin, customer_chat_with_team=True)
        chat = self.open_chat(carol, rid, technician_id=theo.id)
        self.assertEqual(chat['target'], {'kind': 'technician', 'id': theo.id})
        self.assertEqual(theo_ev.next('chat.requested')['data']['id'], chat['id'])
        status, active = theo.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, active)


if __name__ == '__main__':
    main()
