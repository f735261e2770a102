#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2, Customers: attachments.  POST /chats/{id}/attachments with
the raw bytes, the type decided from the bytes (never from the name or the
header), at most 10 MiB; GET /attachments/{id} with safe headers, for those
who may read the chat only."""

import hashlib
import os
import sqlite3
import struct
import zlib

from hdcase import ServerTestCase, main, new_client_id

MIB = 1024 * 1024


def png_1x1():
    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)
    raw = b'\x00\xff\x00\x00'          # one RGB pixel, filter byte 0
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


SAMPLES = {
    'shot.png': (png_1x1(), 'image/png'),
    'photo.jpg': (b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01' + b'\x00' * 64 + b'\xff\xd9', 'image/jpeg'),
    'anim.gif': (b'GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'image/gif'),
    'pic.webp': (b'RIFF\x1a\x00\x00\x00WEBPVP8 ' + b'\x00' * 14, 'image/webp'),
    'report.pdf': (b'%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'application/pdf'),
    'log.txt': ('Fehler: Drucker „offline“ ✓\r\nline 2\n'.encode('utf-8'), 'text/plain'),
}


class AttachmentTest(ServerTestCase):
    smtp = False

    def upload(self, api, chat_id, filename, data, headers=None, query=None):
        from urllib.parse import quote
        path = '/chats/%d/attachments' % chat_id
        q = []
        if filename is not None:
            q.append('filename=' + quote(filename, safe=''))
        if query:
            q.append(query)
        if q:
            path += '?' + '&'.join(q)
        hdrs = {'Content-Type': 'application/octet-stream'}
        hdrs.update(headers or {})
        status, body, _ = api.raw('POST', path, data, hdrs)
        return status, body

    def download(self, api, att_id):
        import http.client
        import urllib.parse
        parts = urllib.parse.urlsplit(self.srv.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        hdrs = {'Authorization': 'Bearer ' + api.token} if api.token else {}
        conn.request('GET', '/api/v1/attachments/%d' % att_id, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, resp.headers, data

    def test_every_kept_type_round_trips(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        for name, (data, ctype) in SAMPLES.items():
            # The header lies (and says PDF): the bytes decide.
            status, msg = self.upload(carol, cid, name, data, {'Content-Type': 'application/pdf'})
            self.assertEqual(status, 201, (name, msg))
            self.assertEqual(msg['kind'], 'attachment')
            self.assertEqual(msg['author']['id'], carol.id)
            att = msg['attachment']
            self.assertEqual((att['filename'], att['content_type'], att['size'], att['sha256']),
                             (name, ctype, len(data), hashlib.sha256(data).hexdigest()), name)
            self.assertIsInstance(att['id'], int)
            # The technician gets it live, with the same attachment.
            ev = tina_ev.next('chat.message', where=lambda d: d['id'] == msg['id'])
            self.assertEqual(ev['data']['attachment'], att)
            self.assertEqual(ev['data']['kind'], 'attachment')
            # Both members download the same bytes, with safe headers.
            for api in (carol, tina):
                status, headers, got = self.download(api, att['id'])
                self.assertEqual(status, 200, name)
                self.assertEqual(got, data, name)
                self.assertEqual(headers['Content-Type'].split(';')[0].strip(), ctype)
                self.assertEqual(headers['X-Content-Type-Options'], 'nosniff')
                disp = headers['Content-Disposition']
                self.assertTrue(disp.startswith('attachment'), disp)
                self.assertIn('filename', disp)
            if ctype == 'text/plain':
                self.assertIn('charset=utf-8', headers['Content-Type'].lower())

        # The messages list has them in seq order, with their attachments.
        body = self.messages(tina, cid)
        self.assertEqual([m['attachment']['filename'] for m in body['messages']], list(SAMPLES))
        self.assertEqual([m['seq'] for m in body['messages']], list(range(1, len(SAMPLES) + 1)))
        # The transcript names each file and its size.
        note = self.transcript_note(tina, chat['request_id'], cid)
        self.assertIn('Carol Customer: [attachment: shot.png, %d bytes]' % len(SAMPLES['shot.png'][0]),
                      note['body'])
        self.assertIn('[attachment: report.pdf, %d bytes]' % len(SAMPLES['report.pdf'][0]), note['body'])
        self.assertEqual(note['length'], len(note['body']))

    def test_refused_types_and_names(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        exe = b'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00' + b'\x00' * 200
        for name, data in (('setup.png', exe),                          # an EXE renamed .png
                           ('zip.pdf', b'PK\x03\x04' + b'\x00' * 100),
                           ('bad.txt', b'caf\xe9 latin-1, not UTF-8'),
                           ('nul.txt', b'text with a \x00 byte'),
                           ('elf.txt', b'\x7fELF\x02\x01\x01' + b'\x00' * 50)):
            status, body = self.upload(carol, cid, name, data)
            self.assertError((status, body), 415, 'unsupported_media_type')
        # Names: missing, empty, with a line break, too long.
        data = SAMPLES['shot.png'][0]
        for name in (None, '', 'a\nb.png', 'x' * 300 + '.png'):
            status, body = self.upload(carol, cid, name, data)
            self.assertError((status, body), 400, 'bad_request')
        # An empty body.
        self.assertError(self.upload(carol, cid, 'empty.txt', b''), 400, 'bad_request')
        # A path is cut to its last part.
        status, msg = self.upload(carol, cid, '../../etc/shot.png', data)
        self.assertEqual(status, 201, msg)
        self.assertEqual(msg['attachment']['filename'], 'shot.png')
        # Nothing refused was stored: only that one message.
        self.assertEqual(len(self.messages(tina, cid)['messages']), 1)

    def test_size_limit(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        png = SAMPLES['shot.png'][0]
        # Exactly 10 MiB is kept (a PNG signature, then filler).
        big = png + os.urandom(10 * MIB - len(png))
        status, msg = self.upload(carol, cid, 'big.png', big)
        self.assertEqual(status, 201, msg)
        self.assertEqual(msg['attachment']['size'], 10 * MIB)
        status, headers, got = self.download(tina, msg['attachment']['id'])
        self.assertEqual((status, hashlib.sha256(got).hexdigest()),
                         (200, hashlib.sha256(big).hexdigest()))
        note = self.transcript_note(tina, chat['request_id'], cid)
        self.assertIn('[attachment: big.png, 10.5 MB]', note['body'])
        # One byte more, and 20 MiB: 413, nothing stored.
        self.assertError(self.upload(carol, cid, 'big2.png', big + b'\x00'), 413, 'payload_too_large')
        self.assertError(self.upload(carol, cid, 'huge.png', png + b'\x00' * (20 * MIB)),
                         413, 'payload_too_large')
        self.assertEqual(len(self.messages(tina, cid)['messages']), 1)
        # Other routes keep their 64 KiB limit.
        status, body = carol.post('/chats/%d/messages' % cid, {'body': 'x' * (70 * 1024)})
        self.assertEqual(status, 413, body)
        # The server is still fine.
        self.post_message(carol, cid, 'still here')

        # The bytes do not live in the message row.
        self.srv.stop()
        if self.srv.store == 'postgresql':
            import hdpg
            longest = int(hdpg.shared_cluster().psql(
                self.srv.database, 'SELECT MAX(LENGTH(body)) FROM messages').strip())
        else:
            db = sqlite3.connect(self.srv.database)
            try:
                longest = db.execute('SELECT MAX(LENGTH(body)) FROM messages').fetchone()[0]
            finally:
                db.close()
        self.assertLess(longest, 1000)

    def test_who_may_send_and_read(self):
        tina, tina_ev, carol, carol_ev, chat = self.accepted_chat()
        cid = chat['id']
        data = SAMPLES['log.txt'][0]
        chris = self.login('chris')
        admin = self.login('admin')
        theo = self.login('theo')
        # Not a member: 404, for sending and reading.
        self.assertError(self.upload(chris, cid, 'x.txt', data), 404, 'not_found')
        status, msg = self.upload(tina, cid, 'from-tina.txt', data)
        self.assertEqual(status, 201, msg)
        aid = msg['attachment']['id']
        carol_ev.next('chat.message', where=lambda d: d['id'] == msg['id'])
        status, _, got = self.download(chris, aid)
        self.assertEqual(status, 404)
        self.assertNotEqual(got, data)
        status, _, _ = self.download(carol, 999999)
        self.assertEqual(status, 404)
        # No token: 401.
        anon = type(carol)(self.srv)
        status, _, _ = self.download(anon, aid)
        self.assertEqual(status, 401)
        # Staff who can see the request (its transcript names the file) may read it.
        for api in (admin, theo):
            status, _, got = self.download(api, aid)
            self.assertEqual((status, got), (200, data))

        # Idempotent with a client_id: a retried upload is not a second message.
        token = 'client_id=' + new_client_id()
        status, first = self.upload(carol, cid, 'again.txt', data, query=token)
        self.assertEqual(status, 201, first)
        status, second = self.upload(carol, cid, 'again.txt', data, query=token)
        self.assertEqual((status, second['id']), (200, first['id']))

        # After the end: 409 chat_ended; the files stay readable.
        tina.post('/chats/%d/end' % cid)
        self.assertError(self.upload(carol, cid, 'late.txt', data), 409, 'chat_ended')
        status, _, got = self.download(carol, aid)
        self.assertEqual((status, got), (200, data))
        # And after a restart.
        self.srv.restart()
        carol = self.login('carol')
        status, headers, got = self.download(carol, aid)
        self.assertEqual((status, got), (200, data))
        self.assertIn('from-tina.txt', headers['Content-Disposition'])

    def test_waiting_chat_and_odd_filenames(self):
        tina = self.login('tina')
        carol = self.login('carol')
        self.go_online(tina)
        chat = self.open_chat(carol, self.request_id(carol, 'Printer offline'))
        data = SAMPLES['shot.png'][0]
        self.assertError(self.upload(carol, chat['id'], 'early.png', data), 409, 'conflict')
        tina.post('/chats/%d/accept' % chat['id'])
        # A name with quotes and non-ASCII letters survives, and the header stays one line.
        name = 'Bildschirm "Fehler"; ä.png'
        status, msg = self.upload(carol, chat['id'], name, data)
        self.assertEqual(status, 201, msg)
        self.assertEqual(msg['attachment']['filename'], name)
        status, headers, got = self.download(tina, msg['attachment']['id'])
        self.assertEqual(status, 200)
        disp = headers['Content-Disposition']
        self.assertNotIn('\n', disp)
        self.assertIn("filename*=UTF-8''", disp)
        self.assertIn('Bildschirm%20%22Fehler%22%3B%20%C3%A4.png', disp)
        # An HTML file is plain text to us, and served as such.
        html = b'<html><script>alert(1)</script></html>\n'
        status, msg = self.upload(carol, chat['id'], 'page.html', html, {'Content-Type': 'text/html'})
        self.assertEqual(status, 201, msg)
        self.assertEqual(msg['attachment']['content_type'], 'text/plain')
        status, headers, got = self.download(tina, msg['attachment']['id'])
        self.assertTrue(headers['Content-Type'].startswith('text/plain'), headers['Content-Type'])


if __name__ == '__main__':
    main()
