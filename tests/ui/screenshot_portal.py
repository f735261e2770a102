# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for xdg-desktop-portal's Screenshot portal
(org.freedesktop.portal.Desktop, /org/freedesktop/portal/desktop,
org.freedesktop.portal.Screenshot) on the test's session bus: it answers
Screenshot(parent_window, options) the way the real portal does — a
Request object path built from the caller's unique name and its
handle_token, then that Request's Response(response, results) signal with
the picture's "uri" — so an app's "Take a Screenshot" (libportal) can be
driven without a desktop.  The test chooses each answer: a picture (0),
cancelled by the person (1) or failed (2)."""

from gi.repository import GLib

from bus_standin import BusStandIn

INTERFACE = '''
<node>
  <interface name="org.freedesktop.portal.Screenshot">
    <method name="Screenshot">
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


class ScreenshotPortal(BusStandIn):
    SUCCESS, CANCELLED, FAILED = 0, 1, 2

    def __init__(self):
        self.calls = []              # (parent_window, options) of each call
        self.answer = (self.FAILED, None)
        super().__init__([(OBJECT_PATH, INTERFACE, self._on_call)], [BUS_NAME])

    def answer_with(self, response, uri=None):
        """The answer to the next calls: SUCCESS with a file:// uri,
        CANCELLED or FAILED."""
        with self._cond:
            self.answer = (response, uri)

    def _on_call(self, conn, sender, path, iface, method, params, invocation):
        if method != 'Screenshot':
            invocation.return_dbus_error('org.freedesktop.DBus.Error.UnknownMethod', method)
            return
        parent, options = params.unpack()
        token = options.get('handle_token', 'request')
        # As xdg-desktop-portal: the caller's unique name without ':' and
        # with '.' as '_', then its token.
        handle = REQUEST_PREFIX + sender[1:].replace('.', '_') + '/' + token
        with self._cond:
            self.calls.append((parent, options))
            response, uri = self.answer
            self._cond.notify_all()
        invocation.return_value(GLib.Variant('(o)', (handle,)))
        results = {'uri': GLib.Variant('s', uri)} if response == self.SUCCESS else {}

        self.call_soon(lambda: conn.emit_signal(sender, handle, 'org.freedesktop.portal.Request',
                                                'Response', GLib.Variant('(ua{sv})', (response, results))))

    def wait_calls(self, n, timeout=10):
        """The calls so far once there are at least n (None on timeout)."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.calls) >= n, timeout):
                return list(self.calls)
        return None
