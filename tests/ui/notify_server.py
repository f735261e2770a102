# SPDX-License-Identifier: GPL-3.0-or-later
"""The one stand-in desktop notification server (org.freedesktop.Notifications)
of the UI tests, on the test's session bus: it records what an app sends
(GLib's freedesktop backend calls it) and can press a notification's
buttons as a person would."""

import time

from gi.repository import GLib

from bus_standin import BusStandIn

INTERFACE = '''
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
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
'''


class NotificationServer(BusStandIn):
    def __init__(self):
        # dicts: id, app, summary, body, actions (button label -> key)
        self.notifications = []
        super().__init__([('/org/freedesktop/Notifications', INTERFACE, self._on_call)],
                         ['org.freedesktop.Notifications'])

    @property
    def notes(self):
        return self.notifications

    def _on_call(self, conn, sender, path, iface, method, params, invocation):
        if method == 'Notify':
            app, replaces, _icon, summary, body, actions, _hints, _timeout = params.unpack()
            with self._cond:
                nid = replaces or len(self.notifications) + 1
                self.notifications.append({'id': nid, 'app': app, 'summary': summary, 'body': body,
                                           'actions': dict(zip(actions[1::2], actions[0::2]))})
                self._cond.notify_all()
            invocation.return_value(GLib.Variant('(u)', (nid,)))
        elif method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['actions', 'body'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('hd-test', 'helpdesk', '1', '1.2')))
        else:
            invocation.return_value(None)

    def find(self, text):
        """The first notification whose body holds `text`, or None."""
        with self._cond:
            for n in self.notifications:
                if text in n['body']:
                    return n
        return None

    def wait_for(self, pred, timeout=10):
        """The first notification satisfying pred, or None after timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for n in self.notifications:
                    if pred(n):
                        return n
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def press(self, note, label):
        """Presses the button called `label`, as a person would."""
        key = note['actions'][label]
        self._conn.emit_signal(None, '/org/freedesktop/Notifications',
                               'org.freedesktop.Notifications', 'ActionInvoked',
                               GLib.Variant('(us)', (note['id'], key)))
        self._conn.flush_sync(None)
