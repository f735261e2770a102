# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers to drive a GTK 4 app through AT-SPI, as a screen reader
would: find by role and accessible name, press, type, read."""

import os
import re
import subprocess
import time

import pyatspi

ROLE = {
    'button': pyatspi.ROLE_PUSH_BUTTON,
    'toggle': pyatspi.ROLE_TOGGLE_BUTTON,
    'label': pyatspi.ROLE_LABEL,
    'text': pyatspi.ROLE_TEXT,
    'entry': pyatspi.ROLE_ENTRY,
    'password': pyatspi.ROLE_PASSWORD_TEXT,
    'check': pyatspi.ROLE_CHECK_BOX,
    'frame': pyatspi.ROLE_FRAME,
    'dialog': pyatspi.ROLE_DIALOG,
    'list_item': pyatspi.ROLE_LIST_ITEM,
    'page_tab': pyatspi.ROLE_PAGE_TAB,
}


def app_by_pid(pid, timeout=20, name=None):
    """The application of process pid (or, under a debugger, named name)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            try:
                app = desktop.getChildAtIndex(i)
                if app is not None and (app.get_process_id() == pid
                                        or (name is not None and app.name == name)):
                    return app
            except Exception:
                continue
        time.sleep(0.2)
    raise AssertionError('no AT-SPI application for pid %d within %ss' % (pid, timeout))


def ask_past_last_window(app, process):
    """Asks the application for its child after the last one, as an AT-SPI
    client does whose window count went stale (a window closed between
    ChildCount and GetChildAtIndex).  GTK 4.8 answers with its last
    toplevel, visible or not, and a hidden toplevel has no object path: a
    GLib critical, then SIGSEGV (gtkatspiroot.c).  The apps keep no hidden
    toplevels (hd_app_use_lazy_help_overlay); this fails if one comes back."""
    try:
        app.getChildAtIndex(app.childCount)
    except Exception:
        pass
    time.sleep(0.2)
    assert process.poll() is None, 'the app died (exit %r) when asked for a child past its last window' \
        % process.poll()


def states(acc):
    try:
        return acc.getState()
    except Exception:
        return None


def is_showing(acc):
    """GTK 4.8 sets VISIBLE from the widget's visible flag only (a hidden
    stack page keeps it) and SHOWING on windows only: a widget on screen
    also has an area."""
    s = states(acc)
    if s is None or not s.contains(pyatspi.STATE_VISIBLE):
        return False
    try:
        ext = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except Exception:
        return True
    return ext.width > 0 and ext.height > 0


def is_sensitive(acc):
    s = states(acc)
    return s is not None and s.contains(pyatspi.STATE_SENSITIVE)


def walk(acc, depth=0, max_depth=60, prune_hidden=False):
    """Every descendant (depth first), skipping nodes that vanish.  With
    prune_hidden, what is not VISIBLE is not entered: fewer D-Bus calls,
    and none into widgets GTK 4.8 cannot export (asking for an unrooted
    widget's children crashes its AT-SPI code)."""
    if acc is None or depth > max_depth:
        return
    if prune_hidden and depth > 0:
        s = states(acc)
        if s is None or not s.contains(pyatspi.STATE_VISIBLE):
            return
    yield acc
    try:
        n = acc.childCount
    except Exception:
        return
    for i in range(n):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth, prune_hidden)


def windows(app):
    """The application's top-level windows, without entering them."""
    out = []
    try:
        n = app.childCount
    except Exception:
        return out
    for i in range(n):
        try:
            w = app.getChildAtIndex(i)
        except Exception:
            continue
        if w is not None:
            out.append(w)
    return out


def window_named(app, name=None, contains=None):
    for w in windows(app):
        n = name_of(w)
        if (name is not None and n == name) or (contains is not None and contains in n):
            return w
    return None


def role_matches(acc, role):
    if role is None:
        return True
    roles = role if isinstance(role, (list, tuple)) else [role]
    try:
        r = acc.getRole()
    except Exception:
        return False
    return any(r == (ROLE[x] if isinstance(x, str) else x) for x in roles)


def raw_name(acc):
    try:
        return acc.name or ''
    except Exception:
        return ''


def name_of(acc):
    """The accessible name as a person hears it.  Taken as it is: a doubled
    name ("Login Login") or a mnemonic underscore must fail the test."""
    return raw_name(acc)


def find_all(root, role=None, name=None, contains=None, showing=True, pred=None):
    out = []
    for acc in walk(root, prune_hidden=showing):
        if not role_matches(acc, role):
            continue
        n = name_of(acc)
        if name is not None and n != name:
            continue
        if contains is not None and contains not in n:
            continue
        if showing and not is_showing(acc):
            continue
        if pred is not None and not pred(acc):
            continue
        out.append(acc)
    return out


def wait_for(what, fn, timeout=15, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except Exception:  # the tree changes under us
            last = None
        if last:
            return last
        time.sleep(interval)
    raise AssertionError('timed out (%ss) waiting for %s' % (timeout, what))


def wait_find(root, what=None, timeout=15, **kw):
    desc = what or repr(kw)
    return wait_for(desc, lambda: (find_all(root, **kw) or [None])[0], timeout)


def wait_gone(root, what=None, timeout=15, **kw):
    desc = what or repr(kw)
    return wait_for('%s to go away' % desc, lambda: not find_all(root, **kw), timeout)


def press(acc):
    """The first action (click/press/activate) of the widget or, for
    composite widgets, of its first descendant that has one."""
    for node in walk(acc, max_depth=4):
        try:
            action = node.queryAction()
        except NotImplementedError:
            continue
        except Exception:
            continue
        if action.nActions > 0:
            action.doAction(0)
            return
    raise AssertionError('%r (%s) has no action' % (name_of(acc), acc.getRoleName()))


def set_text(acc, text):
    et = acc.queryEditableText()
    try:
        n = acc.queryText().characterCount
    except Exception:
        n = 0
    if n:
        et.deleteText(0, n)
    et.insertText(0, text, len(text.encode('utf-8')))


def get_text(acc):
    t = acc.queryText()
    return t.getText(0, t.characterCount)


def screenshot(name):
    folder = os.environ.get('HD_ARTIFACTS_DIR') or '.'
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    subprocess.run(['import', '-window', 'root', path], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def screenshot_window(title, name):
    """Only the X window titled title (falls back to the whole screen)."""
    folder = os.environ.get('HD_ARTIFACTS_DIR') or '.'
    path = os.path.join(folder, name)
    try:
        out = subprocess.run(['xwininfo', '-name', title], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ''
    m = re.search(r'Window id: (0x[0-9a-fA-F]+)', out)
    if m is None:
        return screenshot(name)
    subprocess.run(['import', '-window', m.group(1), path], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def dump(root, file=None, max_depth=40):
    """The tree as text, for failure reports."""
    lines = []

    def rec(acc, depth):
        if acc is None or depth > max_depth:
            return
        try:
            s = states(acc)
            flags = ''.join(f for f, st in (('S', pyatspi.STATE_SHOWING),
                                             ('V', pyatspi.STATE_VISIBLE),
                                             ('e', pyatspi.STATE_SENSITIVE))
                            if s is not None and s.contains(st))
            lines.append('%s%s "%s" [%s]' % ('  ' * depth, acc.getRoleName(), name_of(acc), flags))
            for i in range(acc.childCount):
                rec(acc.getChildAtIndex(i), depth + 1)
        except Exception:
            pass

    rec(root, 0)
    text = '\n'.join(lines)
    if file:
        with open(file, 'w') as f:
            f.write(text)
    return text
