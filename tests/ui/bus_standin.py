# SPDX-License-Identifier: GPL-3.0-or-later
"""What the UI tests' stand-in desktop services share: a thread with its own
GLib main context, a private connection to the test's session bus, objects
registered and bus names owned before the constructor returns (a failure is
raised there), signals emitted from that thread, stop()."""

import threading

from gi.repository import Gio, GLib


class BusStandIn:
    def __init__(self, objects, names):
        """objects: [(object path, introspection XML of one interface,
        method handler)]; names: the bus names to own."""
        self._objects = objects
        self._names = names
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

    def _run(self):
        self._ctx.push_thread_default()
        try:
            address = Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None)
            conn = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
            for path, xml, handler in self._objects:
                conn.register_object(path, Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0],
                                     handler, None, None)
            for name in self._names:
                reply = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                       'org.freedesktop.DBus', 'RequestName',
                                       GLib.Variant('(su)', (name, 4)), None,
                                       Gio.DBusCallFlags.NONE, -1, None)
                if reply.unpack()[0] != 1:
                    raise RuntimeError('could not own ' + name)
            self._conn = conn
        except Exception as e:  # noqa: BLE001 - reported to __init__
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run()

    def call_soon(self, func):
        """Runs func() on the stand-in's thread (after the current call)."""
        def run(*_args):
            func()
            return GLib.SOURCE_REMOVE
        source = GLib.idle_source_new()
        source.set_callback(run)
        source.attach(self._ctx)

    def stop(self):
        self._loop.quit()
        self._thread.join(5)
