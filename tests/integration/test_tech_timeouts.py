#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Technicians": no chat is stuck.  end_reason; a waiting chat
whose technician goes offline, away or unavailable (or whose
waiting_timeout_s passes) moves to the team queue or ends no_answer at once;
an active chat without messages for inactivity_timeout_s ends inactive."""

import time

from hdcase import ServerTestCase, main
from hdtest import Api


def parse_time(text):
    # 2026-11-24T19:00:00.123Z
    import datetime
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()


class TechTimeoutsTest(ServerTestCase):
    smtp = False

    def setUp(self):
        super().setUp()
        self.admin = self.login('admin')
        self.tina = self.login('tina')
        self.theo = self.login('theo')
        self.carol = self.login('carol')
        self.rid = self.request_id(self.carol, 'Printer offline')

    def team_on(self):
        self.set_privileges(self.admin, customer_chat_with_team=True)

    # --- end_reason -------------------------------------------------------

    def test_end_reasons(self):
        tina, carol = self.tina, self.carol
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)

        chat = self.open_chat(carol, self.rid)
        self.assertIn('end_reason', chat)
        self.assertIsNone(chat['end_reason'])
        status, ended = carol.post('/chats/%d/end' % chat['id'])
        self.assertEqual((status, ended['end_reason']), (200, 'withdrawn'), ended)

        for who, reason in ((carol, 'customer'), (tina, 'technician')):
            chat = self.open_chat(carol, self.rid)
            status, chat = tina.post('/chats/%d/accept' % chat['id'])
            self.assertIsNone(chat['end_reason'])
            status, ended = who.post('/chats/%d/end' % chat['id'])
            self.assertEqual((status, ended['end_reason']), (200, reason), ended)
            ev = carol_ev.next('chat.ended', where=lambda d: d['id'] == chat['id'])
            self.assertEqual(ev['data']['end_reason'], reason)
            ev = tina_ev.next('chat.ended', where=lambda d: d['id'] == chat['id'])
            self.assertEqual(ev['data']['end_reason'], reason)
            status, again = carol.get('/chats/%d' % chat['id'])
            self.assertEqual(again['end_reason'], reason)
        status, lst = carol.get('/chats?state=ended')
        self.assertEqual([c['end_reason'] for c in lst['chats']],
                         ['technician', 'customer', 'withdrawn'])

    # --- the technician cannot answer ----------------------------------

    def assert_no_answer_on(self, make_unreachable):
        tina, carol = self.tina, self.carol
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)
        chat = self.open_chat(carol, self.rid)
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        t0 = time.monotonic()
        make_unreachable(tina_ev)
        ev = carol_ev.next('chat.ended', timeout=5, where=lambda d: d['id'] == chat['id'])
        # "At once": well before any timeout.
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual((ev['data']['state'], ev['data']['end_reason']), ('ended', 'no_answer'))
        self.assertIsNone(ev['data']['technician'])
        status, now = carol.get('/chats/%d' % chat['id'])
        self.assertEqual((now['state'], now['end_reason']), ('ended', 'no_answer'))
        return chat

    def test_offline_ends_no_answer(self):
        def offline(ev):
            ev.close()
        self.assert_no_answer_on(offline)

    def test_away_ends_no_answer(self):
        def away(ev):
            status, me = self.tina.patch('/me', {'away': True})
            self.assertEqual(status, 200, me)
        chat = self.assert_no_answer_on(away)
        # She is told it is gone from her queue.
        status, q = self.tina.get('/chats/queue')
        self.assertEqual(q['chats'], [])
        self.assertNotEqual(chat, None)

    def test_unavailable_ends_no_answer(self):
        def unavailable(ev):
            status, me = self.tina.patch('/me', {'available_for_chat': False})
            self.assertEqual(status, 200, me)
            ev.next('chat.taken')
        self.assert_no_answer_on(unavailable)

    def test_moves_to_team_queue(self):
        tina, theo, carol = self.tina, self.theo, self.carol
        self.team_on()
        tina_ev = self.go_online(tina)
        theo_ev = self.go_online(theo)
        carol_ev = self.events(carol)
        status, req = carol.get('/requests/%d' % self.rid)
        team_id = req['team']['id']
        # Carol picks tina (the assignee).
        chat = self.open_chat(carol, self.rid, technician_id=tina.id)
        self.assertEqual(chat['target'], {'kind': 'technician', 'id': tina.id})
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        theo_ev.assert_none('chat.requested', 0.3)

        tina_ev.close()
        ev = theo_ev.next('chat.requested', timeout=5, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['target'], {'kind': 'team', 'id': team_id})
        self.assertEqual(ev['data']['state'], 'waiting')
        ev = carol_ev.next('chat.transferred', timeout=5, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['target'], {'kind': 'team', 'id': team_id})
        carol_ev.assert_none('chat.ended', 0.3)
        status, q = theo.get('/chats/queue')
        self.assertEqual([c['id'] for c in q['chats']], [chat['id']])
        status, active = theo.post('/chats/%d/accept' % chat['id'])
        self.assertEqual((status, active['state'], active['technician']['id']),
                         (200, 'active', theo.id), active)

    def test_team_queue_empties(self):
        """A team chat whose last reachable technician leaves ends at once."""
        tina, theo, carol = self.tina, self.theo, self.carol
        self.team_on()
        tina_ev = self.go_online(tina)
        theo_ev = self.go_online(theo)
        carol_ev = self.events(carol)
        tina.patch('/me', {'available_for_chat': False})
        # The assignee cannot take it: it goes to the team queue (theo).
        chat = self.open_chat(carol, self.rid)
        self.assertEqual(chat['target']['kind'], 'team')
        theo_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        theo.patch('/me', {'away': True})
        ev = carol_ev.next('chat.ended', timeout=5, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'no_answer')
        self.assertNotEqual(tina_ev, None)

    def test_other_member_leaving_changes_nothing(self):
        tina, theo, carol = self.tina, self.theo, self.carol
        self.team_on()
        self.go_online(tina)
        theo_ev = self.go_online(theo)
        carol_ev = self.events(carol)
        chat = self.open_chat(carol, self.rid, technician_id=tina.id)
        theo_ev.close()
        carol_ev.assert_none('chat.ended', 1.0)
        carol_ev.assert_none('chat.transferred', 0.1)
        status, now = carol.get('/chats/%d' % chat['id'])
        self.assertEqual((now['state'], now['target']['id']), ('waiting', tina.id))

    # --- timeouts ---------------------------------------------------------

    def test_waiting_timeout(self):
        tina, carol = self.tina, self.carol
        status, p = self.admin.patch('/setup/privileges', {'waiting_timeout_s': 2})
        self.assertEqual(status, 200, p)
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)
        chat = self.open_chat(carol, self.rid)
        t0 = time.monotonic()
        ev = carol_ev.next('chat.ended', timeout=8, where=lambda d: d['id'] == chat['id'])
        waited = time.monotonic() - t0
        self.assertEqual(ev['data']['end_reason'], 'no_answer')
        self.assertGreater(waited, 1.5)
        self.assertLess(waited, 5.0)
        waited_server = parse_time(ev['data']['ended_at']) - parse_time(chat['created_at'])
        self.assertGreaterEqual(waited_server, 2.0)
        tina_ev.next('chat.taken', where=lambda d: d['id'] == chat['id'])
        # The end holds for both sides.
        self.assertError(tina.post('/chats/%d/accept' % chat['id']), 409, 'already_taken')

    def test_waiting_timeout_then_team_then_no_answer(self):
        tina, theo, carol = self.tina, self.theo, self.carol
        self.team_on()
        self.admin.patch('/setup/privileges', {'waiting_timeout_s': 2})
        self.go_online(tina)
        theo_ev = self.go_online(theo)
        carol_ev = self.events(carol)
        chat = self.open_chat(carol, self.rid, technician_id=tina.id)
        ev = theo_ev.next('chat.requested', timeout=8, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['target']['kind'], 'team')
        carol_ev.next('chat.transferred', where=lambda d: d['id'] == chat['id'])
        # Nobody takes it from the team queue either.
        ev = carol_ev.next('chat.ended', timeout=8, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'no_answer')
        theo_ev.next('chat.taken', where=lambda d: d['id'] == chat['id'])

    def test_restart_ends_stuck_chats(self):
        """After a restart nobody is logged in: a chat waiting on a
        technician ends at once, not after waiting_timeout_s (300 s)."""
        tina, carol = self.tina, self.carol
        self.go_online(tina)
        chat = self.open_chat(carol, self.rid)
        self.srv.kill9()
        if self.srv.store == 'postgresql':
            # There the killed server's users count as online until its
            # presence lease runs out (test_cluster checks that expiry):
            # end the lease here instead of waiting 30 s for it.
            import hdpg
            hdpg.shared_cluster().psql(self.srv.database, 'UPDATE hd_servers SET lease_until = 0')
        self.srv.start()
        carol = Api(self.srv).login('carol')
        deadline = time.monotonic() + 5
        while True:
            status, now = carol.get('/chats/%d' % chat['id'])
            if now['state'] == 'ended' or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual((now['state'], now['end_reason']), ('ended', 'no_answer'))

    def test_inactivity(self):
        status, p = self.admin.patch('/setup/privileges', {'inactivity_timeout_s': 2})
        self.assertEqual(status, 200, p)
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        # Messages keep it alive.
        for i in range(3):
            time.sleep(0.8)
            self.post_message(carol if i % 2 else tina, chat['id'], 'still here %d' % i)
        status, now = carol.get('/chats/%d' % chat['id'])
        self.assertEqual(now['state'], 'active')
        t0 = time.monotonic()
        ev = carol_ev.next('chat.ended', timeout=8, where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'inactive')
        self.assertGreater(time.monotonic() - t0, 1.0)
        ev = tina_ev.next('chat.ended', where=lambda d: d['id'] == chat['id'])
        self.assertEqual(ev['data']['end_reason'], 'inactive')

    def test_inactivity_off_by_default(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.admin.patch('/setup/privileges', {'waiting_timeout_s': 1})
        carol_ev.assert_none('chat.ended', 2.5)
        status, now = carol.get('/chats/%d' % chat['id'])
        self.assertEqual(now['state'], 'active')


if __name__ == '__main__':
    main()
