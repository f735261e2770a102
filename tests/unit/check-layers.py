#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The server's layers (doc/server-layers.md) as the code has them:

- only the service layer (backend/core/) calls the store (hd_store_*);
  main.c only opens it and asks its kind;
- nothing outside backend/core/ reaches for the service's store;
- only the store's files include an implementation's header or speak a
  database's API (sqlite3_*, PQ*);
- the service and the store write no JSON: they return records, which
  the routes (backend/api/) and the door write with common/hd-wire.h (an
  event's frames: common/hd-wire-event.h, called by the service);
- the dependencies point down: no file of core/ includes a header of the
  layers above it (door/, api/, bus/), no file of store/ one of those or of
  core/, and nothing installs a writer or other hook of an upper layer's
  into the service (hd_chat_service_set_event_writer is gone).

Usage: check-layers.py SOURCE_ROOT
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
backend = os.path.join(root, 'backend')

STORE_CALL = re.compile(r'\bhd_store_[a-z_]+\s*\(')
MAIN_ALLOWED = {'hd_store_open', 'hd_store_get_kind', 'hd_store_is_postgres_uri'}
GET_STORE = re.compile(r'\bhd_chat_service_get_store\b')
DB_API = re.compile(r'\b(sqlite3_[a-z_]+|PQ[a-z]+[A-Za-z]*)\s*\(')
JSON_WRITE = re.compile(r'\b(hd_json_append_[a-z_]+|hd_json_error_body|hd_wire_write_[a-z_]+|'
                        r'hd_wire_frame|hd_wire_error_body|HD_JSON_(?:FIRST_)?KEY|'
                        r'hd_chat_service_render_[a-z_]+|hd_chat_service_private_chat_text)\s*\(')
IMPL_HEADER = re.compile(r'#include\s+"hd-store-(sqlite|pg|impl)[^"]*\.h"')
INCLUDE = re.compile(r'#include\s+"([^"]+)"')
# What each lower layer must not include (the layers above it).
ABOVE = {
    'core': {'door', 'api', 'bus'},
    'store': {'door', 'api', 'bus', 'core'},
}
EVENT_WRITER = re.compile(r'\bhd_chat_service_set_event_writer\b')


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


# header name -> the layer (folder of backend/) it belongs to
header_layer = {}
for folder, _, files in os.walk(backend):
    for name in files:
        if name.endswith('.h'):
            header_layer[name] = os.path.relpath(folder, backend).split(os.sep)[0]

problems = []
for folder, _, files in os.walk(backend):
    layer = os.path.relpath(folder, backend).split(os.sep)[0]
    for name in sorted(files):
        if not name.endswith(('.c', '.h')):
            continue
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root)
        with open(path, encoding='utf-8') as f:
            text = strip_comments(f.read())
        for lineno, line in enumerate(text.split('\n'), 1):
            where = f'{rel}:{lineno}'
            if layer not in ('store', 'core'):
                for m in STORE_CALL.finditer(line):
                    called = m.group(0).rstrip(' (')
                    if rel == os.path.join('backend', 'main.c') and called in MAIN_ALLOWED:
                        continue
                    problems.append(f'{where}: {called} () outside the service layer')
                if GET_STORE.search(line):
                    problems.append(f'{where}: the service\'s store reached from {layer}/')
            if layer in ('store', 'core') and name.endswith('.c'):
                m = JSON_WRITE.search(line)
                if m:
                    problems.append(f'{where}: {m.group(1)} (): JSON written in {layer}/')
            m = INCLUDE.search(line)
            if m and header_layer.get(m.group(1)) in ABOVE.get(layer, ()):
                problems.append(f'{where}: {layer}/ includes {m.group(1)} of '
                                f'{header_layer[m.group(1)]}/, a layer above it')
            if EVENT_WRITER.search(line):
                problems.append(f'{where}: an event writer installed into the service '
                                '(the service writes its events with common/hd-wire-event.h)')
            if layer != 'store':
                m = DB_API.search(line)
                if m and layer != 'bus':
                    problems.append(f'{where}: {m.group(1)} () outside store/')
                if IMPL_HEADER.search(line):
                    problems.append(f'{where}: a store implementation\'s header outside store/')

for p in problems:
    print(p)
print(f'{len(problems)} problem(s)')
sys.exit(1 if problems else 0)
