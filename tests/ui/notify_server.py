# SPDX-License-Identifier: GPL-3.0-or-later
"""The one stand-in desktop notification server (org.freedesktop.Notifications)
of the UI tests, on the test's session bus: it records what an app sends
(GLib's freedesktop backend calls it) and can press a notification's
buttons as a person would."""

import threading
import time

from gi.repository import Gio, GLib

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


class NotificationServer:
    def __init__(self):
        # dicts: id, app, summary, body, actions (button label -> key)
        self.notifications = []
        self._cond = threading.Condition()
        self._ready = threading.Event()
        self._error = None
        self._conn = None
        self._ctx = GLib.MainContext.new()
        self._loop = GLib.MainLoop.new(self._ctx, False)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error

    @property
    def notes(self):
        return self.notifications

    def _run(self):
        self._ctx.push_thread_default()
        try:
            address = Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None)
            conn = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
            info = Gio.DBusNodeInfo.new_for_xml(INTERFACE).interfaces[0]
            conn.register_object('/org/freedesktop/Notifications', info, self._on_call, None, None)
            reply = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                   'org.freedesktop.DBus', 'RequestName',
                                   GLib.Variant('(su)', ('org.freedesktop.Notifications', 4)),
                                   None, Gio.DBusCallFlags.NONE, -1, None)
            if reply.unpack()[0] != 1:
                raise RuntimeError('could not own org.freedesktop.Notifications')
            self._conn = conn
        except Exception as e:  # noqa: BLE001 - reported to __init__
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run()

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

    def stop(self):
        self._loop.quit()
        self._thread.join(5)
