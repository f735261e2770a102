# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, "Fan-out follows interest, not rank": subscribe/unsubscribe
frames, note.updated to the members and the subscribers only, note.created,
presence only to those who may chat with the technician, coalesced."""

import os
import time
import unittest

from hdcase import ServerTestCase

# A tick long enough that a burst of PATCH /me fits in one or two of them
# even on a slow (sanitizer) build; the assertions allow for the time the
# burst really took.
TICK_MS = 1000


def presence_users(ev):
    """The users a presence.changed frame carries (one, or "users")."""
    data = ev['data']
    return data['users'] if 'users' in data else [data]


class FanoutTest(ServerTestCase):
    smtp = False

    def setUp(self):
        os.environ['HD_PRESENCE_TICK_MS'] = str(TICK_MS)
        self.addCleanup(os.environ.pop, 'HD_PRESENCE_TICK_MS', None)
        super().setUp()

    def error(self, ev):
        return ev.next('error')['data']

    def new_customer(self, admin, login):
        status, user = admin.post('/users', {'login': login, 'name': login.title(),
                                             'email': login + '@example.com',
                                             'role': 'customer', 'password': 'password-' + login})
        self.assertEqual(status, 201, user)
        return self.login(login, 'password-' + login)

    # --- subscribe / unsubscribe ---------------------------------------

    def test_subscribe_limits_and_not_found(self):
        admin = self.login('admin')
        carol = self.login('carol')
        tina = self.login('tina')
        carol_ev = self.events(carol)
        tina_ev = self.events(tina)
        carol_id = carol.id
        mine = self.request_id(carol, 'Printer offline')
        chris_request = self.request_id(self.login('chris'), 'VPN drops every hour')

        # Someone else's request, a request that does not exist: not_found,
        # and the socket stays open.
        for rid in (chris_request, 99999):
            carol_ev.send('subscribe', {'request_id': rid})
            err = self.error(carol_ev)
            self.assertEqual(err['code'], 'not_found', (rid, err))
        for bad in ({}, {'request_id': 'x'}, {'request_id': 0}, {'request_id': -3},
                    {'request_id': 1.5}, {'request_id': None}):
            carol_ev.send('subscribe', bad)
            self.assertEqual(self.error(carol_ev)['code'], 'bad_request', bad)
        self.assertEqual(self.subscribe(carol_ev, mine), {'request_id': mine})
        # Again: still one subscription, acknowledged.
        self.assertEqual(self.subscribe(carol_ev, mine), {'request_id': mine})
        self.assertEqual(self.subscribe(carol_ev, mine, unsubscribe=True), {'request_id': mine})
        # Unsubscribing what one does not hold is harmless.
        self.assertEqual(self.subscribe(carol_ev, chris_request, unsubscribe=True),
                         {'request_id': chris_request})

        # At most 64 per socket.  Tina sees the requests assigned to her.
        rids = []
        for i in range(66):
            status, r = admin.post('/requests', {'subject': 'r%d' % i, 'customer_id': carol_id,
                                                 'assignee_id': tina.id})
            self.assertEqual(status, 201, r)
            rids.append(r['id'])
        for rid in rids[:64]:
            tina_ev.send('subscribe', {'request_id': rid})
        for rid in rids[:64]:
            tina_ev.next('subscribed', where=lambda d, rid=rid: d['request_id'] == rid)
        self.subscribe(tina_ev, rids[0])        # held already: fine
        tina_ev.send('subscribe', {'request_id': rids[64]})
        err = self.error(tina_ev)
        self.assertEqual(err['code'], 'bad_request', err)
        self.assertIn('64', err['message'])
        # Another socket of hers has its own 64.
        tina_ev2 = self.events(tina)
        self.subscribe(tina_ev2, rids[64])
        # Room again after an unsubscribe.
        self.subscribe(tina_ev, rids[3], unsubscribe=True)
        self.subscribe(tina_ev, rids[65])
        tina_ev.send('subscribe', {'request_id': rids[3]})
        self.assertEqual(self.error(tina_ev)['code'], 'bad_request')

        # Subscribed to a request: its note.updated (another chat of
        # tina's, on rids[65]) reaches this socket only through it.
        watcher = self.events(admin)
        self.subscribe(watcher, rids[65])
        status, _ = tina.patch('/me', {'available_for_chat': True})
        self.assertEqual(status, 200)
        status, chat = carol.post('/chats', {'request_id': rids[65]})
        self.assertEqual(status, 201, chat)
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        self.post_message(carol, chat['id'], 'hello')
        ev = watcher.next('note.updated', where=lambda d: d.get('appended'))['data']
        self.assertEqual(ev['request_id'], rids[65])

    def test_subscription_ends_with_sight_of_the_request(self):
        admin = self.login('admin')
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')     # tina's, team Service Desk
        tina_ev = self.events(tina)
        theo_ev = self.events(theo)
        admin_ev = self.events(admin)
        for ev in (tina_ev, theo_ev, admin_ev):
            self.subscribe(ev, rid)

        # Another assignee, same team: everyone still sees it.
        status, body = admin.patch('/requests/%d' % rid, {'assignee_id': theo.id})
        self.assertEqual(status, 200, body)
        for ev in (tina_ev, theo_ev, admin_ev):
            ev.assert_none('unsubscribed', 0.3)

        # No team any more: tina lost sight of it, so her subscription goes
        # (and she hears no more of its notes); theo (assignee) and the admin keep theirs.
        status, body = admin.patch('/requests/%d' % rid, {'team_id': None})
        self.assertEqual(status, 200, body)
        self.assertEqual(tina_ev.next('unsubscribed')['data'], {'request_id': rid})
        theo_ev.assert_none('unsubscribed', 0.3)
        admin_ev.assert_none('unsubscribed', 0.01)
        tina_ev.send('subscribe', {'request_id': rid})
        self.assertEqual(self.error(tina_ev)['code'], 'not_found')

        theo_ev2 = self.go_online(theo)
        chat = self.open_chat(carol, rid)
        theo_ev2.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        status, chat = theo.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        self.post_message(carol, chat['id'], 'secret')
        admin_ev.next('note.updated', where=lambda d: 'secret' in d.get('appended', ''))
        tina_ev.assert_none('note.updated', 0.3)
        tina_ev.assert_none('note.created', 0.01)

    def test_frames_answered_in_order(self):
        """Subscribe checks run on the core thread, not on the main loop (the
        server aborts under HD_STRICT_THREADS if they did); a socket's
        subscribe/unsubscribe frames are still answered in the order sent,
        and the state is that of the last one."""
        carol = self.login('carol')
        tina = self.login('tina')
        rid = self.request_id(carol, 'Printer offline')
        # The admin is no member of the chat: its notes reach them only
        # through the subscription.
        ev = self.events(self.login('admin'))
        kinds = ['subscribe', 'unsubscribe'] * 10 + ['subscribe']
        for kind in kinds:
            ev.send(kind, {'request_id': rid})
        got = []
        while len(got) < len(kinds):
            e = ev._recv_event(10)
            self.assertIsNotNone(e, 'answers so far: %r' % got)
            if e['type'] in ('subscribed', 'unsubscribed', 'error'):
                got.append((e['type'], e['data']))
        self.assertEqual(got, [(k + 'd', {'request_id': rid}) for k in kinds])
        # Subscribed at the end: the request's notes reach this socket.
        self.go_online(tina)
        chat = self.open_chat(carol, rid)
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        self.post_message(tina, chat['id'], 'in order')
        ev.next('note.updated', where=lambda d: 'in order' in d.get('appended', ''))

    def test_messages_keep_their_order_past_the_main_loop(self):
        """A listed socket's chat.send frames may go from the socket thread
        straight to the core thread, while other frames (subscribe, bad
        ones) go through the main loop: a socket's messages are still
        stored in the order sent, whichever way each took."""
        carol = self.login('carol')
        tina = self.login('tina')
        rid = self.request_id(carol, 'Printer offline')
        self.go_online(tina)
        chat = self.open_chat(carol, rid)
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        # Sent from the first moment, before hello: the first frames reach
        # the server before it listed the socket (they take the main loop),
        # the later ones after (they may not).
        ev = self.events(carol, hello=False)
        sent = []
        for i in range(40):
            # Through the main loop: a subscribe, and now and then a bad
            # chat.send (answered with an error) ...
            ev.send('subscribe', {'request_id': rid})
            if i % 4 == 0:
                ev.send('chat.send', {'chat_id': chat['id'], 'body': 7})
            # ... then messages right behind them.
            for j in range(3):
                body = 'order %d.%d' % (i, j)
                ev.send('chat.send', {'chat_id': chat['id'], 'body': body, 'client_id': body})
                sent.append(body)
            # Spread over the moment the socket is listed.
            time.sleep(0.005)
        got = []
        while len(got) < len(sent):
            e = ev.next('chat.message', timeout=20)
            got.append(e['data']['body'])
        self.assertEqual(got, sent)
        stored = []
        after = 0
        while True:
            page = self.messages(carol, chat['id'], after=after, limit=100)
            stored += [m['body'] for m in page['messages'] if m['body'].startswith('order ')]
            if not page['messages']:
                break
            after = page['messages'][-1]['seq']
        self.assertEqual(stored, sent)

    # --- note.updated and note.created -----------------------------------

    def test_note_events_follow_interest(self):
        admin = self.login('admin')
        theo = self.login('theo')
        chris = self.login('chris')
        tina = self.login('tina')
        carol = self.login('carol')
        rid = self.request_id(carol, 'Printer offline')
        tina_ev = self.go_online(tina)
        carol_ev = self.events(carol)
        theo_ev = self.events(theo)         # same team: can see the request
        admin_ev = self.events(admin)       # can see everything
        chris_ev = self.events(chris)
        admin_other = self.events(admin)    # a second socket of the admin's
        self.subscribe(admin_ev, rid)
        chris_ev.send('subscribe', {'request_id': rid})
        self.assertEqual(self.error(chris_ev)['code'], 'not_found')

        chat = self.open_chat(carol, rid)
        tina_ev.next('chat.requested', where=lambda d: d['id'] == chat['id'])
        status, chat = tina.post('/chats/%d/accept' % chat['id'])
        self.assertEqual(status, 200, chat)
        cid = chat['id']

        # note.created: the assignee, the subscribers and the customer.
        for name, ev in (('tina', tina_ev), ('carol', carol_ev), ('admin', admin_ev)):
            note = ev.next('note.created', where=lambda d: d['chat_id'] == cid)['data']
            self.assertEqual(note['request_id'], rid, name)
            self.assertEqual(note['kind'], 'chat_transcript', name)
            self.assertEqual(note['id'], chat['note_id'], name)
        for name, ev in (('theo', theo_ev), ('chris', chris_ev), ('admin_other', admin_other)):
            ev.assert_none('note.created', 0.3)

        # note.updated: the two members and the subscribed socket only.
        self.post_message(carol, cid, 'one')
        for name, ev in (('tina', tina_ev), ('carol', carol_ev), ('admin', admin_ev)):
            data = ev.next('note.updated', where=lambda d: d.get('appended'))['data']
            self.assertIn('one', data['appended'], name)
        for name, ev in (('theo', theo_ev), ('chris', chris_ev), ('admin_other', admin_other)):
            ev.assert_none('note.updated', 0.3)

        # Theo opens the request's notes: now he hears them; the admin
        # closes them: no more.
        self.subscribe(theo_ev, rid)
        self.subscribe(admin_ev, rid, unsubscribe=True)
        self.post_message(tina, cid, 'two')
        data = theo_ev.next('note.updated', where=lambda d: d.get('appended'))['data']
        self.assertIn('two', data['appended'])
        self.assertEqual(data['length'], len(self.transcript_note(carol, rid, cid)['body']))
        admin_ev.assert_none('note.updated', 0.3)
        admin_other.assert_none('note.updated', 0.01)

        # A socket that closes loses its subscriptions with it; the others
        # keep theirs.
        theo_ev2 = self.events(theo)
        theo_ev.close()
        self.post_message(carol, cid, 'three')
        theo_ev2.assert_none('note.updated', 0.3)
        data = carol_ev.next('note.updated', where=lambda d: 'three' in d.get('appended', ''))
        self.assertTrue(data)

    # --- presence ------------------------------------------------------

    def test_presence_audience(self):
        admin = self.login('admin')
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')       # request #1 is tina's
        chris = self.login('chris')       # request #2 is theo's (team Service Desk)
        dora = self.new_customer(admin, 'dora')   # no request at all
        carol_ev = self.events(carol)
        chris_ev = self.events(chris)
        dora_ev = self.events(dora)
        admin_ev = self.events(admin)
        theo_ev = self.events(theo)
        # Settle theo's own login presence first.
        admin_ev.next('presence.changed', where=lambda d: any(u['id'] == theo.id for u in [d] + d.get('users', [])))

        tina_ev = self.go_online(tina)
        # Staff hear it (with her email); carol, whose request is hers, hears it
        # (without); chris and dora do not.
        ev = admin_ev.next('presence.changed',
                           where=lambda d: any(u['id'] == tina.id and u['available_for_chat']
                                               for u in [d] + d.get('users', [])))
        self.assertTrue(any(u.get('email') == 'tina@example.com' for u in presence_users(ev)))
        theo_ev.next('presence.changed', where=lambda d: any(u['id'] == tina.id for u in [d] + d.get('users', [])))
        ev = carol_ev.next('presence.changed',
                           where=lambda d: any(u['id'] == tina.id and u['available_for_chat']
                                               for u in [d] + d.get('users', [])))
        carol_request = self.request_id(carol, 'Printer offline')
        for u in presence_users(ev):
            self.assertNotIn('email', u)
            self.assertNotIn('login', u)
            # Which of carol's requests the technician counts for.
            self.assertEqual(u['request_ids'], [carol_request], u)
        chris_ev.assert_none('presence.changed', 0.1 + 2 * TICK_MS / 1000,
                             where=lambda d: any(u['id'] == tina.id for u in [d] + d.get('users', [])))
        dora_ev.assert_none('presence.changed', 0.01)

        # With the team privilege on, every technician of the request's
        # team could appear in chris's chat_options: now he hears tina.
        self.set_privileges(admin, customer_chat_with_team=True)
        tina.patch('/me', {'available_for_chat': False})
        ev = chris_ev.next('presence.changed',
                           where=lambda d: any(u['id'] == tina.id and not u['available_for_chat']
                                               for u in [d] + d.get('users', [])))
        vpn = self.request_id(chris, 'VPN drops every hour')
        self.assertEqual([u['request_ids'] for u in presence_users(ev) if u['id'] == tina.id], [[vpn]])
        dora_ev.assert_none('presence.changed', 0.1 + 2 * TICK_MS / 1000)

        # A closed request makes no relation: carol's "New laptop" is
        # closed and tina's; with #1 closed too, carol hears no more of tina.
        status, _ = admin.patch('/requests/%d' % carol_request, {'status': 'closed'})
        self.assertEqual(status, 200)
        carol_ev.collect(0.1 + 2 * TICK_MS / 1000)
        tina.patch('/me', {'available_for_chat': True})
        admin_ev.next('presence.changed',
                      where=lambda d: any(u['id'] == tina.id and u['available_for_chat']
                                          for u in [d] + d.get('users', [])))
        carol_ev.assert_none('presence.changed', 0.3,
                             where=lambda d: any(u['id'] == tina.id for u in [d] + d.get('users', [])))
        tina_ev.close()

    def test_presence_is_coalesced(self):
        admin = self.login('admin')
        tina = self.login('tina')
        theo = self.login('theo')
        carol = self.login('carol')
        tina_ev = self.events(tina)
        theo_ev = self.events(theo)
        carol_ev = self.events(carol)
        admin_ev = self.events(admin)
        # Let the logins' presence go out first.
        time.sleep(2 * TICK_MS / 1000 + 0.2)
        carol_ev.collect(0.01)
        admin_ev.collect(0.01)

        n = 30
        start = time.monotonic()
        for i in range(n):
            status, _ = tina.patch('/me', {'available_for_chat': i % 2 == 0})
            self.assertEqual(status, 200)
            status, _ = theo.patch('/me', {'available_for_chat': i % 2 == 0})
            self.assertEqual(status, 200)
        elapsed = time.monotonic() - start
        # The last state is n - 1 → odd → False for both.
        admin_ev.next('presence.changed',
                      where=lambda d: {u['id']: u['available_for_chat'] for u in [d] + d.get('users', [])}
                      .get(tina.id) is False)
        time.sleep(2 * TICK_MS / 1000 + 0.2)
        allowed = 2 + int(elapsed * 1000 / TICK_MS)
        staff_frames = [e for e in admin_ev.collect(0.01) if e['type'] == 'presence.changed']
        staff_frames.append(None)   # the one next() took above
        carol_frames = [e for e in carol_ev.collect(0.01) if e['type'] == 'presence.changed']
        # 2n changes of each technician; at most a couple of frames per socket.
        self.assertLessEqual(len(staff_frames), allowed, (elapsed, staff_frames))
        self.assertLessEqual(len(carol_frames), allowed, (elapsed, carol_frames))
        self.assertGreaterEqual(len(carol_frames), 1)
        # The admin hears both technicians; carol only tina (her request's).
        seen_staff = {u['id'] for e in staff_frames if e for u in presence_users(e)}
        self.assertLessEqual(seen_staff, {tina.id, theo.id})
        carol_users = [u for e in carol_frames for u in presence_users(e)]
        self.assertEqual({u['id'] for u in carol_users}, {tina.id})
        self.assertIs(carol_users[-1]['available_for_chat'], False)
        # Theo's own and tina's sockets hear it too (staff).
        self.assertTrue(theo_ev.collect(0.01))
        tina_ev.close()

    def test_coalesced_frame_lists_every_change(self):
        admin = self.login('admin')
        tina = self.login('tina')
        theo = self.login('theo')
        admin_ev = self.events(admin)
        # Two logins within one tick: one frame with both.
        tina_ev = self.events(tina)
        theo_ev = self.events(theo)
        # (The admin's own login, within the same tick, may be in it too.)
        ev = admin_ev.next('presence.changed',
                           where=lambda d: any(u['id'] == tina.id for u in [d] + d.get('users', [])))
        users = presence_users(ev)
        self.assertLessEqual({tina.id, theo.id}, {u['id'] for u in users}, ev)
        self.assertEqual(len(users), len({u['id'] for u in users}), ev)
        self.assertTrue(all(u['online'] for u in users))
        # The frame's own user fields are the first user's (a v1 reader
        # still sees a valid user).
        self.assertEqual(ev['data']['id'], users[0]['id'])
        tina_ev.close()
        theo_ev.close()


if __name__ == '__main__':
    unittest.main(verbosity=2)
