#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, Customers: rating a chat after its end (once, by its
customer), seen by staff on the chat and on the request's transcript note."""

from hdcase import ServerTestCase, main


class RatingTest(ServerTestCase):
    smtp = False

    def test_rate_once_after_the_end(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        self.assertIn('rating', chat)
        self.assertIsNone(chat['rating'])
        self.post_message(carol, cid, 'thanks')

        # Not before the end.
        self.assertError(carol.post('/chats/%d/rating' % cid, {'score': 5}), 409, 'conflict')
        status, ended = tina.post('/chats/%d/end' % cid)
        self.assertEqual(status, 200, ended)

        # Bad scores and comments: refused, nothing stored.
        for bad in ({}, {'score': 0}, {'score': 6}, {'score': '5'}, {'score': 4.5},
                    {'score': True}, {'score': None}, {'score': 3, 'comment': 7},
                    {'score': 3, 'comment': 'x' * 4001}):
            self.assertError(carol.post('/chats/%d/rating' % cid, bad), 400, 'bad_request')
        # Only the chat's customer: the technician is a member but may not rate.
        self.assertError(tina.post('/chats/%d/rating' % cid, {'score': 1}), 403, 'forbidden')
        chris = self.login('chris')
        self.assertError(chris.post('/chats/%d/rating' % cid, {'score': 1}), 404, 'not_found')
        self.assertError(carol.post('/chats/99999/rating', {'score': 1}), 404, 'not_found')

        status, rated = carol.post('/chats/%d/rating' % cid,
                                   {'score': 4, 'comment': 'Quick & <friendly>'})
        self.assertEqual(status, 201, rated)
        self.assertEqual(rated['id'], cid)
        self.assertEqual(rated['rating'], {'score': 4, 'comment': 'Quick & <friendly>'})
        # The technician hears of it at once.
        ev = tina_ev.next('chat.updated', where=lambda d: d['id'] == cid)
        self.assertEqual(ev['data']['rating']['score'], 4)

        # Once only.
        self.assertError(carol.post('/chats/%d/rating' % cid, {'score': 1}), 409, 'conflict')
        status, again = carol.get('/chats/%d' % cid)
        self.assertEqual(again['rating'], {'score': 4, 'comment': 'Quick & <friendly>'})

        # Staff see it on the chat and on the request (its transcript note).
        status, seen = tina.get('/chats/%d' % cid)
        self.assertEqual((status, seen['rating']['score']), (200, 4), seen)
        status, lst = tina.get('/chats?state=ended')
        self.assertEqual([c['rating'] for c in lst['chats'] if c['id'] == cid],
                         [{'score': 4, 'comment': 'Quick & <friendly>'}])
        admin = self.login('admin')
        note = self.transcript_note(admin, chat['request_id'], cid)
        self.assertEqual(note['rating'], {'score': 4, 'comment': 'Quick & <friendly>'})

    def test_rating_without_comment_survives_restart(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        carol.post('/chats/%d/end' % cid)
        status, rated = carol.post('/chats/%d/rating' % cid, {'score': 1})
        self.assertEqual(status, 201, rated)
        self.assertEqual(rated['rating'], {'score': 1, 'comment': None})
        self.srv.restart()
        carol = self.login('carol')
        status, seen = carol.get('/chats/%d' % cid)
        self.assertEqual(seen['rating'], {'score': 1, 'comment': None})

    def test_a_withdrawn_chat_can_be_rated_by_nobody_but_its_customer(self):
        tina = self.login('tina')
        carol = self.login('carol')
        self.go_online(tina)
        chat = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        self.assertError(carol.post('/chats/%d/rating' % chat['id'], {'score': 2}), 409, 'conflict')
        carol.post('/chats/%d/end' % chat['id'])
        # Ended (withdrawn) chats are ended: rating allowed, once.
        status, rated = carol.post('/chats/%d/rating' % chat['id'], {'score': 2, 'comment': ''})
        self.assertEqual(status, 201, rated)
        self.assertEqual(rated['rating'], {'score': 2, 'comment': None})


if __name__ == '__main__':
    main()
