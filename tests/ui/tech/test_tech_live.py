#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Never miss a chat, presence from the desktop (#12), driven from outside
through AT-SPI against the real server, with a stand-in notification
server and stand-ins for GNOME's idle monitor and screen saver on the
test's session bus:

(a) after Tina closes the main window the app keeps running and its
    socket (the server still has her online and available); a chat
    request and a message in a chat whose window is not focused show a
    desktop notification (with the sound, until Preferences turn it off);
    launching the app again brings the main window back;
(b) idle (org.gnome.Mutter.IdleMonitor WatchFired) and lock
    (org.gnome.ScreenSaver ActiveChanged) set away on the server, input
    and unlock clear it; the header says "Away";
(c) "Quit and Stop Chat Requests" really quits: Tina goes offline.

Run through tests/ui/run-ui-test.  Screenshots: $HD_ARTIFACTS_DIR/live-*.png."""

import os
import subprocess
import sys
import threading
import time

import pyatspi

import test_tech_app as t
from test_tech_app import (TECH_BIN, check, click, find, find_all, find_app, frames,
                           log, menu_item, name, open_main_menu, press, role, set_text,
                           showing, wait_find, wait_for, wait_frame, walk_desktop,
                           KEY_CONTROL, KEY_W)
from hdtest import Api, Events, Server
from notify_server import NotificationServer
from desktop_services import DesktopServices
from background_portal import BackgroundPortal

ARTIFACTS = t.ARTIFACTS
app_proc = None
debug_lines = []


def start_app(srv, env, args=()):
    # Warnings and criticals too (GLib writes debug lines to stdout).
    proc = subprocess.Popen([TECH_BIN, '--server', srv.url] + list(args), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def reader():
        for raw in proc.stdout:
            line = raw.decode('utf-8', 'replace')
            debug_lines.append(line)
            if '-DEBUG' not in line:
                sys.stdout.write(line)
    threading.Thread(target=reader, daemon=True).start()
    return proc


def window_shot(frame, file_name):
    """The window only: the frame's extents cropped out of the screen."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, file_name)
    try:
        e = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        geometry = ['-crop', '%dx%d+%d+%d' % (e.width, e.height, e.x, e.y)]
    except Exception:
        geometry = []
    subprocess.run(['import', '-window', 'root'] + geometry + ['+repage', path], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log('screenshot', path)
    return path


def press_later(notifications, note, label):
    """Presses a notification's button once the app can know it: GLib's
    notification backend learns the server's id from the Notify reply,
    which the app reads some time after the server recorded the call."""
    time.sleep(1.5)
    notifications.press(note, label)


def debug_seen(text, since):
    return any(text in line for line in debug_lines[since:])


def tech(api, login):
    status, body = api.get('/users?role=technician')
    for u in body.get('users', []):
        if u['login'] == login:
            return u
    return None


def main():
    global app_proc
    notifications = NotificationServer()
    desktop = DesktopServices()
    background = BackgroundPortal()
    with Server() as srv:
        log('server at', srv.url)
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.setdefault('GTK_A11Y', 'atspi')
        env['G_MESSAGES_DEBUG'] = ('hd-tech-notify hd-tech-idle hd-tech-application '
                                   'hd-tech-preferences-window hd-tech-active')
        app_proc = start_app(srv, env)
        try:
            story(srv, env, notifications, desktop, background)
        except Exception:
            t.shot('live-failure')
            t.dump_tree()
            raise
        finally:
            if app_proc.poll() is None:
                app_proc.terminate()
                try:
                    app_proc.wait(10)
                except subprocess.TimeoutExpired:
                    app_proc.kill()
            log('app exit status', app_proc.returncode)
    desktop.stop()
    notifications.stop()
    background.stop()


def close_window(frame):
    """Escape, then waits on the window itself.  Never lists the app's
    windows while one goes away: GTK 4.8's AT-SPI root answers an index
    past the visible windows with its last toplevel, which a window being
    destroyed has left without an object path (a critical in the app)."""
    pyatspi.Registry.generateKeyboardEvent(0xff1b, None, pyatspi.KEY_SYM)  # Escape
    try:
        wait_for('the window to close', lambda: not showing(frame), timeout=3)
    except AssertionError:
        # The keyboard focus is elsewhere (no window manager): its button.
        log('note: Escape did not reach the window; closing with its button')
        click(wait_find(frame, 'push button', 'Close'))
        wait_for('the window to close', lambda: not showing(frame), timeout=10)
    time.sleep(0.5)


def login(app, who):
    def login_dialog():
        for f in frames(app):
            if showing(f) and name(f) != 'Helpdesk Chat' and find(f, 'text', 'Login'):
                return f
        return None
    dialog = wait_for('the login dialog', login_dialog)
    set_text(find(dialog, 'text', 'Login'), who)
    set_text(find(dialog, 'password text', 'Password') or find(dialog, 'text', 'Password'), 'demo')
    click(wait_find(dialog, 'push button', 'Log In'))
    wait_for('the login dialog to close', lambda: not showing(dialog))
    time.sleep(0.5)  # see close_window ()


def entry_row(prefs, title):
    """The AdwEntryRow titled title (GTK 4.8 exports the row, as a text
    field, but not its text)."""
    return wait_find(prefs, 'text', title)


def mouse_click(frame, obj):
    """A real click in the middle-left of obj (GTK 4.8 gives list rows no
    AT-SPI action): its window coordinates plus the window's place."""
    e = obj.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    w = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(w.x + e.x + e.width // 3, w.y + e.y + e.height // 2, 'b1c')
    time.sleep(0.3)


def type_into_row(prefs, row, text):
    """Clicks into the row, replaces its text and presses Enter (the row's
    apply), as a person would."""
    mouse_click(prefs, row)
    press(38, KEY_CONTROL)  # Ctrl+A
    pyatspi.Registry.generateKeyboardEvent(0, text, pyatspi.KEY_STRING)
    time.sleep(0.2)
    press(36)  # Return


def limits(admin, prefs):
    waiting = entry_row(prefs, 'Longest wait for an answer, in seconds')
    time.sleep(0.5)
    window_shot(prefs, 'live-limits.png')

    # A bad value: answered, nothing sent.
    type_into_row(prefs, waiting, 'soon')
    wait_find(prefs, 'label', 'The longest wait must be a whole number', 'prefix')
    check(True, 'a bad waiting timeout is answered clearly')
    check(admin.get('/setup/privileges')[1]['waiting_timeout_s'] == 300, 'and nothing changed')

    type_into_row(prefs, waiting, '120')
    wait_for('waiting_timeout_s 120', lambda: admin.get('/setup/privileges')[1]
             ['waiting_timeout_s'] == 120)
    check(True, 'the waiting timeout was saved (PATCH /setup/privileges)')
    type_into_row(prefs, entry_row(prefs, 'Most active chats per technician (0: no limit)'), '5')
    wait_for('max_chats 5', lambda: admin.get('/setup/privileges')[1]
             ['max_chats_per_technician'] == 5)
    check(True, 'the most chats per technician was saved')


def active_rows(main_window):
    listing = wait_find(main_window, 'list', 'Active Chats')
    return [c for c in listing if role(c) == 'list item']


def active_chats(srv, env, app, main_window, admin, tina, carol_window):
    """Two active chats in the list (Carol's with its window, Chris's
    accepted elsewhere without one): customer, request, last line, unread
    count, typing; activating Chris's row opens his chat's window,
    Carol's focuses hers."""
    chris = Api(srv).login('chris', 'demo')
    chris_id = chris.get('/me')[1]['id']
    status, request = admin.post('/requests', {'subject': 'Monitor flickers', 'customer_id': chris_id,
                                               'assignee_id': tina.get('/me')[1]['id']})
    check(status == 201, 'a request of Chris assigned to Tina (%d)' % status)
    chris_events = Events(srv, chris.token)
    chris_events.next('hello')
    status, chat2 = chris.post('/chats', {'request_id': request['id']})
    check(status == 201, 'Chris asks for a chat (%d)' % status)
    status, _ = tina.post('/chats/%d/accept' % chat2['id'], {})
    check(status == 200, 'Tina accepted it (through REST: no window for it yet)')
    chris.post('/chats/%d/messages' % chat2['id'], {'body': 'The screen blinks', 'client_id': 'c-1'})

    # The main window to the front (launched again), over Carol's chat.
    subprocess.run([TECH_BIN, '--server', srv.url], env=env, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for('Carol\'s chat window to lose focus', lambda: not carol_window.getState().contains(
        pyatspi.STATE_ACTIVE), timeout=10)
    sidebar = wait_find(main_window, 'list', 'Home')
    rows = [c for c in sidebar if role(c) == 'list item']
    index = [i for i, r in enumerate(rows) if name(r).startswith('Active Chats')]
    check(index and name(rows[index[0]]) == 'Active Chats: 2',
          'the Home sidebar says "Active Chats: 2" (%r)' % [name(r) for r in rows])
    sidebar.querySelection().selectChild(index[0])

    def two_rows():
        r = active_rows(main_window)
        names = [name(x) for x in r]
        if len(r) == 2 and any(n.startswith('Chris Customer, #%d Monitor flickers, Chris Customer: '
                                            'The screen blinks, 1 unread message' % request['id'])
                               for n in names):
            return r
        log('active rows:', names)
        return None
    rows = wait_for('two active chats, Chris\'s with 1 unread', two_rows)
    check(any(name(x).startswith('Carol Customer, #1 Printer offline, Carol Customer: Hello?')
              for x in rows), 'Carol\'s row shows her request and last line')
    check(True, 'the list shows both chats, Chris\'s with its last line and 1 unread message')

    chris_events.send('chat.typing', {'chat_id': chat2['id']})
    wait_for('"typing" in Chris\'s row', lambda: any(
        name(x).startswith('Chris Customer') and name(x).endswith(', typing')
        for x in active_rows(main_window)))
    check(True, 'Chris typing shows in his row')
    time.sleep(0.5)
    window_shot(main_window, 'live-active-chats.png')

    chris_row = [x for x in active_rows(main_window) if name(x).startswith('Chris Customer')][0]
    mouse_click(main_window, chris_row)
    chris_window = wait_frame(app, 'Chat with Chris Customer')
    check(True, 'activating Chris\'s row opened his chat window')
    wait_for('the unread count cleared', lambda: any(
        name(x).startswith('Chris Customer') and 'unread' not in name(x)
        for x in active_rows(main_window)))
    check(True, 'opening the chat cleared its unread count')

    # Chris leaves: his row goes, his window says why.
    chris.post('/chats/%d/end' % chat2['id'], {})
    wait_find(chris_window, 'label', 'The customer ended the chat', 'contains')
    check(True, 'the chat window says "The customer ended the chat"')
    time.sleep(0.5)
    window_shot(chris_window, 'live-end-reason.png')
    wait_for('one active chat left', lambda: len(active_rows(main_window)) == 1)
    check(True, 'the ended chat left the active list')
    chris_events.close()
    return carol_window


def start_at_login(prefs, background):
    """Preferences > Start at Login asks the background portal (a stand-in
    here) for autostart; a refusal and a failure are told and leave the
    switch off; turning it off asks again without autostart."""
    switch = wait_find(prefs, 'check box', 'Start at Login')
    check(not switch.getState().contains(pyatspi.STATE_CHECKED), 'Start at Login is off at first')

    def toast(text):
        return wait_find(prefs, 'label', text, 'prefix', timeout=10)

    def checked():
        return wait_find(prefs, 'check box', 'Start at Login').getState().contains(pyatspi.STATE_CHECKED)

    background.answer_with(BackgroundPortal.REFUSED)
    click(switch)
    calls = background.wait_calls(1)
    check(calls is not None, 'the switch asked the background portal')
    if calls:
        options = calls[0][1]
        check(options.get('autostart') is True and options.get('commandline') == ['helpdesk-tech'],
              'for autostart of helpdesk-tech (%r)' % options)
        check(bool(options.get('reason')), 'with a reason for the person (%r)' % options.get('reason'))
    toast('Starting at login was not allowed')
    wait_for('the switch back off', lambda: not checked())
    check(True, 'refused: "Starting at login was not allowed…", the switch is off')

    background.answer_with(BackgroundPortal.FAILED)
    click(wait_find(prefs, 'check box', 'Start at Login'))
    background.wait_calls(2)
    toast('Starting at login needs the desktop’s background portal')
    wait_for('the switch back off', lambda: not checked())
    check(True, 'the portal failed: said clearly, the switch is off')

    def hidden():
        return wait_find(prefs, 'check box', 'Start in the Background')

    def usable(obj):
        return obj.getState().contains(pyatspi.STATE_SENSITIVE)
    check(not usable(hidden()), '"Start in the Background" is not usable while Start at Login is off')

    background.answer_with(BackgroundPortal.ALLOWED)
    click(wait_find(prefs, 'check box', 'Start at Login'))
    background.wait_calls(3)
    toast('Helpdesk Chat will start when you log in')
    wait_for('the switch on', checked)
    check(True, 'allowed: the switch is on, "Helpdesk Chat will start when you log in"')

    # Start hidden: the portal is asked again for "helpdesk-tech --background".
    wait_for('"Start in the Background" usable', lambda: usable(hidden()))
    click(hidden())
    calls = background.wait_calls(4)
    check(calls is not None and calls[3][1].get('autostart') is True
          and calls[3][1].get('commandline') == ['helpdesk-tech', '--background'],
          'Start in the Background asks for autostart of "helpdesk-tech --background" (%r)'
          % (calls and calls[3][1]))
    toast('Helpdesk Chat will start in the background when you log in')
    wait_for('the background switch on', lambda: hidden().getState().contains(pyatspi.STATE_CHECKED))
    check(True, 'allowed: the switch is on, "… will start in the background when you log in"')
    time.sleep(0.5)
    window_shot(prefs, 'live-start-at-login.png')

    click(wait_find(prefs, 'check box', 'Start at Login'))
    calls = background.wait_calls(5)
    check(calls is not None and calls[4][1].get('autostart') is False,
          'turning it off asks the portal without autostart')
    toast('Helpdesk Chat will no longer start when you log in')
    wait_for('the switch off', lambda: not checked())
    check(True, 'and the switch is off')
    wait_for('"Start in the Background" not usable', lambda: not usable(hidden()))
    check(True, 'and "Start in the Background" is not usable again (its choice kept)')


def rebuild_with_typing(srv, env, app, carol_events, chat_id):
    """Carol types while Tina's main window is closed; launching the app
    again rebuilds the window from the session: Tina, available, her
    active chat, and "typing" in Carol's row for what is left of its 5
    seconds (the session keeps when it came), then gone.  A rebuild slower
    than those 5 seconds (a loaded machine) proves nothing: the window is
    closed and it is tried again."""
    for attempt in range(3):
        since = len(debug_lines)
        carol_events.send('chat.typing', {'chat_id': chat_id})
        typed = time.monotonic()
        time.sleep(0.5)  # the app has it before it is launched again
        subprocess.run([TECH_BIN, '--server', srv.url], env=env, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        main_window = wait_frame(app, 'Helpdesk Chat')
        check(True, 'launching the app again showed the main window')
        # Rebuilt with the session's state: who, availability, active chats.
        wait_find(main_window, 'label', 'Tina Tech')
        wait_find(main_window, 'label', 'Available for chat')
        sidebar = wait_find(main_window, 'list', 'Home')
        wait_for('"Active Chats: 1" in the rebuilt window', lambda: any(
            name(r) == 'Active Chats: 1' for r in sidebar if role(r) == 'list item'))
        check(True, 'the rebuilt main window shows Tina, available, and her active chat')
        rows = [r for r in sidebar if role(r) == 'list item']
        selection = sidebar.querySelection()
        shown = [i for i in range(len(rows)) if selection.isChildSelected(i)]
        selection.selectChild([i for i, r in enumerate(rows) if name(r).startswith('Active Chats')][0])

        def carol_typing():
            return any(name(x).startswith('Carol Customer') and name(x).endswith(', typing')
                       for x in active_rows(main_window))
        # How long after the typing the rebuilt row is first looked at: it
        # must show "typing" then if less than its 5 seconds have gone.
        looked = time.monotonic() - typed
        try:
            wait_for('"typing" in Carol\'s rebuilt row', carol_typing, timeout=5)
        except AssertionError:
            if looked < 4.5 or attempt == 2:
                check(False, '"typing" restored in the rebuilt window (first looked %.1f s after '
                      'it came; %r)' % (looked, [ln.strip() for ln in debug_lines[since:]
                                                 if 'typing' in ln]))
                if shown:
                    selection.selectChild(shown[0])
                return main_window
            log('note: the rebuild took %.1f s, longer than "typing" lasts; again' % looked)
            click(wait_find(main_window, 'push button', 'Close'))
            wait_for('the main window to close', lambda: not showing(main_window))
            time.sleep(0.5)  # see close_window ()
            continue
        check(debug_seen('ms ago, restored', since),
              'the row took "typing" from the session\'s state (its debug line)')
        check(True, 'Carol typing while the window was closed shows in the rebuilt window\'s row')
        time.sleep(0.3)
        window_shot(main_window, 'live-typing-restored.png')
        wait_for('"typing" to end', lambda: not carol_typing(), timeout=10)
        check(True, 'and it ends when its time is up')
        # Back to the page it showed (the story goes on from there).
        if shown:
            selection.selectChild(shown[0])
        return main_window
    return main_window


def story(srv, env, notifications, desktop, background):
    app = wait_for('the app on the AT-SPI bus', find_app)
    main_window = wait_frame(app, 'Helpdesk Chat')
    login(app, 'tina')
    wait_find(main_window, 'label', 'Tina Tech')

    admin = Api(srv).login('admin', 'demo')
    tina = Api(srv).login('tina', 'demo')
    tina.patch('/me', {'available_for_chat': True})
    wait_find(main_window, 'label', 'Available for chat')

    # --- (b) presence from the desktop --------------------------------
    interval = desktop.wait_idle_watch()
    check(interval == 5 * 60 * 1000, 'the app asked the idle monitor for 5 minutes (got %r ms)' % interval)
    check(tina.get('/me')[1]['away'] is False, 'not away at the start')

    desktop.go_idle()
    wait_for('away on the server after idle', lambda: tina.get('/me')[1]['away'] is True)
    check(True, 'idle (WatchFired): the server has Tina away')
    wait_find(main_window, 'label', 'Away')
    check(True, 'the header says "Away"')
    time.sleep(0.5)
    window_shot(main_window, 'live-away.png')
    carol = Api(srv).login('carol', 'demo')
    status, body = carol.post('/chats', {'request_id': 1})
    check(status == 409, 'while away, Carol cannot start a chat with Tina (%d)' % status)

    check(desktop.wait_active_watch(), 'then the app watches for the user coming back')
    desktop.come_back()
    wait_for('away cleared after input', lambda: tina.get('/me')[1]['away'] is False)
    check(True, 'input again (user-active watch): away cleared on the server')
    wait_find(main_window, 'label', 'Available for chat')

    desktop.lock(True)
    wait_for('away on lock', lambda: tina.get('/me')[1]['away'] is True)
    check(True, 'lock (ActiveChanged true): away on the server')
    desktop.lock(False)
    wait_for('away cleared on unlock', lambda: tina.get('/me')[1]['away'] is False)
    check(True, 'unlock (ActiveChanged false): away cleared')

    # The preference: a new interval means a new idle watch.
    items = open_main_menu(main_window)
    click(menu_item(items, 'Preferences'))
    prefs = wait_frame(app, 'Preferences')
    check(find(prefs, None, 'Privileges') is None or not showing(find(prefs, None, 'Privileges')),
          'a technician\'s Preferences have no Privileges page')
    spin = wait_find(prefs, 'spin button', 'Away after idle minutes')
    before = set(desktop.idle_watches)
    spin.queryValue().currentValue = 2.0
    wait_for('a 2 minute idle watch', lambda: 120000 in [
        v for k, v in desktop.idle_watches.items() if k not in before])
    check(True, 'Preferences: away after 2 idle minutes (a new idle watch of 120000 ms)')
    sound = wait_find(prefs, 'check box', 'Notification sound')
    check(sound.getState().contains(pyatspi.STATE_CHECKED), 'the notification sound is on by default')
    start_at_login(prefs, background)
    close_window(prefs)

    # --- (a) never miss a chat: close the main window -----------------
    since = len(debug_lines)
    press(KEY_W, KEY_CONTROL)
    wait_for('the main window to close', lambda: not showing(main_window))
    check(app_proc.poll() is None, 'the app still runs after its main window closed')
    wait_for('the app to have no window', lambda: app.childCount == 0)
    check(True, 'the main window was destroyed, not hidden (the app has no window)')
    # An AT-SPI client asking past the last window (GTK 4.8 answers with
    # its last toplevel, which must not be a hidden one).
    walk_desktop(app_proc)
    check(not debug_seen('CRITICAL', since), 'walking the desktop past the last window: no critical')
    check(True, 'every child of the desktop root, and one past the last, asked: the app lives')
    running = notifications.wait_for(lambda n: 'Still Running' in n['summary'])
    check(running is not None, 'a notification says the app keeps running')
    time.sleep(1.5)  # a closing socket would have been seen by now
    me = tech(admin, 'tina')
    check(me['online'] is True and me['available_for_chat'] is True,
          'the server still has Tina online and available (%r)' % me)

    since = len(debug_lines)
    status, chat = carol.post('/chats', {'request_id': 1})
    check(status == 201, 'Carol asks for a chat (201)')
    note = notifications.wait_for(lambda n: 'Carol Customer wants to chat about #1' in n['body'])
    check(note is not None, 'the chat request shows a desktop notification after the window closed')
    wait_for('the sound', lambda: debug_seen('playing message-new-instant', since))
    check(True, 'with the sound (message-new-instant)')

    # Accept from the notification: the chat window opens.
    carol_events = Events(srv, carol.token)
    carol_events.next('hello')
    press_later(notifications, note, 'Accept')
    chat_window = wait_frame(app, 'Chat with Carol Customer')
    carol_events.next('chat.accepted', where=lambda d: d['id'] == chat['id'])
    check(True, 'Accept in the notification accepted the chat')

    # Launching the app again brings the main window back (and so the
    # chat window is no longer the focused one).  Carol typed while it was
    # gone: the rebuilt window shows it too.
    main_window = rebuild_with_typing(srv, env, app, carol_events, chat['id'])
    walk_desktop(app_proc)
    wait_for('the chat window to lose focus', lambda: not chat_window.getState().contains(
        pyatspi.STATE_ACTIVE), timeout=10)

    since = len(debug_lines)
    carol.post('/chats/%d/messages' % chat['id'], {'body': 'Is it <b>fixed</b> yet?',
                                                   'client_id': 'live-1'})
    msg = notifications.wait_for(lambda n: n['summary'] == 'Message from Carol Customer')
    check(msg is not None and 'fixed' in msg['body'],
          'a message in an unfocused chat shows a notification (%r)' % msg)
    check(msg is not None and '&lt;b&gt;' in msg['body'], 'its body is escaped, never markup')
    wait_for('the message sound', lambda: debug_seen('playing message-new-instant', since))
    check(True, 'the message played the sound')
    since = len(debug_lines)
    press_later(notifications, msg, '')
    wait_for('app.open-chat for the chat', lambda: debug_seen('open-chat %d' % chat['id'], since))
    check(True, 'the notification\'s default action is app.open-chat of that chat')
    try:
        # Without a window manager, focus moves only when GTK's
        # XSetInputFocus wins: a note, not a failure, when it does not.
        wait_for('the chat window to be focused', lambda: chat_window.getState().contains(
            pyatspi.STATE_ACTIVE), timeout=5)
        check(True, 'and it focused the chat window')
    except AssertionError:
        log('note: the chat window was presented but X kept the focus elsewhere')

    # Sound off in Preferences: notifications stay, the sound goes.
    items = open_main_menu(main_window)
    click(menu_item(items, 'Preferences'))
    prefs = wait_frame(app, 'Preferences')
    click(wait_find(prefs, 'check box', 'Notification sound'))
    wait_for('the switch off', lambda: not find(prefs, 'check box', 'Notification sound')
             .getState().contains(pyatspi.STATE_CHECKED))
    close_window(prefs)
    since = len(debug_lines)
    n_before = len(notifications.notifications)
    carol.post('/chats/%d/messages' % chat['id'], {'body': 'Hello?', 'client_id': 'live-2'})
    quiet = notifications.wait_for(lambda n: n['body'] == 'Hello?')
    check(quiet is not None, 'with the sound off the notification still comes')
    wait_for('"sound off" in the log', lambda: debug_seen('sound off', since))
    check(not debug_seen('playing message-new-instant', since), 'and no sound played')
    del n_before

    # A note the customer leaves on the request ("Leave a message") reaches
    # the assignee as a notification, escaped; its default action opens
    # the request's Notes.
    request_id = chat['request_id']
    carol.post('/requests/%d/notes' % request_id, {'body': 'Call me <i>back</i> & soon'})
    left = notifications.wait_for(lambda n: n['summary'] == 'Note from Carol Customer')
    check(left is not None and 'Call me' in left['body'] and '#%d' % request_id in left['body'],
          'a note the customer left shows a notification (%r)' % left)
    check(left is not None and '&lt;i&gt;' in left['body'] and '&amp;' in left['body'],
          'its body is escaped, never markup')
    since = len(debug_lines)
    press_later(notifications, left, '')
    wait_for('app.open-request for the request',
             lambda: debug_seen('open-request %d' % request_id, since))
    check(True, 'the note notification\'s default action opens the request')
    # The technician's own note notifies nobody (here: not the technician).
    n_before = len(notifications.notifications)
    tina.post('/requests/%d/notes' % request_id, {'body': 'Called back.'})
    time.sleep(1.5 * max(t.SLOW, 1))
    check(not any(n['summary'].startswith('Note from') for n in notifications.notifications[n_before:]),
          'a note of my own shows no notification')

    # --- (e) five at once: the active chats list -----------------------
    chat_window = active_chats(srv, env, app, main_window, admin, tina, chat_window)

    # --- (d) an administrator sets the chat limits -------------------
    items = open_main_menu(main_window)
    click(menu_item(items, 'Log Out'))
    wait_for('the chat window to go', lambda: not showing(chat_window))
    time.sleep(0.5)  # see close_window ()
    walk_desktop(app_proc)
    login(app, 'admin')
    main_window = wait_frame(app, 'Helpdesk Chat')
    wait_find(main_window, 'label', 'Ada Admin')
    items = open_main_menu(main_window)
    click(menu_item(items, 'Preferences'))
    prefs = wait_frame(app, 'Preferences')
    # Typing needs the keyboard focus (no window manager here: a click does
    # not move it); presenting the window again gives it.
    for _ in range(3):
        try:
            wait_for('Preferences focused', lambda: prefs.getState().contains(pyatspi.STATE_ACTIVE),
                     timeout=3)
            break
        except AssertionError:
            click(menu_item(open_main_menu(main_window), 'Preferences'))
    limits(admin, prefs)

    # --- (c) Quit says it stops chat requests, and does ---------------
    items = open_main_menu(main_window)
    quit_item = menu_item(items, 'Quit and Stop Chat Requests')
    check(quit_item is not None, 'the menu says "Quit and Stop Chat Requests"')
    click(quit_item)
    try:
        status = app_proc.wait(30 * max(t.SLOW, 1))
    except subprocess.TimeoutExpired:
        status = None
    check(status == 0, 'Quit ends the app (status %r)' % status)
    wait_for('Tina offline', lambda: tech(admin, 'tina')['online'] is False)
    check(True, 'after Quit the server has Tina offline')


if __name__ == '__main__':
    t.run(main)
