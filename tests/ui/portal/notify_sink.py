# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in desktop notification server (org.freedesktop.Notifications)
on the test's session bus, recording what applications send, so a test can
check the GNotifications of an app (GLib's freedesktop backend calls it)."""

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


class NotificationSink:
    def __init__(self):
        self.notifications = []   # dicts: app, summary, body
        self._cond = threading.Condition()
        self._next_id = 1
        self._ready = threading.Event()
        self._error = None
        self._ctx = GLib.MainContext.new()
        self._loop = GLib.MainLoop.new(self._ctx, False)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error

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
            app, _replaces, _icon, summary, body, _actions, _hints, _timeout = params.unpack()
            with self._cond:
                nid = self._next_id
                self._next_id += 1
                self.notifications.append({'app': app, 'summary': summary, 'body': body})
                self._cond.notify_all()
            invocation.return_value(GLib.Variant('(u)', (nid,)))
        elif method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['body', 'actions'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('hd-test', 'helpdesk', '1', '1.2')))
        else:
            invocation.return_value(None)

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

    def stop(self):
        self._loop.quit()
        self._thread.join(5)
