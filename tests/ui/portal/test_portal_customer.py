#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract v2 "Customers" in the real portal, driven through AT-SPI.

Carol: nobody is available, so she leaves a message (an empty one is
refused with a clear sentence and the dialog stays); Tina hears of it
(note.created).  Tina becomes available; Chris is already waiting for her,
so Carol's chat window says she is second, then next once Chris withdraws
(chat.updated, no refresh).  Tina accepts and sends a picture: the chat
shows it with a Save button.  Carol sends a PDF through the file chooser
(Tina receives it), and an EXE renamed .png is refused with a clear
message.  Tina ends the chat; Carol rates it four stars with a comment,
once; the server has the rating.  Then the portal runs in German and its
accessible tree has the German words."""

import os
import subprocess
import sys
import time
import zlib
import struct

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pyatspi  # noqa: E402

from atspi_util import (app_by_pid, dump, find_all, is_sensitive, name_of, press,  # noqa: E402
                        screenshot, screenshot_window, set_text, wait_find, wait_for, wait_gone,
                        window_named)
from hdtest import Api, Events, Server  # noqa: E402
from screenshot_portal import ScreenshotPortal  # noqa: E402
from test_portal_app import enable_accessibility, log_in, portal_bin, step  # noqa: E402

ARTIFACTS = os.environ.get('HD_ARTIFACTS_DIR') or '.'


def png(width=64, height=48):
    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)
    rows = b''.join(b'\x00' + b''.join(bytes([(x * 4) % 256, (y * 5) % 256, 180]) for x in range(width))
                    for y in range(height))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def start_portal(srv, env, log):
    proc = subprocess.Popen([portal_bin(), '--server', srv.url], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    app = app_by_pid(proc.pid)
    return proc, app


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def base_env():
    env = dict(os.environ)
    env.pop('G_DEBUG', None)
    env['GTK_A11Y'] = 'atspi'
    env.setdefault('GSK_RENDERER', 'cairo')
    return env


def customer_story(srv, log):
    env = base_env()
    admin = Api(srv).login('admin')
    tina = Api(srv).login('tina')
    tina_ev = Events(srv, tina.token)
    tina_ev.next('hello')
    chris = Api(srv).login('chris')
    shots = ScreenshotPortal()
    proc, app = start_portal(srv, env, log)
    try:
        main_window = wait_for('the main window', lambda: window_named(app, name='Helpdesk'), timeout=40)
        log_in(app, srv.url)
        wait_find(main_window, 'the subject', role='label', name='Printer offline', timeout=40)

        step('nobody is available: Leave a Message')
        press(wait_find(main_window, 'the Leave a Message button', role='button', name='Leave a Message'))
        dialog = wait_for('the message dialog', lambda: window_named(app, name='Leave a Message'), timeout=25)
        press(wait_find(dialog, 'Send', role='button', name='Send'))
        wait_find(dialog, 'the empty-message error', role='label', name='Please write your message first.')
        text = wait_find(dialog, 'the message text', role='text', name='Message')
        set_text(text, 'Nobody there; please call me about the printer at 4711.')
        screenshot_window('Leave a Message', 'portal-leave-message.png')
        press(wait_find(dialog, 'Send', role='button', name='Send'))
        wait_for('the dialog to close', lambda: window_named(app, name='Leave a Message') is None, timeout=25)
        ev = tina_ev.next('note.created', timeout=25)
        assert ev['data']['body'] == 'Nobody there; please call me about the printer at 4711.', ev
        assert ev['data']['author']['login'] == 'carol', ev
        wait_find(main_window, 'the note in the Notes tab', role='label',
                  name='Nobody there; please call me about the printer at 4711.', timeout=25)
        step('ok: the message was left and Tina was told')

        step('Chris waits for Tina first; Carol is second, then next')
        status, req = admin.post('/requests', {'subject': 'Monitor flickers', 'customer_id': chris.id,
                                               'assignee_id': tina.id})
        assert status == 201, req
        status, body = tina.patch('/me', {'available_for_chat': True})
        assert status == 200, body
        status, chris_chat = chris.post('/chats', {'request_id': req['id']})
        assert status == 201, chris_chat
        chat_menu = wait_find(main_window, 'the Chat menu button', role=['toggle', 'button'], name='Chat')
        press(chat_menu)
        item = wait_find(main_window, 'Chat with Tina Tech', role='button', name='Chat with Tina Tech',
                         pred=is_sensitive, timeout=25)
        press(item)
        chat_frame = wait_for('the chat window', lambda: window_named(app, contains='Chat with Tina Tech'),
                              timeout=25)
        wait_find(chat_frame, 'position 2', role='label', contains='You are number 2 in the queue.', timeout=25)
        chris.post('/chats/%d/end' % chris_chat['id'])
        wait_find(chat_frame, 'position 1', role='label', contains='You are next in the queue.', timeout=25)
        time.sleep(0.5)
        screenshot_window('Chat with Tina Tech', 'portal-waiting-position.png')
        step('ok: the waiting window followed the queue live')

        step('Tina accepts and sends a picture')
        carol_chat = tina_ev.next('chat.requested', timeout=10,
                                  where=lambda d: d['customer']['name'] == 'Carol Customer')['data']
        status, body = tina.post('/chats/%d/accept' % carol_chat['id'])
        assert status == 200, body
        picture = png()
        status, _, raw = tina.raw('POST', '/chats/%d/attachments?filename=printer-panel.png' % carol_chat['id'],
                                  picture, {'Content-Type': 'application/octet-stream'})
        assert status == 201, raw
        wait_find(chat_frame, 'the Save button of the picture', role='button', name='Save “printer-panel.png”',
                  timeout=25)
        wait_find(chat_frame, 'the thumbnail', name='Picture “printer-panel.png”', showing=True, timeout=25)
        step('ok: the picture arrived, with Save')

        step('Carol sends a PDF through the file chooser, and an EXE renamed .png is refused')
        folder = os.path.join(ARTIFACTS, 'portal-files')
        os.makedirs(folder, exist_ok=True)
        pdf = os.path.join(folder, 'error-report.pdf')
        with open(pdf, 'wb') as f:
            f.write(b'%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')
        exe = os.path.join(folder, 'setup.png')
        with open(exe, 'wb') as f:
            f.write(b'MZ\x90\x00\x03\x00\x00\x00' + b'\x00' * 120)
        for path in (pdf, exe):
            press(wait_find(chat_frame, 'the attach button', role='button', name='Attach a file'))
            chooser = wait_for('the file chooser', lambda: window_named(app, name='Send a File'), timeout=25)
            # Typing a path opens the chooser's location entry.
            pyatspi.Registry.generateKeyboardEvent(ord('/'), None, pyatspi.KEY_SYM)
            location = wait_find(chooser, 'the location entry', role=['text', 'entry'],
                                 pred=lambda a: a.getState().contains(pyatspi.STATE_EDITABLE)
                                 and a.getState().contains(pyatspi.STATE_FOCUSED), timeout=25)
            set_text(location, path)
            time.sleep(0.3)
            # GTK 4.8 names a mnemonic button "_Send Send": by its words.
            press(wait_find(chooser, 'the Send button', role='button', contains='Send'))
            wait_for('the chooser to close', lambda: window_named(app, name='Send a File') is None, timeout=25)
        # By REST, not Tina's socket: the chooser steps can outlast the
        # server's silence limit for a socket nobody reads (slow under ASan).
        def pdf_stored():
            status, body = tina.get('/chats/%d/messages' % carol_chat['id'])
            return [m for m in body['messages'] if m.get('attachment')
                    and m['attachment']['filename'] == 'error-report.pdf']
        got = wait_for('the PDF on the server', pdf_stored, timeout=40)
        assert got[0]['attachment']['content_type'] == 'application/pdf', got
        wait_find(chat_frame, 'the refusal', role='label', contains='“setup.png” was not sent', timeout=25)
        time.sleep(0.5)
        screenshot_window('Chat with Tina Tech', 'portal-attachment.png')
        status, msgs = tina.get('/chats/%d/messages' % carol_chat['id'])
        names = [m['attachment']['filename'] for m in msgs['messages'] if m.get('attachment')]
        assert names == ['printer-panel.png', 'error-report.pdf'], names
        step('ok: the PDF was sent, the EXE refused, nothing else stored')

        step("Carol takes a screenshot through the desktop's Screenshot portal (a stand-in)")
        shot_path = os.path.join(folder, 'screen.png')
        with open(shot_path, 'wb') as f:
            f.write(png(80, 60))
        shots.answer_with(ScreenshotPortal.SUCCESS, 'file://' + shot_path)
        shot_button = wait_find(chat_frame, 'the screenshot button', role='button', name='Take a screenshot')
        press(shot_button)
        calls = shots.wait_calls(1)
        assert calls, 'the app never called the Screenshot portal'
        parent, options = calls[0]
        assert options.get('interactive') is True, options
        assert parent.startswith('x11:'), 'the chat window should be the parent: %r' % parent

        def attachments():
            status, body = tina.get('/chats/%d/messages' % carol_chat['id'])
            return [m['attachment']['filename'] for m in body['messages'] if m.get('attachment')]
        wait_for('the screenshot on the server', lambda: 'screen.png' in attachments(), timeout=40)

        step('the portal fails: Carol is told in our words; cancelled: nothing said; nothing sent')
        shots.answer_with(ScreenshotPortal.FAILED)
        press(shot_button)
        wait_find(chat_frame, 'the failure', role='label', contains='The screenshot could not be taken', timeout=25)
        shots.answer_with(ScreenshotPortal.CANCELLED)
        press(shot_button)
        assert shots.wait_calls(3), 'the third screenshot call never came'
        time.sleep(1.0)
        assert len(find_all(chat_frame, role='label', contains='could not be taken')) <= 1, 'a toast for a cancel'
        assert not find_all(chat_frame, role='label', contains='not available on this desktop'), 'a toast for a cancel'
        assert attachments() == ['printer-panel.png', 'error-report.pdf', 'screen.png'], attachments()
        step('ok: the screenshot was sent; a failure told, a cancel silent')

        step('Tina ends the chat; Carol rates it')
        status, body = tina.post('/chats/%d/end' % carol_chat['id'])
        assert status == 200, body
        wait_find(chat_frame, 'the rating question', role='label', name='How was this chat?', timeout=25)
        press(wait_find(chat_frame, '4 stars', role=['toggle', 'button'], name='4 stars'))
        set_text(wait_find(chat_frame, 'the comment', role=['text', 'entry'], name='Comment'),
                 'Quick and friendly')
        # The picture without the screenshot step's toast, once repainted.
        wait_gone(chat_frame, 'the screenshot toast', role='label', contains='could not be taken', timeout=15)
        time.sleep(0.5)
        screenshot_window('Chat with Tina Tech', 'portal-rating.png')
        press(wait_find(chat_frame, 'Send Rating', role='button', name='Send Rating'))
        wait_find(chat_frame, 'the thanks', role='label',
                  name='Thank you! You rated this chat 4 stars out of 5.', timeout=25)
        status, chat = tina.get('/chats/%d' % carol_chat['id'])
        assert chat['rating'] == {'score': 4, 'comment': 'Quick and friendly'}, chat
        time.sleep(0.3)
        screenshot_window('Chat with Tina Tech', 'portal-rated.png')
        step('ok: rated once, the server has it')
    except Exception:
        try:
            with open(os.path.join(ARTIFACTS, 'portal-customer-failure-tree.txt'), 'w') as f:
                for w in find_all(app, showing=False, pred=lambda a: a.getRole() in (
                        pyatspi.ROLE_FRAME, pyatspi.ROLE_DIALOG, pyatspi.ROLE_WINDOW)):
                    f.write(dump(w))
            screenshot('portal-customer-failure.png')
        except Exception:
            pass
        raise
    finally:
        stop(proc)
        shots.stop()


def german(srv, log):
    step('the portal in German')
    env = base_env()
    env['LANGUAGE'] = 'de'
    env['LC_ALL'] = 'C.UTF-8'
    env['HD_LOCALEDIR'] = os.path.join(os.environ.get('HD_BUILD_ROOT', '.'), 'po')
    proc, app = start_portal(srv, env, log)
    try:
        main_window = wait_for('the main window', lambda: window_named(app, name='Helpdesk'), timeout=40)
        # The first run remembered Carol (keyring): the German portal may
        # log in by itself; if it asks, it asks in German.
        time.sleep(3)
        dialog = window_named(app, name='Anmelden')
        if dialog is not None:
            fields = {name_of(f): f for f in find_all(dialog, role=['text', 'entry', 'password'])}
            assert {'Server', 'Anmeldename', 'Passwort'} <= set(fields), (list(fields), dump(dialog))
            set_text(fields['Anmeldename'], 'carol')
            set_text(fields['Passwort'], 'demo')
            press(wait_find(dialog, 'Anmelden', role='button', contains='Anmelden'))
            wait_for('the login dialog to close', lambda: window_named(app, name='Anmelden') is None, timeout=45)
        wait_find(main_window, 'the sidebar title', role='label', name='Meine Anfragen', timeout=40)
        wait_find(main_window, 'the New Request button', role='button', name='Neue Anfrage')
        wait_find(main_window, 'a translated status', role='label', contains='Anfrage #1', timeout=25)
        time.sleep(0.5)
        screenshot_window('Helpdesk', 'portal-de.png')
        step('ok: the accessible tree is in German')
    finally:
        stop(proc)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    enable_accessibility()
    srv = Server()
    log = open(os.path.join(ARTIFACTS, 'portal-customer-app.log'), 'wb')
    try:
        customer_story(srv, log)
        german(srv, log)
    finally:
        srv.close()
        log.close()
    print('ok: all steps passed', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
