#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Five chats at once, for the trial in doc/tech-chat-windows.md: the real
server (seeded) and the real helpdesk-tech; five customers each start a
chat with Tina, who has accepted them all; they write, she answers, two
write again while she reads another.  MODE is "windows" (a window per
chat) or "tabs" (GSettings chat-tabs: one window, a tab per chat).
Screenshots of the screen and of the chats go to $HD_ARTIFACTS_DIR.

Not a CI test: run it by hand on a large screen, e.g.
  xvfb-run -a -s '-screen 0 1920x1080x24' tests/ui/run-ui-test \\
    /usr/bin/python3 tests/ui/tech/trial_five_chats.py windows
(with HD_BUILD_ROOT, HD_SERVER_BIN, HD_TECH_BIN, PYTHONPATH=tests/integration
as meson's test environment sets them)."""

import ctypes
import os
import re
import subprocess
import sys
import time

import test_tech_app as t
from test_tech_app import (check, find_app, frames, log, name, showing, wait_find, wait_for,
                           wait_frame)
from hdtest import Api, Events, Server
from test_tech_live import login, mouse_click, start_app
from test_tech_app import click, find, find_all, press, role, set_text

CUSTOMERS = [('carol', None, 'Carol Customer', 1),
             ('chris', None, 'Chris Customer', None),
             ('dana', 'Dana Davis', 'Dana Davis', None),
             ('eli', 'Eli Evans', 'Eli Evans', None),
             ('fay', 'Fay Fischer', 'Fay Fischer', None)]
SUBJECTS = {'chris': 'Monitor flickers', 'dana': 'Mail quota exceeded',
            'eli': 'Cannot print PDFs', 'fay': 'Password reset'}
LINES = {
    'carol': ['The printer on floor 2 is offline again.', 'It was fine yesterday.'],
    'chris': ['My monitor flickers when I move windows.', 'It is a Dell U2415.'],
    'dana': ['Outlook says my mailbox is full.', 'Can you raise the quota?'],
    'eli': ['PDFs come out blank on the printer.', 'Word documents print fine.'],
    'fay': ['I am locked out after a password change.', 'My phone still has the old one.'],
}


def xid(title):
    info = subprocess.run(['xwininfo', '-name', title], capture_output=True, text=True).stdout
    m = re.search(r'Window id: (0x[0-9a-f]+)', info)
    return int(m.group(1), 16) if m else None


def geometry(title):
    info = subprocess.run(['xwininfo', '-name', title], capture_output=True, text=True).stdout

    def field(label):
        m = re.search(r'%s:\s+(-?\d+)' % label, info)
        return int(m.group(1)) if m else None
    return (field('Absolute upper-left X'), field('Absolute upper-left Y'),
            field('Width'), field('Height'))


def move(title, x, y):
    """No window manager here: XMoveWindow places the window as one would."""
    x11 = ctypes.CDLL('libX11.so.6')
    x11.XOpenDisplay.restype = ctypes.c_void_p
    display = x11.XOpenDisplay(None)
    wid = xid(title)
    if display and wid:
        x11.XMoveWindow(ctypes.c_void_p(display), ctypes.c_ulong(wid), x, y)
        x11.XFlush(ctypes.c_void_p(display))
    x11.XCloseDisplay(ctypes.c_void_p(display))


def shot(path, box=None):
    cmd = ['import', '-window', 'root']
    if box:
        x, y, w, h = box
        cmd += ['-crop', '%dx%d+%d+%d' % (w, h, x, y), '+repage']
    subprocess.run(cmd + [path], check=False)
    log('screenshot', path)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else 'windows'
    os.makedirs(t.ARTIFACTS, exist_ok=True)
    conf = os.path.join(os.environ['XDG_CONFIG_HOME'], 'glib-2.0', 'settings')
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, 'keyfile'), 'w') as f:
        f.write('[com/helpdeskchat/Tech]\nchat-tabs=%s\nconfirm-end-chat=true\n'
                % ('true' if mode == 'tabs' else 'false'))
    with Server() as srv:
        admin = Api(srv).login('admin', 'demo')
        tina = Api(srv).login('tina', 'demo')
        tina_id = tina.get('/me')[1]['id']
        # Online (a socket) and available, as her app would keep her.
        tina_events = Events(srv, tina.token)
        tina_events.next('hello')
        tina.patch('/me', {'available_for_chat': True})
        status, privileges = admin.get('/setup/privileges')
        admin.patch('/setup/privileges', {'max_chats_per_technician': 0})
        chats = {}
        customers = {}
        for login_, full, shown, request_id in CUSTOMERS:
            if full:
                status, user = admin.post('/users', {'login': login_, 'name': full,
                                                     'email': login_ + '@example.com',
                                                     'role': 'customer',
                                                     'password': 'password-' + login_})
                check(status == 201, 'customer %s (%d)' % (login_, status))
            api = Api(srv).login(login_, 'password-' + login_ if full else 'demo')
            customers[login_] = api
            if request_id is None:
                status, request = admin.post('/requests', {
                    'subject': SUBJECTS[login_], 'customer_id': api.get('/me')[1]['id'],
                    'assignee_id': tina_id})
                request_id = request['id']
            status, chat = api.post('/chats', {'request_id': request_id})
            check(status == 201, '%s asks for a chat (%d)' % (login_, status))
            status, _ = tina.post('/chats/%d/accept' % chat['id'], {})
            check(status == 200, 'Tina accepted %s' % login_)
            chats[login_] = chat['id']
            api.post('/chats/%d/messages' % chat['id'], {'body': LINES[login_][0],
                                                          'client_id': login_ + '-1'})
            tina.post('/chats/%d/messages' % chat['id'], {'body': 'Hello, Tina here. Let me look.',
                                                          'client_id': 'tina-' + login_})

        tina_events.close()
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env['GSETTINGS_BACKEND'] = 'keyfile'
        env.setdefault('GTK_A11Y', 'atspi')
        proc = start_app(srv, env)
        try:
            app = wait_for('the app', find_app)
            main_window = wait_frame(app, 'Helpdesk Chat')
            login(app, 'tina')
            wait_find(main_window, 'label', 'Tina Tech')
            if mode == 'tabs':
                wait_for('the Chats window', lambda: (log('frames', [name(f) for f in frames(app)])
                                                      or 'Chats' in [name(f) for f in frames(app)]),
                         timeout=20)
                time.sleep(2)
            else:
                for _, _, shown, _ in CUSTOMERS:
                    wait_frame(app, 'Chat with %s' % shown, timeout=20)
            time.sleep(1)
            # Two customers write again while Tina is elsewhere.
            for login_ in ('chris', 'eli'):
                customers[login_].post('/chats/%d/messages' % chats[login_],
                                       {'body': LINES[login_][1], 'client_id': login_ + '-2'})
            time.sleep(2)
            if mode == 'windows':
                # A window manager would cascade them; so do we.
                move('Helpdesk Chat', 0, 0)
                for i, (_, _, shown, _) in enumerate(CUSTOMERS):
                    move('Chat with %s' % shown, 560 + 150 * i, 40 + 70 * i)
                time.sleep(1)
                shot(os.path.join(t.ARTIFACTS, 'trial-windows-screen.png'))
            else:
                move('Helpdesk Chat', 0, 0)
                title = [name(f) for f in frames(app) if showing(f) and name(f) != 'Helpdesk Chat'][0]
                move(title, 560, 40)
                time.sleep(1)
                shot(os.path.join(t.ARTIFACTS, 'trial-tabs-screen.png'))
                shot(os.path.join(t.ARTIFACTS, 'trial-tabs-window.png'), geometry(title))
            log('windows:', [name(f) for f in frames(app) if showing(f)])

            # Real use: answer Chris (who wrote again), then end Dana's chat.
            t0 = time.monotonic()
            if mode == 'windows':
                chris_frame = wait_frame(app, 'Chat with Chris Customer')
                move('Chat with Chris Customer', 560 + 150 * 5, 40 + 70 * 5)  # to the front
                target = chris_frame
            else:
                target = wait_frame(app, 'Chats')
                press(11, 64)  # Alt+2: the second tab, Chris's (AdwTabView's own shortcut)
                wait_find(target, 'label', '#4 Monitor flickers')
            entry = wait_for('the message entry', lambda: [o for o in find_all(
                target, lambda o: role(o) == 'text' and showing(o) and
                'EditableText' in o.get_interfaces())])
            set_text(entry[-1], 'Thanks Chris, a U2415 needs the latest firmware.')
            click(find_all(target, lambda o: role(o) == 'push button' and showing(o)
                           and name(o).startswith('Send'))[-1])
            wait_for('the answer in the chat', lambda: find(
                target, None, 'a U2415 needs the latest firmware', 'contains'))
            if mode == 'windows':
                dana = wait_frame(app, 'Chat with Dana Davis')
                click(wait_find(dana, 'push button', 'End Chat'))
            else:
                press(12, 64)  # Alt+3: Dana's
                wait_find(target, 'label', '#5 Mail quota exceeded')
                click(wait_find(target, 'push button', 'End Chat'))
                question = wait_for('the question', lambda: [
                    f for f in frames(app) if showing(f) and find(f, None, 'Closing this tab ends', 'contains')])
                click(find_all(question[0], lambda o: role(o) == 'push button'
                               and name(o) == 'End Chat')[0])
            time.sleep(3)
            log('states', {k: customers[k].get('/chats/%d' % v)[1]['state'] for k, v in chats.items()})
            log('frames', [name(f) for f in frames(app) if showing(f)])
            wait_for('Dana\'s chat ended', lambda: customers['dana'].get(
                '/chats/%d' % chats['dana'])[1]['state'] == 'ended')
            log('answered Chris and ended Dana\'s chat in %.1f s (AT-SPI, not a person)'
                % (time.monotonic() - t0))
            time.sleep(1.5)
            shot(os.path.join(t.ARTIFACTS, 'trial-%s-after.png' % mode))
            log('windows after:', [name(f) for f in frames(app) if showing(f)])
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)


if __name__ == '__main__':
    main()
