# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for xdg-desktop-portal's Background portal
(org.freedesktop.portal.Desktop, /org/freedesktop/portal/desktop,
org.freedesktop.portal.Background) on the test's session bus: it answers
RequestBackground(parent_window, options) as the real portal does — a
Request object path built from the caller's unique name and its
handle_token, then that Request's Response(response, results) signal with
"background" and "autostart" — so an app's "Start at Login" (libportal)
can be driven without a desktop.  The test chooses each answer: allowed,
refused by the person (background/autostart false) or failed (2)."""

from gi.repository import GLib

from bus_standin import BusStandIn

INTERFACE = '''
<node>
  <interface name="org.freedesktop.portal.Background">
    <method name="RequestBackground">
      <arg type="s" name="parent_window" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="o" name="handle" direction="out"/>
    </method>
  </interface>
</node>
'''

BUS_NAME = 'org.freedesktop.portal.Desktop'
OBJECT_PATH = '/org/freedesktop/portal/desktop'
REQUEST_PREFIX = '/org/freedesktop/portal/desktop/request/'


class BackgroundPortal(BusStandIn):
    ALLOWED, REFUSED, FAILED = 'allowed', 'refused', 'failed'

    def __init__(self):
        self.calls = []              # (parent_window, options) of each call
        self.answer = self.ALLOWED
        super().__init__([(OBJECT_PATH, INTERFACE, self._on_call)], [BUS_NAME])

    def answer_with(self, answer):
        with self._cond:
            self.answer = answer

    def _on_call(self, conn, sender, path, iface, method, params, invocation):
        if method != 'RequestBackground':
            invocation.return_dbus_error('org.freedesktop.DBus.Error.UnknownMethod', method)
            return
        parent, options = params.unpack()
        token = options.get('handle_token', 'request')
        handle = REQUEST_PREFIX + sender[1:].replace('.', '_') + '/' + token
        with self._cond:
            self.calls.append((parent, options))
            answer = self.answer
            self._cond.notify_all()
        invocation.return_value(GLib.Variant('(o)', (handle,)))
        if answer == self.FAILED:
            response, results = 2, {}
        else:
            allowed = answer == self.ALLOWED
            response = 0
            results = {'background': GLib.Variant('b', allowed),
                       'autostart': GLib.Variant('b', allowed and bool(options.get('autostart')))}
        self.call_soon(lambda: conn.emit_signal(sender, handle, 'org.freedesktop.portal.Request',
                                                'Response', GLib.Variant('(ua{sv})', (response, results))))

    def wait_calls(self, n, timeout=10):
        """The calls so far once there are at least n (None on timeout)."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.calls) >= n, timeout):
                return list(self.calls)
        return None
