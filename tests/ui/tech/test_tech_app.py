#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's story, driven from outside through AT-SPI as a screen reader
would: the real helpdesk-server (with an SMTP sink) and the real
helpdesk-tech.  Tina logs in, makes herself available, Carol (through the
REST API and her own event socket) asks for a chat, the badge appears, Tina
accepts, they talk both ways, Tina emails the transcript and closes the
window, which ends the chat and leaves the transcript as a request note.

Run through tests/ui/run-ui-test (X display, D-Bus, keyring, AT-SPI bus).
Screenshots go to $HD_ARTIFACTS_DIR/tech-*.png."""

import os
import subprocess
import sys
import time
import uuid

import threading

import pyatspi
from gi.repository import Gio, GLib

from hdtest import Api, Events, Server, SmtpSink

ARTIFACTS = os.environ.get('HD_ARTIFACTS_DIR') or os.path.join(os.getcwd(), 'test-artifacts')
TECH_BIN = os.environ.get('HD_TECH_BIN') or os.path.join(
    os.environ.get('HD_BUILD_ROOT', '.'), 'tech-app', 'helpdesk-tech')
APP_NAME = os.path.basename(TECH_BIN)
# Under the sanitizers everything is several times slower.
SLOW = float(os.environ.get('MESON_TEST_TIMEOUT_MULTIPLIER') or 1)
TIMEOUT = 20 * max(SLOW, 1)

failures = []


def log(*args):
    print('#', *args, flush=True)


def shot(name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, 'tech-%s.png' % name)
    subprocess.run(['import', '-window', 'root', path], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log('screenshot', path)
    return path


def wait_for(what, fn, timeout=None):
    """Polls fn() until it returns something true; fails with `what`."""
    deadline = time.monotonic() + (timeout or TIMEOUT)
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # a vanishing accessible object, mostly
            last_error = e
        time.sleep(0.1)
    raise AssertionError('timed out waiting for %s%s' % (
        what, ' (last error: %r)' % last_error if last_error else ''))


def role(obj):
    try:
        return obj.getRoleName()
    except Exception:
        return None


def name(obj):
    try:
        return obj.name or ''
    except Exception:
        return ''


def showing(obj):
    # GTK 4.8 marks only toplevels "showing"; other widgets carry
    # "visible" (gtk_widget_get_visible), so that is what is checked.
    try:
        states = obj.getState()
        if role(obj) in ('frame', 'dialog', 'window', 'alert'):
            return states.contains(pyatspi.STATE_SHOWING)
        return states.contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is not None and name(app) == APP_NAME and app.childCount > 0:
            return app
    return None


def find(root, role_name, acc_name, match='exact', visible=True):
    def pred(obj):
        if role_name is not None and role(obj) != role_name:
            return False
        n = name(obj)
        if match == 'exact' and n != acc_name:
            return False
        if match == 'prefix' and not n.startswith(acc_name):
            return False
        if match == 'contains' and acc_name not in n:
            return False
        return not visible or showing(obj)
    return pyatspi.findDescendant(root, pred)


def find_all(root, pred):
    return pyatspi.findAllDescendants(root, pred)


def wait_find(root, role_name, acc_name, match='exact', timeout=None, visible=True):
    return wait_for('%s "%s"' % (role_name, acc_name),
                    lambda: find(root, role_name, acc_name, match, visible), timeout)


def frames(app):
    return [c for c in app if role(c) in ('frame', 'dialog', 'window')]


def wait_frame(app, title, match='exact', timeout=None):
    def look():
        for f in frames(app):
            n = name(f)
            if (match == 'exact' and n == title) or (match == 'prefix' and n.startswith(title)):
                if showing(f):
                    return f
        return None
    return wait_for('window "%s"' % title, look, timeout)


def click(obj):
    action = obj.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
            action.doAction(i)
            return
    action.doAction(0)


def set_text(obj, text):
    obj.queryEditableText().setTextContents(text)


def check(cond, what):
    if cond:
        log('ok:', what)
    else:
        log('FAIL:', what)
        failures.append(what)


def label_texts(root):
    return [name(o) for o in find_all(root, lambda o: role(o) == 'label' and showing(o))]


def dump_tree():
    """Writes the app's accessibility tree next to the screenshots."""
    app = find_app()
    if app is None:
        return
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, 'tech-failure-tree.txt')
    with open(path, 'w') as out:
        def walk(obj, depth):
            try:
                states = [pyatspi.stateToString(x) for x in obj.getState().getStates()]
                out.write('%s%s %r %s\n' % ('  ' * depth, role(obj), name(obj), states))
                for child in obj:
                    walk(child, depth + 1)
            except Exception as e:
                out.write('%s<%r>\n' % ('  ' * depth, e))
        walk(app, 0)
    log('accessibility tree', path)


