#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a program with HD_TEST_PG_URI set to a fresh database of a
throwaway PostgreSQL cluster (hdpg.py), for C tests of the PostgreSQL store:

    with_pg.py PROGRAM [ARGS…]

The program may create more databases through that URI (it connects as the
cluster's superuser).  Exits with the program's status."""

import os
import subprocess
import sys

import hdpg


def main():
    why = hdpg.available()
    if why:
        print('skipped: ' + why, file=sys.stderr)
        return 77
    uri = hdpg.shared_cluster().create_database()
    env = dict(os.environ, HD_TEST_PG_URI=uri)
    return subprocess.run(sys.argv[1:], env=env, stdin=subprocess.DEVNULL).returncode


if __name__ == '__main__':
    sys.exit(main())
