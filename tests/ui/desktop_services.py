# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for GNOME Shell's idle monitor (org.gnome.Mutter.IdleMonitor)
and screen saver (org.gnome.ScreenSaver) on the test's session bus, so a
test can make the desktop go idle, come back, lock and unlock: the same
methods and signals as Mutter and GNOME Shell, driven by the test."""

import threading

from gi.repository import Gio, GLib

IDLE_XML = '''
<node>
  <interface name="org.gnome.Mutter.IdleMonitor">
    <method name="GetIdletime"><arg type="t" direction="out"/></method>
    <method name="AddIdleWatch">
      <arg type="t" direction="in"/><arg type="u" direction="out"/>
    </method>
    <method name="AddUserActiveWatch"><arg type="u" direction="out"/></method>
    <method name="RemoveWatch"><arg type="u" direction="in"/></method>
    <signal name="WatchFired"><arg type="u"/></signal>
  </interface>
</node>
'''

LOCK_XML = '''
<node>
  <interface name="org.gnome.ScreenSaver">
    <method name="GetActive"><arg type="b" direction="out"/></method>
    <method name="SetActive"><arg type="b" direction="in"/></method>
    <method name="Lock"/>
    <signal name="ActiveChanged"><arg type="b"/></signal>
  </interface>
</node>
'''

IDLE_PATH = '/org/gnome/Mutter/IdleMonitor/Core'
LOCK_PATH = '/org/gnome/ScreenSaver'


class DesktopServices:
    def __init__(self):
        self.idle_watches = {}      # id -> interval ms
        self.active_watches = set()
        self.removed = []
        self.locked = False
        self._next_id = 1
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

    def _own(self, conn, name):
        reply = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                               'org.freedesktop.DBus', 'RequestName',
                               GLib.Variant('(su)', (name, 4)), None,
                               Gio.DBusCallFlags.NONE, -1, None)
        if reply.unpack()[0] != 1:
            raise RuntimeError('could not own ' + name)

    def _run(self):
        self._ctx.push_thread_default()
        try:
            address = Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None)
            conn = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
            conn.register_object(IDLE_PATH, Gio.DBusNodeInfo.new_for_xml(IDLE_XML).interfaces[0],
                                 self._on_idle_call, None, None)
            conn.register_object(LOCK_PATH, Gio.DBusNodeInfo.new_for_xml(LOCK_XML).interfaces[0],
                                 self._on_lock_call, None, None)
            self._own(conn, 'org.gnome.Mutter.IdleMonitor')
            self._own(conn, 'org.gnome.ScreenSaver')
            self._conn = conn
        except Exception as e:  # noqa: BLE001 - reported to __init__
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run()

    def _new_id(self):
        wid = self._next_id
        self._next_id += 1
        return wid

    def _on_idle_call(self, conn, sender, path, iface, method, params, invocation):
        with self._cond:
            if method == 'AddIdleWatch':
                wid = self._new_id()
                self.idle_watches[wid] = params.unpack()[0]
                invocation.return_value(GLib.Variant('(u)', (wid,)))
            elif method == 'AddUserActiveWatch':
                wid = self._new_id()
                self.active_watches.add(wid)
                invocation.return_value(GLib.Variant('(u)', (wid,)))
            elif method == 'RemoveWatch':
                wid = params.unpack()[0]
                self.removed.append(wid)
                self.idle_watches.pop(wid, None)
                self.active_watches.discard(wid)
                invocation.return_value(None)
            elif method == 'GetIdletime':
                invocation.return_value(GLib.Variant('(t)', (0,)))
            self._cond.notify_all()

    def _on_lock_call(self, conn, sender, path, iface, method, params, invocation):
        if method == 'GetActive':
            invocation.return_value(GLib.Variant('(b)', (self.locked,)))
        elif method in ('SetActive', 'Lock'):
            invocation.return_value(None)
            self.lock(params.unpack()[0] if method == 'SetActive' else True)
        else:
            invocation.return_value(None)

    def _emit(self, path, iface, signal, variant):
        def emit():
            self._conn.emit_signal(None, path, iface, signal, variant)
            self._conn.flush_sync(None)
            return False
        self._ctx.invoke_full(GLib.PRIORITY_DEFAULT, emit)

    def wait_idle_watch(self, timeout=10):
        """The interval (ms) of the first idle watch the app added."""
        with self._cond:
            self._cond.wait_for(lambda: self.idle_watches, timeout)
            return next(iter(self.idle_watches.values()), None)

    def go_idle(self):
        """The session has been idle as long as every idle watch asked."""
        with self._cond:
            ids = list(self.idle_watches)
        for wid in ids:
            self._emit(IDLE_PATH, 'org.gnome.Mutter.IdleMonitor', 'WatchFired',
                       GLib.Variant('(u)', (wid,)))

    def wait_active_watch(self, timeout=10):
        with self._cond:
            return self._cond.wait_for(lambda: self.active_watches, timeout)

    def come_back(self):
        """Input again: every user-active watch fires once and is gone."""
        with self._cond:
            ids = list(self.active_watches)
            self.active_watches.clear()
        for wid in ids:
            self._emit(IDLE_PATH, 'org.gnome.Mutter.IdleMonitor', 'WatchFired',
                       GLib.Variant('(u)', (wid,)))

    def lock(self, locked=True):
        self.locked = locked
        self._emit(LOCK_PATH, 'org.gnome.ScreenSaver', 'ActiveChanged',
                   GLib.Variant('(b)', (locked,)))

    def stop(self):
        self._loop.quit()
        self._thread.join(5)
