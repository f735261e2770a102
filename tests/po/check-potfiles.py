#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a source or UI file with translatable strings is missing from
po/POTFILES.in, or when POTFILES.in names a file that does not exist."""
import os
import re
import sys

root = os.environ.get("HD_SOURCE_ROOT") or sys.argv[1]
potfiles_path = os.path.join(root, "po", "POTFILES.in")

listed = set()
with open(potfiles_path, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.add(line)

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable\s*=\s*"(yes|true|1)"')
DATA_SUFFIXES = (".desktop.in", ".metainfo.xml.in", ".gschema.xml")

needed = set()
for folder in ("backend", "common", "client", "tech-app", "portal-app", "data"):
    for dirpath, _dirs, files in os.walk(os.path.join(root, folder)):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if name.endswith((".c", ".h")):
                with open(path, encoding="utf-8", errors="replace") as f:
                    if C_MARK.search(f.read()):
                        needed.add(rel)
            elif name.endswith(".ui"):
                with open(path, encoding="utf-8", errors="replace") as f:
                    if UI_MARK.search(f.read()):
                        needed.add(rel)
            elif name.endswith(DATA_SUFFIXES):
                needed.add(rel)

missing = sorted(needed - listed)
stale = sorted(p for p in listed if not os.path.exists(os.path.join(root, p)))

for p in missing:
    print(f"po/POTFILES.in: missing {p} (it has translatable strings)")
for p in stale:
    print(f"po/POTFILES.in: lists {p}, which does not exist")
print(f"{len(needed)} files with translatable strings, {len(listed)} listed")
sys.exit(1 if missing or stale else 0)
