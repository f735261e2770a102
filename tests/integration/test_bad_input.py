#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input gets a clear error and changes nothing: malformed JSON, an
oversized body, message limits, bad WebSocket frames (error event, socket
stays open), an oversized frame (close 1009)."""

import json

from hdcase import ServerTestCase, main, new_client_id
from hdtest import Api, error_code


class BadInputTest(ServerTestCase):
    smtp = False

    def test_malformed_json(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        path = '/api/v1/chats/%d/messages' % chat['id']
        for data in (b'{', b'not json', b'[1, 2]', b'"a string"', b'{"body": }',
                     b'\xff\xfe{}', b'{"body": "x", "client_id": 5}', b'null',
                     b'{"body": 5, "client_id": "c"}', b''):
            status, body, raw = carol.raw('POST', path, data, {'Content-Type': 'application/json'})
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (data, raw))
            self.assertTrue(body['error']['message'])
        status, body, raw = Api(self.srv).raw('POST', '/api/v1/session', b'{"login": "carol", ',
                                              {'Content-Type': 'application/json'}, auth=False)
        self.assertEqual((status, error_code(body)), (400, 'bad_request'), raw)
        self.assertEqual(self.messages(carol, chat['id'])['messages'], [])
        # The server is still fine.
        self.post_message(carol, chat['id'], 'still here')

    def test_oversized_body(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        big = json.dumps({'body': 'x' * (70 * 1024), 'client_id': new_client_id()}).encode()
        status, body, raw = carol.raw('POST', '/api/v1/chats/%d/messages' % chat['id'], big,
                                      {'Content-Type': 'application/json'})
        self.assertEqual((status, error_code(body)), (413, 'payload_too_large'), raw[:200])
        big = b'{"login": "carol", "password": "' + b'a' * (65 * 1024) + b'"}'
        status, body, raw = Api(self.srv).raw('POST', '/api/v1/session', big,
                                              {'Content-Type': 'application/json'}, auth=False)
        self.assertEqual((status, error_code(body)), (413, 'payload_too_large'), raw[:200])
        self.assertEqual(self.messages(carol, chat['id'])['messages'], [])
        self.post_message(carol, chat['id'], 'still here')

    def test_message_limits(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        path = '/chats/%d/messages' % chat['id']
        for bad in ('', ' ', '   \n\t ', '\u00a0\u2003', 'x' * 4001, 'ü' * 4001):
            status, body = carol.post(path, {'body': bad, 'client_id': new_client_id()})
            self.assertEqual((status, error_code(body)), (400, 'bad_request'), (bad[:10], len(bad), body))
        # A lone surrogate is not valid UTF-8.
        status, body, raw = carol.raw('POST', '/api/v1' + path,
                                      b'{"body": "bad \\udc80 text", "client_id": "s1"}',
                                      {'Content-Type': 'application/json'})
        self.assertEqual((status, error_code(body)), (400, 'bad_request'), raw)
        self.assertEqual(self.messages(carol, chat['id'])['messages'], [])

        # The limits themselves are fine: 1 and 4000 characters (not bytes).
        self.post_message(carol, chat['id'], '.')
        m = self.post_message(carol, chat['id'], 'ü' * 4000)
        self.assertEqual(len(m['body']), 4000)
        m = self.post_message(carol, chat['id'], '  padded  ')
        self.assertEqual(m['body'], '  padded  ')

        # The same over the socket: an error event, nothing stored.
        for bad in ('', '  ', 'y' * 4001):
            carol_ev.send('chat.send', {'chat_id': chat['id'], 'body': bad, 'client_id': new_client_id()})
            self.assertEqual(carol_ev.next('error')['data']['code'], 'bad_request')
        self.assertEqual(len(self.messages(carol, chat['id'])['messages']), 3)

    def test_bad_frames_keep_socket_open(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        bad_frames = [
            'not json',
            '{"type": "chat.send"',
            '[]',
            '42',
            '{"type": "no.such.type", "data": {}}',
            '{"data": {}}',
            '{"type": "chat.send"}',
            '{"type": "chat.send", "data": "x"}',
            '{"type": "chat.send", "data": {"chat_id": "one", "body": "x", "client_id": "a"}}',
            '{"type": "chat.send", "data": {"chat_id": %d}}' % chat['id'],
            '{"type": "chat.send", "data": {"chat_id": 99999, "body": "x", "client_id": "b"}}',
            '{"type": "chat.typing", "data": {}}',
        ]
        for frame in bad_frames:
            carol_ev.send_raw(frame)
            err = carol_ev.next('error', timeout=5)['data']
            self.assertIsInstance(err['code'], str, frame)
            self.assertTrue(err['message'], frame)
        carol_ev.send_raw(b'\x00\x01binary')
        # Binary is not part of the protocol: an error or silence, never a crash.
        carol_ev.collect(0.3)

        # Still open and working.
        client_id = new_client_id()
        carol_ev.send('chat.send', {'chat_id': chat['id'], 'body': 'after the noise', 'client_id': client_id})
        ev = carol_ev.next('chat.message')['data']
        self.assertEqual(ev['client_id'], client_id)
        self.assertEqual([m['body'] for m in self.messages(tina, chat['id'])['messages']],
                         ['after the noise'])

    def test_oversized_frame_closes_1009(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        frame = json.dumps({'type': 'chat.send',
                            'data': {'chat_id': chat['id'], 'body': 'z' * (65 * 1024),
                                     'client_id': new_client_id()}})
        try:
            carol_ev.send_raw(frame)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertEqual(carol_ev.expect_close(), 1009)
        self.assertEqual(self.messages(carol, chat['id'])['messages'], [])
        # Other sockets and the server are unaffected.
        self.post_message(tina, chat['id'], 'fine')
        self.assertEqual(tina_ev.next('chat.message')['data']['body'], 'fine')

    def test_bad_ids_and_methods(self):
        carol = self.login('carol')
        for path in ('/requests/abc', '/requests/-1', '/chats/1x', '/requests/99999999999999999999'):
            status, body = carol.get(path)
            self.assertIn(status, (400, 404), (path, body))
            self.assertIsNotNone(error_code(body), (path, body))
        status, body = carol.get('/no/such/route')
        self.assertEqual(status, 404, body)
        status, body = carol.call('PUT', '/me', {})
        self.assertIn(status, (404, 405), body)
        # Wrong JSON types in POST /chats.
        for bad in ({'request_id': 'one'}, {}, {'request_id': None}, {'request_id': 1.5}):
            status, body = carol.post('/chats', bad)
            self.assertIn(status, (400, 404), (bad, body))
            self.assertIsNotNone(error_code(body))


if __name__ == '__main__':
    main()
