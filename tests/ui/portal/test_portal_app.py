#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real helpdesk-portal against the real helpdesk-server, driven from
outside through AT-SPI as a screen reader would (run by tests/ui/run-ui-test:
Xvfb, a D-Bus session, an unlocked keyring, the AT-SPI bus).

Carol logs in; Tina is not available, so the Chat menu says why and its
"Chat with Tina Tech" item is disabled; Tina (REST + her own event socket)
becomes available and the item enables without any refresh; Carol starts
the chat, waits, Tina accepts, they write both ways, Carol emails the
transcript (the SMTP sink receives it, to carol), Tina ends the chat, the
window shows the ended state and the transcript is on the Notes tab."""

import faulthandler
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pyatspi  # noqa: E402

from atspi_util import (app_by_pid, ask_past_last_window, dump, find_all, get_text, is_sensitive, states,  # noqa: E402
                        name_of, press, screenshot, screenshot_window, set_text, wait_find,
                        wait_for, wait_gone, window_named)
from hdtest import Api, Events, Server, SmtpSink  # noqa: E402
from notify_server import NotificationServer  # noqa: E402

REASON_UNAVAILABLE = 'Tina Tech is not available for chat right now'
CHAT_WITH_TINA = 'Chat with Tina Tech'
ENDED = 'Tina Tech ended the chat. The transcript was saved as a note on this request.'

ARTIFACTS = os.environ.get('HD_ARTIFACTS_DIR') or '.'


def step(text):
    print('# ' + text, flush=True)


def portal_bin():
    path = os.environ.get('HD_PORTAL_BIN')
    if not path:
        path = os.path.join(os.environ.get('HD_BUILD_ROOT', '.'), 'portal-app', 'helpdesk-portal')
    return path


def log_in(app, server_url):
    """Fills the shared login dialog: server, login, password; Log In."""
    dialog = wait_for('the login dialog', lambda: window_named(app, name='Log In'), timeout=30)
    fields = {}
    for f in find_all(dialog, role=['text', 'entry', 'password']):
        fields[name_of(f).lower()] = f
    assert {'server', 'login', 'password'} <= set(fields), 'fields: %r\n%s' % (list(fields), dump(dialog))
    if get_text(fields['server']).rstrip('/') != server_url.rstrip('/'):
        set_text(fields['server'], server_url)
    set_text(fields['login'], 'carol')
    set_text(fields['password'], 'demo')
    screenshot('portal-login.png')
    press(wait_find(dialog, 'the Log In button', role='button', name='Log In'))
    wait_for('the login dialog to close', lambda: window_named(app, name='Log In') is None, timeout=30)
    # Let the window fill before walking it: GTK 4.8 crashes when asked
    # about widgets that are being torn down (the dialog, rebuilt rows).
    time.sleep(1.0)


def is_active(frame):
    s = states(frame)
    return s is not None and s.contains(pyatspi.STATE_ACTIVE)


def check_notification(notes, chat_frame, summary, body=None):
    """A GNotification is due only while the chat window is not focused.
    (Without a window manager the X server decides the focus; both cases
    are checked as they come.)"""
    def match(n):
        return n['summary'] == summary and (body is None or n['body'] == body)
    if is_active(chat_frame):
        step('chat window focused: no notification "%s"' % summary)
        assert notes.wait_for(match, timeout=2) is None, notes.notifications
    else:
        step('chat window not focused: notification "%s"' % summary)
        assert notes.wait_for(match, timeout=10) is not None, notes.notifications


def enable_accessibility():
    """What a screen reader does when it starts: say so on the a11y bus,
    so that toolkits export their trees."""
    subprocess.run(['dbus-send', '--session', '--dest=org.a11y.Bus', '/org/a11y/bus',
                    'org.freedesktop.DBus.Properties.Set', 'string:org.a11y.Status',
                    'string:IsEnabled', 'variant:boolean:true'], check=False)
    pyatspi.Registry.getDesktop(0)


def main():
    # Where it hangs, if it does: the stacks just before meson's timeout.
    faulthandler.dump_traceback_later(float(os.environ.get('HD_UI_HANG_SECONDS', '200')))
    os.makedirs(ARTIFACTS, exist_ok=True)
    enable_accessibility()
    notes = NotificationServer()
    sink = SmtpSink()
    srv = Server(smtp_url=sink.url)
    env = dict(os.environ)
    env.pop('G_DEBUG', None)  # see the log check at the end
    env['GTK_A11Y'] = 'atspi'
    # No GPU under Xvfb: GL through llvmpipe costs seconds per frame on a
    # loaded machine, cairo draws the same pixels at once.
    env.setdefault('GSK_RENDERER', 'cairo')
    log_path = os.path.join(ARTIFACTS, 'portal-app.log')
    log = open(log_path, 'wb')
    started = time.monotonic()
    # HD_UI_WRAPPER="gdb -batch -ex run -ex bt --args" to debug a crash.
    wrapper = os.environ.get('HD_UI_WRAPPER', '').split()
    portal = subprocess.Popen(wrapper + [portal_bin(), '--server', srv.url], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    app = None
    try:
        app = app_by_pid(portal.pid, name='helpdesk-portal' if wrapper else None)
        main_window = wait_for('the main window', lambda: window_named(app, name='Helpdesk'), timeout=20)
        step('first window after %.0f ms' % ((time.monotonic() - started) * 1000))
        ask_past_last_window(app, portal)

        step('log in as carol')
        log_in(app, srv.url)

        ask_past_last_window(app, portal)
        step('request #1 is shown; chat is unavailable and says why')
        wait_find(main_window, 'the subject', role='label', name='Printer offline', timeout=20)
        wait_find(main_window, 'the reason label', role='label', name=REASON_UNAVAILABLE)
        chat_menu = wait_find(main_window, 'the Chat menu button', role=['toggle', 'button'], name='Chat')
        press(chat_menu)
        item = wait_find(main_window, CHAT_WITH_TINA, role='button', name=CHAT_WITH_TINA)
        assert not is_sensitive(item), '"%s" should be disabled while Tina is unavailable' % CHAT_WITH_TINA
        screenshot('portal-request-unavailable.png')

        step('Tina logs in with a socket and becomes available')
        tina = Api(srv).login('tina')
        ev = Events(srv, tina.token)
        ev.next('hello')
        status, body = tina.patch('/me', {'available_for_chat': True})
        assert status == 200, (status, body)

        step('the item enables by itself, the reason goes away')
        item = wait_find(main_window, CHAT_WITH_TINA + ' (enabled)', role='button', name=CHAT_WITH_TINA,
                         pred=is_sensitive, timeout=15)
        wait_gone(main_window, 'the reason', role='label', name=REASON_UNAVAILABLE)
        press(chat_menu)   # closes the menu, for the picture
        time.sleep(0.5)
        screenshot('portal-request.png')
        screenshot_window('Helpdesk', 'portal-request-window.png')
        press(chat_menu)
        item = wait_find(main_window, CHAT_WITH_TINA + ' (enabled)', role='button', name=CHAT_WITH_TINA,
                         pred=is_sensitive, timeout=15)

        step('start the chat: the chat window waits for Tina')
        press(item)
        chat_frame = wait_for('the chat window', lambda: window_named(app, contains='Chat with Tina Tech'), timeout=15)
        wait_find(chat_frame, 'the waiting state', role='label', contains='Waiting for Tina Tech to accept')
        screenshot('portal-chat-waiting.png')
        requested = ev.next('chat.requested', timeout=10)
        chat_id = requested['data']['id']

        step('Tina accepts')
        status, body = tina.post('/chats/%d/accept' % chat_id)
        assert status == 200, (status, body)
        wait_gone(chat_frame, 'the waiting state', role='label', contains='Waiting for Tina Tech to accept')
        check_notification(notes, chat_frame, 'Tina Tech accepted your chat')
        entry = wait_find(chat_frame, 'the message entry', role='text',
                          pred=lambda a: a.getState().contains(pyatspi.STATE_EDITABLE))

        step('Carol writes')
        set_text(entry, 'Hello from Carol, the printer is still offline')
        send = wait_find(chat_frame, 'the Send button', role='button', name='Send message')
        press(send)
        msg = ev.next('chat.message', timeout=10,
                      where=lambda d: d['body'] == 'Hello from Carol, the printer is still offline')
        assert msg['data']['author']['login'] == 'carol'

        step('Tina types and writes')
        ev.send('chat.typing', {'chat_id': chat_id})
        wait_find(chat_frame, 'the typing indicator', role='label', contains='typing', timeout=10)
        ev.send('chat.send', {'chat_id': chat_id, 'body': 'Hi Carol, Tina here. Is the <Ready> light on? Try turning it off and on.',
                              'client_id': str(uuid.uuid4())})
        wait_find(chat_frame, "Tina's message", role='label',
                  contains='Is the <Ready> light on?', timeout=10)
        # Notification bodies may be read as markup: the text arrives escaped.
        check_notification(notes, chat_frame, 'Tina Tech',
                           'Hi Carol, Tina here. Is the &lt;Ready&gt; light on? Try turning it off and on.')

        step('a second launch brings the main window to the front; Tina writes')
        subprocess.run(wrapper + [portal_bin()], env=env, timeout=30,
                       stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for('the chat window to lose the focus', lambda: not is_active(chat_frame), timeout=5)
        except AssertionError:
            step('(the X server kept the focus on the chat window)')
        status, body = tina.post('/chats/%d/messages' % chat_id,
                                 {'body': 'Are you still there?', 'client_id': str(uuid.uuid4())})
        assert status == 201, (status, body)
        wait_find(chat_frame, "Tina's question", role='label', name='Are you still there?', timeout=10)
        check_notification(notes, chat_frame, 'Tina Tech', 'Are you still there?')

        step('the server dies: "Reconnecting…"; Carol writes meanwhile')
        port = srv.port
        srv.kill9()
        wait_find(main_window, 'the Reconnecting banner', role='label', name='Reconnecting…', timeout=20)
        wait_find(chat_frame, 'the Reconnecting banner', role='label', name='Reconnecting…', timeout=5)
        screenshot('portal-reconnecting.png')
        entry = wait_find(chat_frame, 'the message entry', role='text',
                          pred=lambda a: a.getState().contains(pyatspi.STATE_EDITABLE))
        set_text(entry, 'Written while offline')
        press(wait_find(chat_frame, 'the Send button', role='button', name='Send message'))

        step('the server is back on the same port: caught up, nothing lost or doubled')
        srv.extra_args = ['--port', str(port)]
        srv.start()
        # Posted at once: the portal is most likely still waiting out its
        # back-off, so it gets this by catching up, not live.
        status, body = tina.post('/chats/%d/messages' % chat_id,
                                 {'body': 'Sent while you were away', 'client_id': str(uuid.uuid4())})
        assert status == 201, (status, body)
        ev = Events(srv, tina.token)
        ev.next('hello')
        wait_gone(main_window, 'the Reconnecting banner', role='label', name='Reconnecting…', timeout=40)
        wait_find(chat_frame, "Tina's message from the gap", role='label', name='Sent while you were away',
                  timeout=15)

        def stored_offline():
            status, body = tina.get('/chats/%d/messages' % chat_id)
            return [m for m in body['messages'] if m['body'] == 'Written while offline']
        stored = wait_for("Carol's offline message on the server", stored_offline, timeout=15)
        time.sleep(1.0)
        assert len(stored_offline()) == 1, stored_offline()
        assert stored[0]['author']['login'] == 'carol'
        for text in ('Hello from Carol, the printer is still offline', 'Written while offline',
                     'Sent while you were away', 'Are you still there?'):
            shown = find_all(chat_frame, role='label', name=text)
            assert len(shown) == 1, '%r shown %d times' % (text, len(shown))

        step('Email the transcript')
        press(wait_find(chat_frame, 'the Email button', role='button', name='Email'))
        mails = sink.wait_for(1, timeout=20)
        assert 'carol@example.com' in str(mails[0]['To']), mails[0]['To']
        assert 'Hello from Carol' in mails[0].get_body(('plain',)).get_content()
        wait_find(chat_frame, 'the toast', role='label', name='Transcript sent to you at carol@example.com',
                  timeout=10)
        screenshot('portal-chat.png')
        screenshot_window('Chat with Tina Tech', 'portal-chat-window.png')

        step('Tina ends the chat')
        status, body = tina.post('/chats/%d/end' % chat_id)
        assert status == 200, (status, body)
        wait_find(chat_frame, 'the ended state', role='label', name=ENDED, timeout=10)
        entry_states = entry.getState()
        assert not (entry_states.contains(pyatspi.STATE_EDITABLE) and entry_states.contains(pyatspi.STATE_SENSITIVE)), \
            'the entry should be disabled after the end'
        screenshot('portal-chat-ended.png')

        step('the transcript is on the Notes tab')
        press(wait_find(main_window, 'the Notes tab', role=['page_tab', 'toggle', 'button'],
                        pred=lambda a: name_of(a) == 'Notes', showing=False))
        wait_find(main_window, 'the transcript note', contains='Hello from Carol, the printer is still offline',
                  timeout=10)
        wait_find(main_window, 'the transcript note', contains='Try turning it off and on', timeout=10)
        screenshot('portal-notes.png')

        def close_and_start_another(frame, known):
            """Closes frame, asks the app past its last window, starts a
            chat from the Chat menu: (its id, its waiting window)."""
            press(wait_find(frame, 'the Close button', role='button', name='Close'))
            wait_for('the chat window to close',
                     lambda: window_named(app, contains='Chat with Tina Tech') is None, timeout=10)
            ask_past_last_window(app, portal)
            press(chat_menu)
            press(wait_find(main_window, CHAT_WITH_TINA + ' (enabled)', role='button', name=CHAT_WITH_TINA,
                            pred=is_sensitive, timeout=15))
            new_id = ev.next('chat.requested', timeout=10, where=lambda d: d['id'] not in known)['data']['id']
            new_frame = wait_for('the new chat window',
                                 lambda: window_named(app, contains='Chat with Tina Tech'), timeout=15)
            wait_find(new_frame, 'the waiting state', role='label', contains='Waiting for Tina Tech to accept')
            return new_id, new_frame

        step('close the ended chat; start another and withdraw it with Cancel')
        second, chat_frame = close_and_start_another(chat_frame, (chat_id,))
        press(wait_find(chat_frame, 'the Cancel button', role='button', name='Cancel'))
        ev.next('chat.taken', timeout=10, where=lambda d: d['id'] == second)
        status, body = Api(srv).login('carol').get('/chats/%d' % second)
        assert status == 200 and body['state'] == 'ended', (status, body)
        wait_find(chat_frame, 'the withdrawn state', role='label', name='Chat Request Withdrawn', timeout=10)
        assert not find_all(chat_frame, role='button', name='Leave a Message'), 'no message offer after a withdrawal'

        step('a third chat; Tina turns unavailable: it ends no_answer and the window says so')
        third, chat_frame = close_and_start_another(chat_frame, (chat_id, second))
        status, body = tina.patch('/me', {'available_for_chat': False})
        assert status == 200, (status, body)
        wait_find(chat_frame, 'the unanswered state', role='label', name='Nobody Could Answer', timeout=15)
        wait_find(chat_frame, 'the offer to leave a message', role='button', name='Leave a Message', timeout=10)
        wait_gone(chat_frame, 'the Cancel button of the waiting state', role='button', name='Cancel')
        status, body = Api(srv).login('carol').get('/chats/%d' % third)
        assert status == 200 and body['end_reason'] == 'no_answer', (status, body)
        screenshot_window('Chat with Tina Tech', 'portal-no-answer.png')
        # fatal-criticals is off for the app (a critical would abort it
        # mid-step), so look at the log instead: none may appear (GTK 4.8's
        # g_variant_new_object_path one came from a hidden toplevel, see
        # ask_past_last_window).
        log.flush()
        with open(log_path, 'rb') as f:
            criticals = [line for line in f.read().decode('utf-8', 'replace').splitlines()
                         if 'CRITICAL' in line]
        assert not criticals, '\n'.join(criticals)
        step('all good')
        return 0
    except Exception:
        traceback.print_exc()
        print('helpdesk-portal exit status: %r' % portal.poll())
        screenshot('portal-failure.png')
        if app is not None:
            try:
                dump(app, os.path.join(ARTIFACTS, 'portal-failure-tree.txt'))
                print('AT-SPI tree written to portal-failure-tree.txt')
            except Exception:
                pass
        return 1
    finally:
        if portal.poll() is None:
            portal.send_signal(signal.SIGTERM)
            try:
                portal.wait(10)
            except subprocess.TimeoutExpired:
                portal.kill()
                portal.wait()
        log.close()
        srv.close()
        sink.stop()
        notes.stop()


if __name__ == '__main__':
    sys.exit(main())
