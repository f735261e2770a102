#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Secret Service on the session bus that never answers: what libsecret
meets when the keyring waits for an unlock prompt nobody can see.  Prints
"ready" once it owns org.freedesktop.secrets, then runs until killed."""

import sys

from gi.repository import Gio, GLib

XML = '''
<node>
  <interface name="org.freedesktop.Secret.Service">
    <method name="OpenSession">
      <arg type="s" direction="in"/><arg type="v" direction="in"/>
      <arg type="v" direction="out"/><arg type="o" direction="out"/>
    </method>
    <method name="SearchItems">
      <arg type="a{ss}" direction="in"/>
      <arg type="ao" direction="out"/><arg type="ao" direction="out"/>
    </method>
    <method name="Unlock">
      <arg type="ao" direction="in"/>
      <arg type="ao" direction="out"/><arg type="o" direction="out"/>
    </method>
  </interface>
</node>
'''

held = []  # invocations kept unanswered


def on_call(conn, sender, path, iface, method, params, invocation):
    held.append(invocation)


def on_bus(conn, name):
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
    conn.register_object('/org/freedesktop/secrets', info, on_call, None, None)


def on_name(conn, name):
    print('ready', flush=True)


def on_lost(conn, name):
    print('could not own %s' % name, file=sys.stderr, flush=True)
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, 'org.freedesktop.secrets',
                 Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
GLib.MainLoop().run()