NOTIFICATIONS_XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
</node>
"""


class NotificationServer:
    """A desktop notification server on the test's session bus, so the
    GNotification the app sends (fdo backend) can be read and its buttons
    pressed."""

    def __init__(self):
        self.notes = []          # dicts: id, summary, body, actions
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.conn = None
        self.loop = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self):
        ctx = GLib.MainContext()
        ctx.push_thread_default()
        self.loop = GLib.MainLoop(ctx)
        self.conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        info = Gio.DBusNodeInfo.new_for_xml(NOTIFICATIONS_XML).interfaces[0]
        self.conn.register_object('/org/freedesktop/Notifications', info,
                                  self._call, None, None)
        Gio.bus_own_name_on_connection(self.conn, 'org.freedesktop.Notifications',
                                       Gio.BusNameOwnerFlags.NONE,
                                       lambda *a: self.ready.set(), None)
        self.loop.run()

    def _call(self, conn, sender, path, iface, method, params, invocation):
        if method == 'Notify':
            app, replaces, icon, summary, body, actions, hints, timeout = params.unpack()
            with self.lock:
                nid = replaces or len(self.notes) + 1
                self.notes.append({'id': nid, 'summary': summary, 'body': body,
                                   'actions': dict(zip(actions[1::2], actions[0::2]))})
            invocation.return_value(GLib.Variant('(u)', (nid,)))
        elif method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['actions', 'body'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('test', 'hd', '1', '1.2')))
        else:
            invocation.return_value(None)

    def find(self, text):
        with self.lock:
            for n in self.notes:
                if text in n['body']:
                    return n
        return None

    def press(self, note, label):
        """Presses the button called `label`, as a person would."""
        key = note['actions'][label]
        self.conn.emit_signal(None, '/org/freedesktop/Notifications',
                              'org.freedesktop.Notifications', 'ActionInvoked',
                              GLib.Variant('(us)', (note['id'], key)))
        self.conn.flush_sync(None)


def main():
    with SmtpSink() as sink, Server(smtp_url=sink.url) as srv:
        log('server at', srv.url)
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.setdefault('GTK_A11Y', 'atspi')

        notifications = NotificationServer()
        started = time.monotonic()
        app_proc = subprocess.Popen([TECH_BIN, '--server', srv.url], env=env)
        try:
            story(srv, sink, notifications, started)
        except Exception:
            shot('failure')
            dump_tree()
            raise
        finally:
            if app_proc.poll() is None:
                app_proc.terminate()
                try:
                    app_proc.wait(10)
                except subprocess.TimeoutExpired:
                    app_proc.kill()
            log('app exit status', app_proc.returncode)


def story(srv, sink, notifications, started):
    # --- start-up: the window comes first, then the login dialog ---------
    app = wait_for('the app on the AT-SPI bus', find_app)
    main_window = wait_frame(app, 'Helpdesk Chat')
    # Includes AT-SPI registration and the bus round trips, so it is an
    # upper bound of what a person would wait.
    log('first window visible on the accessibility bus after %.0f ms'
        % ((time.monotonic() - started) * 1000))

    def login_dialog():
        for f in frames(app):
            if showing(f) and name(f) != 'Helpdesk Chat' and find(f, 'text', 'Login', 'prefix'):
                return f
        return None
    dialog = wait_for('the login dialog', login_dialog)
    shot('login')
    login_field = find(dialog, 'text', 'Login', 'prefix')
    password_field = find(dialog, 'password text', 'Password', 'prefix') or \
        find(dialog, 'text', 'Password', 'prefix')
    check(password_field is not None, 'the login dialog has a password field')
    set_text(login_field, 'tina')
    set_text(password_field, 'demo')
    click(wait_find(dialog, 'push button', 'Log In', 'contains'))

    wait_find(main_window, 'label', 'Tina Tech')
    wait_find(main_window, 'label', 'Not available')
    check(True, 'logged in: the header shows "Tina Tech" and "Not available"')
    check(find(main_window, 'push button', 'Chat queue: no one is waiting') is not None,
          'the chat alert button says no one is waiting')
    check(find(main_window, None, 'No one is waiting') is not None or
          find(main_window, 'label', 'No one is waiting') is not None,
          'the empty queue shows "No one is waiting"')

    tina_rest = Api(srv).login('tina', 'demo')

    # --- Home > My Account > Edit > Yes > Save ---------------------------
    sidebar = wait_find(main_window, 'list', 'Home')
    rows = [c for c in sidebar if role(c) == 'list item']
    account_index = [i for i, r in enumerate(rows) if name(r) == 'My Account']
    check(account_index, 'the Home sidebar has "My Account"')
    sidebar.querySelection().selectChild(account_index[0])
    click(wait_find(main_window, 'push button', 'Edit'))
    click(wait_find(main_window, 'push button', 'Available for chat: Yes'))
    click(wait_find(main_window, 'push button', 'Save'))
    wait_find(main_window, 'label', 'Available for chat')
    status, me = tina_rest.get('/me')
    check(status == 200 and me['available_for_chat'] is True,
          'Save set available_for_chat on the server (GET /me)')
    shot('account')

    # --- Carol asks for a chat about #1 ----------------------------------
    carol = Api(srv).login('carol', 'demo')
    carol_events = Events(srv, carol.token)
    carol_events.next('hello')
    status, chat = carol.post('/chats', {'request_id': 1})
    check(status == 201, 'Carol started a chat through REST (201)')
    chat_id = chat['id']

    alert = wait_find(main_window, 'push button', 'Chat queue: 1 customer waiting')
    note = wait_for('the desktop notification', lambda: notifications.find(
        'Carol Customer wants to chat about #1 Printer offline'))
    check('Accept' in note['actions'], 'the notification has an Accept button')
    check(find(main_window, 'label', '1') is not None, 'the badge shows 1')
    click(alert)
    accept = wait_find(main_window, 'push button', 'Accept chat with Carol Customer')
    labels = label_texts(main_window)
    check(any('Printer offline' in t for t in labels) or
          find(main_window, None, 'Printer offline', 'contains') is not None,
          'the queue row names the request "#1 Printer offline"')
    time.sleep(0.8)  # let the attention animation settle for the picture
    shot('queue')

    # --- accept: a chat window opens -------------------------------------
    click(accept)
    chat_window = wait_frame(app, 'Chat with Carol Customer')
    accepted = carol_events.next('chat.accepted', where=lambda d: d['id'] == chat_id)
    check(accepted['data']['technician']['name'] == 'Tina Tech',
          "Carol's socket got chat.accepted by Tina")
    wait_for('the queue to empty', lambda: find(main_window, 'push button',
                                                'Chat queue: no one is waiting'))
    check(find(chat_window, 'label', '#1 Printer offline', 'prefix') is not None,
          'the chat window shows the request summary')

    # --- Carol writes, the app shows it ----------------------------------
    carol_text = 'Hello, my printer says it is offline.'
    status, _ = carol.post('/chats/%d/messages' % chat_id,
                           {'body': carol_text, 'client_id': str(uuid.uuid4())})
    check(status == 201, 'Carol posted a message (201)')
    wait_for("Carol's message in the chat window",
             lambda: find(chat_window, None, carol_text, 'contains'))
    check(True, "the app shows Carol's message")

    # --- Tina answers through the app ------------------------------------
    tina_text = 'Hi Carol, let me look at the print queue.'
    entry = wait_for('the message entry', lambda: find_all(
        chat_window, lambda o: role(o) == 'text' and showing(o) and
        'EditableText' in o.get_interfaces()))
    set_text(entry[-1], tina_text)
    send = find(chat_window, 'push button', 'Send', 'prefix')
    check(send is not None, 'the chat window has a Send button')
    click(send)
    got = carol_events.next('chat.message', where=lambda d: d['body'] == tina_text)
    check(got['data']['author']['name'] == 'Tina Tech',
          "Carol's socket received Tina's message")
    wait_for("Tina's message in the chat window",
             lambda: find(chat_window, None, tina_text, 'contains'))
    time.sleep(0.5)
    shot('chat')

    # --- Email ------------------------------------------------------------
    click(wait_find(chat_window, 'push button', 'Email'))
    mails = sink.wait_for(1, timeout=TIMEOUT)
    check(mails and 'carol@example.com' in str(mails[0]['To']),
          'the transcript mail reached the SMTP sink, to carol@example.com')
    body = mails[0].get_body(preferencelist=('plain',)).get_content() if mails else ''
    check(carol_text in body and tina_text in body, 'the mail holds both messages')
    wait_for('the "Transcript sent" toast', lambda: find(
        chat_window, None, 'Transcript sent to carol@example.com', 'contains'))
    check(True, 'toast "Transcript sent to carol@example.com"')
    shot('email')

    # --- closing the window ends the chat -------------------------------
    click(wait_find(chat_window, 'push button', 'End Chat'))
    ended = carol_events.next('chat.ended', where=lambda d: d['id'] == chat_id)
    check(ended['data']['state'] == 'ended', "Carol's socket got chat.ended")
    wait_for('the "saved as a request Note" message', lambda: find(
        app, None, 'The chat transcript was saved as a request Note.', 'contains'))
    check(True, 'the main window says the transcript was saved as a request Note')
    shot('ended')
    check(not any(name(f) == 'Chat with Carol Customer' and showing(f) for f in frames(app)),
          'the chat window is gone')

    status, notes = tina_rest.get('/requests/1/notes')
    transcripts = [n for n in notes['notes'] if n['kind'] == 'chat_transcript'
                   and n['chat_id'] == chat_id]
    check(len(transcripts) == 1, 'the chat_transcript note exists on request #1')
    if transcripts:
        check(carol_text in transcripts[0]['body'] and tina_text in transcripts[0]['body'],
              'the note holds the whole conversation')

    # --- the note in the Requests page (View Note) -----------------------
    click(wait_find(app, 'push button', 'View Note', 'prefix'))
    wait_for('the transcript in the Notes tab', lambda: find(
        main_window, None, tina_text, 'contains'))
    check(True, 'View Note shows the transcript in the Notes tab')
    time.sleep(0.5)
    shot('notes')

    # --- a second chat, accepted from the notification's Accept button --
    status, chat2 = carol.post('/chats', {'request_id': 1})
    check(status == 201, 'Carol started a second chat')
    note = wait_for('the second notification', lambda: [
        n for n in notifications.notes[1:] if 'Carol Customer wants to chat' in n['body']])
    notifications.press(note[0], 'Accept')
    chat_window = wait_frame(app, 'Chat with Carol Customer')
    carol_events.next('chat.accepted', where=lambda d: d['id'] == chat2['id'])
    check(True, "the notification's Accept opened the chat window and accepted the chat")
    click(wait_find(chat_window, 'push button', 'End Chat'))
    carol_events.next('chat.ended', where=lambda d: d['id'] == chat2['id'])
    check(True, 'closing the second chat window ended that chat')


if __name__ == '__main__':
    try:
        main()
    except AssertionError as e:
        failures.append(str(e))
        log('FAIL:', e)
    if failures:
        print('%d failed: %s' % (len(failures), '; '.join(failures)))
        sys.exit(1)
    print('all checks passed')
