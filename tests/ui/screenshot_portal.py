# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for xdg-desktop-portal's Screenshot portal
(org.freedesktop.portal.Screenshot) on the test's session bus: it answers
Screenshot(parent_window, options) the way the real portal does (see
bus_standin.PortalStandIn), the Response carrying the picture's "uri", so
an app's "Take a Screenshot" (libportal) can be driven without a desktop.
The test chooses each answer: a picture (0), cancelled by the person (1)
or failed (2)."""

from gi.repository import GLib

from bus_standin import PortalStandIn


class ScreenshotPortal(PortalStandIn):
    SUCCESS, CANCELLED, FAILED = 0, 1, 2

    def __init__(self):
        super().__init__('org.freedesktop.portal.Screenshot', 'Screenshot', (self.FAILED, None))

    def answer_with(self, response, uri=None):
        """The answer to the next calls: SUCCESS with a file:// uri,
        CANCELLED or FAILED."""
        self.set_answer((response, uri))

    def response(self, options, answer):
        code, uri = answer
        return code, {'uri': GLib.Variant('s', uri)} if code == self.SUCCESS else {}
