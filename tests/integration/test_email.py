#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Emailing a transcript: delivered to a real SMTP server (aiosmtpd) and read
back; the recipient is always the request's customer; refused and
unconfigured mail."""

from hdcase import ServerTestCase, main
from hdtest import Server


class EmailTest(ServerTestCase):

    def test_transcript_mail_arrives(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        self.post_message(carol, cid, 'Hello, the printer says “offline”')
        self.post_message(tina, cid, 'Grüße — please power-cycle it ✓')
        self.post_message(carol, cid, '.')     # a lone dot: SMTP's end of data

        # By the technician, trying to name another recipient: ignored.
        status, body = tina.post('/chats/%d/email' % cid, {'to': 'evil@example.net',
                                                           'sent_to': 'evil@example.net'})
        self.assertEqual(status, 202, body)
        self.assertEqual(body, {'sent_to': 'carol@example.com'})
        msgs = self.sink.wait_for(1)
        self.assertEqual(len(msgs), 1)
        mail_from, rcpts = self.sink.envelopes[0]
        self.assertEqual(rcpts, ['carol@example.com'])
        msg = msgs[0]
        self.assertIn('carol@example.com', str(msg['To']))
        self.assertNotIn('evil', str(msg['To']))
        self.assertIsNotNone(msg['Date'])
        self.assertIsNotNone(msg['Message-ID'])
        self.assertTrue(str(msg['Subject']).strip())
        self.assertEqual(msg.get_content_type(), 'text/plain')
        text = msg.get_content().replace('\r\n', '\n')
        self.assertIn('Hello, the printer says “offline”', text)
        self.assertIn('Grüße — please power-cycle it ✓', text)
        # The transcript in the mail is the note's body, with times people
        # read (the note keeps RFC 3339 UTC): "2026-11-30 06:04 UTC" on the
        # first line, "06:04" after it on the same day.
        note = self.transcript_note(carol, chat['request_id'], cid)
        lines = note['body'].strip('\n').split('\n')
        for i, line in enumerate(lines):
            stamp, rest = line[:24], line[25:]
            self.assertNotIn(stamp, text)
            readable = stamp[11:16] if i > 0 else stamp[:10] + ' ' + stamp[11:16] + ' UTC'
            self.assertIn(readable + ' ' + rest, text)

        # By the customer, after the end: also to her.
        tina.post('/chats/%d/end' % cid)
        status, body = carol.post('/chats/%d/email' % cid)
        self.assertEqual((status, body), (202, {'sent_to': 'carol@example.com'}))
        self.sink.wait_for(2)
        self.assertEqual(self.sink.envelopes[1][1], ['carol@example.com'])

    def test_refused_recipient(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        self.post_message(carol, chat['id'], 'hi')
        self.sink.refuse.add('carol@example.com')
        status, body = tina.post('/chats/%d/email' % chat['id'])
        self.assertError((status, body), 502, 'mail_failed')
        self.assertEqual(self.sink.messages, [])

    def test_not_configured(self):
        # A second server without --smtp-url.
        with Server() as plain:
            self.srv.close()
            self.srv = plain
            tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
            self.post_message(carol, chat['id'], 'hi')
            self.assertError(tina.post('/chats/%d/email' % chat['id']), 503, 'mail_not_configured')


if __name__ == '__main__':
    main()
