# SPDX-License-Identifier: GPL-3.0-or-later
"""What the UI tests' stand-in desktop services share: a thread with its own
GLib main context, a private connection to the test's session bus, objects
registered and bus names owned before the constructor returns (a failure is
raised there), signals emitted from that thread, stop().

PortalStandIn is one method of an xdg-desktop-portal interface
(org.freedesktop.portal.Desktop, /org/freedesktop/portal/desktop) answered
the way the real portal answers: a Request object path built from the
caller's unique name and its handle_token, then that Request's
Response(response, results) signal.  The screenshot and background portal
stand-ins are made of it."""

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

    def emit(self, path, iface, signal, variant, destination=None):
        """Emits a signal from the stand-in's thread (after the current
        call), to destination or to everyone, and flushes it."""
        def emit():
            self._conn.emit_signal(destination, path, iface, signal, variant)
            self._conn.flush_sync(None)
        self.call_soon(emit)

    def stop(self):
        self._loop.quit()
        self._thread.join(5)


PORTAL_BUS_NAME = 'org.freedesktop.portal.Desktop'
PORTAL_PATH = '/org/freedesktop/portal/desktop'
REQUEST_PREFIX = PORTAL_PATH + '/request/'

PORTAL_XML = '''
<node>
  <interface name="%s">
    <method name="%s">
      <arg type="s" name="parent_window" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="o" name="handle" direction="out"/>
    </method>
  </interface>
</node>
'''


class PortalStandIn(BusStandIn):
    """interface.method(parent_window, options) of the desktop portal.  A
    subclass says what the test's chosen answer means: response(options,
    answer) gives the Response's (code, results): 0 success, 1 cancelled by
    the person, 2 failed."""

    def __init__(self, interface, method, answer):
        self.method = method
        self.calls = []              # (parent_window, options) of each call
        self.answer = answer
        super().__init__([(PORTAL_PATH, PORTAL_XML % (interface, method), self._on_call)],
                         [PORTAL_BUS_NAME])

    def response(self, options, answer):
        raise NotImplementedError

    def set_answer(self, answer):
        """The answer to the next calls."""
        with self._cond:
            self.answer = answer

    def _on_call(self, conn, sender, path, iface, method, params, invocation):
        if method != self.method:
            invocation.return_dbus_error('org.freedesktop.DBus.Error.UnknownMethod', method)
            return
        parent, options = params.unpack()
        token = options.get('handle_token', 'request')
        # As xdg-desktop-portal: the caller's unique name without ':' and
        # with '.' as '_', then its token.
        handle = REQUEST_PREFIX + sender[1:].replace('.', '_') + '/' + token
        with self._cond:
            self.calls.append((parent, options))
            answer = self.answer
            self._cond.notify_all()
        invocation.return_value(GLib.Variant('(o)', (handle,)))
        code, results = self.response(options, answer)
        self.emit(handle, 'org.freedesktop.portal.Request', 'Response',
                  GLib.Variant('(ua{sv})', (code, results)), destination=sender)

    def wait_calls(self, n, timeout=10):
        """The calls so far once there are at least n (None on timeout)."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.calls) >= n, timeout):
                return list(self.calls)
        return None
