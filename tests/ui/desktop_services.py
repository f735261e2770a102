# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for GNOME Shell's idle monitor (org.gnome.Mutter.IdleMonitor)
and screen saver (org.gnome.ScreenSaver) on the test's session bus, so a
test can make the desktop go idle, come back, lock and unlock: the same
methods and signals as Mutter and GNOME Shell, driven by the test."""

from gi.repository import GLib

from bus_standin import BusStandIn

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


class DesktopServices(BusStandIn):
    def __init__(self):
        self.idle_watches = {}      # id -> interval ms
        self.active_watches = set()
        self.removed = []
        self.locked = False
        self._next_id = 1
        super().__init__([(IDLE_PATH, IDLE_XML, self._on_idle_call),
                          (LOCK_PATH, LOCK_XML, self._on_lock_call)],
                         ['org.gnome.Mutter.IdleMonitor', 'org.gnome.ScreenSaver'])

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
            self.emit(IDLE_PATH, 'org.gnome.Mutter.IdleMonitor', 'WatchFired',
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
            self.emit(IDLE_PATH, 'org.gnome.Mutter.IdleMonitor', 'WatchFired',
                       GLib.Variant('(u)', (wid,)))

    def lock(self, locked=True):
        self.locked = locked
        self.emit(LOCK_PATH, 'org.gnome.ScreenSaver', 'ActiveChanged',
                   GLib.Variant('(b)', (locked,)))
