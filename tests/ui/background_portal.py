# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for xdg-desktop-portal's Background portal
(org.freedesktop.portal.Background) on the test's session bus: it answers
RequestBackground(parent_window, options) as the real portal does (see
bus_standin.PortalStandIn), the Response carrying "background" and
"autostart", so an app's "Start at Login" (libportal) can be driven
without a desktop.  The test chooses each answer: allowed, refused by the
person (background/autostart false) or failed (2)."""

from gi.repository import GLib

from bus_standin import PortalStandIn


class BackgroundPortal(PortalStandIn):
    ALLOWED, REFUSED, FAILED = 'allowed', 'refused', 'failed'

    def __init__(self):
        super().__init__('org.freedesktop.portal.Background', 'RequestBackground', self.ALLOWED)

    def answer_with(self, answer):
        self.set_answer(answer)

    def response(self, options, answer):
        if answer == self.FAILED:
            return 2, {}
        allowed = answer == self.ALLOWED
        return 0, {'background': GLib.Variant('b', allowed),
                   'autostart': GLib.Variant('b', allowed and bool(options.get('autostart')))}
