#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start at Login, hidden: "helpdesk-tech --background" (the command line
Preferences > Start in the Background asks the background portal for; see
test_tech_live.py) opens no window, logs in from the keyring and keeps the
socket and notifications; launching it with --background again changes
nothing; a notification's action opens the main window.  Driven through
AT-SPI against the real server, with the stand-in notification server.

Run through tests/ui/run-ui-test.  Screenshots: $HD_ARTIFACTS_DIR."""

import os
import subprocess
import time

import test_tech_app as t
from test_tech_app import (TECH_BIN, check, click, find_app, log, menu_item, name,
                           open_main_menu, showing, wait_find, wait_for, wait_frame)
from hdtest import Api, Server
from notify_server import NotificationServer
import test_tech_live as live
from test_tech_live import debug_seen, login, press_later, start_app, tech


def windows():
    """The app's showing windows (none when it is not on the bus)."""
    app = find_app()
    return [name(f) for f in app if showing(f)] if app is not None else []


def quit_from_menu(proc, main_window):
    click(menu_item(open_main_menu(main_window), 'Quit and Stop Chat Requests'))
    try:
        return proc.wait(30 * max(t.SLOW, 1))
    except subprocess.TimeoutExpired:
        return None


def story(srv, env, notifications):
    # A first start: Tina logs in ("Remember me" is on) and quits.
    proc = start_app(srv, env)
    live.app_proc = proc
    app = wait_for('the app on the AT-SPI bus', find_app)
    main_window = wait_frame(app, 'Helpdesk Chat')
    login(app, 'tina')
    wait_find(main_window, 'label', 'Tina Tech')
    tina = Api(srv).login('tina', 'demo')
    tina.patch('/me', {'available_for_chat': True})
    wait_find(main_window, 'label', 'Available for chat')
    check(quit_from_menu(proc, main_window) == 0, 'the first run quit')
    admin = Api(srv).login('admin', 'demo')
    wait_for('Tina offline', lambda: tech(admin, 'tina')['online'] is False)

    # --background: no window, but logged in from the keyring and online.
    since = len(live.debug_lines)
    proc = start_app(srv, env, ['--background'])
    live.app_proc = proc
    wait_for('Tina online from the background start',
             lambda: tech(admin, 'tina')['online'] is True, timeout=30)
    check(True, 'started with --background, the app logged in from the keyring: Tina is online')
    time.sleep(1.5 * max(t.SLOW, 1))  # a window would be on the bus by now
    check(proc.poll() is None, 'the app runs')
    check(windows() == [], 'and shows no window (%r)' % windows())
    check(debug_seen('started in the background', since), 'it says "started in the background"')

    # Asked to start hidden again (a second autostart): nothing changes.
    status = subprocess.run([TECH_BIN, '--server', srv.url, '--background'], env=env, timeout=30,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    check(status == 0, '"helpdesk-tech --background" while it runs ends at once (%r)' % status)
    time.sleep(1.0 * max(t.SLOW, 1))
    check(windows() == [], 'and opens no window (%r)' % windows())

    # A chat request reaches her as a notification, with the sound.
    carol = Api(srv).login('carol', 'demo')
    status, chat = carol.post('/chats', {'request_id': 1})
    check(status == 201, 'Carol asks for a chat (%d)' % status)
    note = notifications.wait_for(lambda n: 'Carol Customer wants to chat about #1' in n['body'])
    check(note is not None, 'the chat request shows a desktop notification (%r)' % note)
    wait_for('the sound', lambda: debug_seen('playing message-new-instant', since))
    check(True, 'with the sound')
    check(windows() == [], 'still no window (%r)' % windows())

    # Its default action (the queue) opens the main window, logged in.
    press_later(notifications, note, '')
    app = wait_for('the app on the AT-SPI bus', find_app)
    main_window = wait_frame(app, 'Helpdesk Chat')
    wait_find(main_window, 'label', 'Tina Tech')
    wait_find(main_window, 'push button', 'Chat queue: 1 customer waiting')
    check(True, 'the notification opened the main window: Tina, with Carol in the queue')
    time.sleep(0.5)
    live.window_shot(main_window, 'background-opened.png')
    check(quit_from_menu(proc, main_window) == 0, 'Quit ends the app')


def main():
    notifications = NotificationServer()
    with Server() as srv:
        log('server at', srv.url)
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.setdefault('GTK_A11Y', 'atspi')
        env['G_MESSAGES_DEBUG'] = 'hd-tech-notify hd-tech-application'
        try:
            story(srv, env, notifications)
        except Exception:
            t.shot('background-failure')
            t.dump_tree()
            raise
        finally:
            proc = live.app_proc
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    notifications.stop()


if __name__ == '__main__':
    t.run(main)
