#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up time: process start -> first painted frame, for helpdesk-tech,
helpdesk-portal and the bare AdwApplicationWindow hello built beside them
(the floor: GTK and libadwaita initialisation), in the same run, under Xvfb
with the cairo renderer.  Each round starts the three in a rotated order;
the first rounds warm the page cache and are left out.  Prints the median,
the minimum and the 90th percentile of each, and each app's median over the
hello's.

    xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \\
        tests/bench/startup/startup.py BUILD_DIR [--rounds N]

The apps are told to quit at their first frame ($HD_BENCH_FIRST_FRAME=quit);
they start with --server pointing nowhere: a start-up does not wait for the
server, the keyring or the store (all come after the first frame)."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv, env):
    t0 = time.monotonic_ns() // 1000
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=60)
    for line in proc.stdout.decode('utf-8', 'replace').splitlines():
        if line.startswith('hd-first-frame '):
            return (int(line.split()[1]) - t0) / 1000.0
    raise RuntimeError('%s printed no first frame (exit %d)' % (argv[0], proc.returncode))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build', help='the meson build directory')
    ap.add_argument('--rounds', type=int, default=15)
    ap.add_argument('--warmup', type=int, default=2)
    args = ap.parse_args()

    if 'DISPLAY' not in os.environ or 'DBUS_SESSION_BUS_ADDRESS' not in os.environ:
        sys.exit('run under xvfb-run and dbus-run-session (see the docstring)')

    build = os.path.abspath(args.build)
    programs = {
        'hello': [os.path.join(build, 'tests/bench/startup/hd-hello')],
        'tech': [os.path.join(build, 'tech-app/helpdesk-tech'), '--server', 'http://127.0.0.1:9/'],
        'portal': [os.path.join(build, 'portal-app/helpdesk-portal'), '--server', 'http://127.0.0.1:9/'],
    }
    home = tempfile.mkdtemp(prefix='hd-startup-')
    env = dict(os.environ)
    env.update({
        'GSK_RENDERER': 'cairo',
        'HD_BENCH_FIRST_FRAME': 'quit',
        'GSETTINGS_BACKEND': 'memory',
        'GSETTINGS_SCHEMA_DIR': os.path.join(build, 'data'),
        'GTK_A11Y': 'none',
        'NO_AT_BRIDGE': '1',
        'HOME': home,
        'XDG_CONFIG_HOME': os.path.join(home, 'config'),
        'XDG_DATA_HOME': os.path.join(home, 'data'),
        'XDG_CACHE_HOME': os.path.join(home, 'cache'),
    })
    env.pop('G_MESSAGES_DEBUG', None)
    names = list(programs)
    times = {n: [] for n in names}
    try:
        for r in range(args.warmup + args.rounds):
            order = names[r % 3:] + names[:r % 3]
            for n in order:
                ms = run_once(programs[n], env)
                if r >= args.warmup:
                    times[n].append(ms)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    def q(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]

    print('start -> first painted frame, GSK_RENDERER=cairo, %d rounds (+%d warm-up)'
          % (args.rounds, args.warmup))
    print('%-8s %9s %9s %9s' % ('', 'median', 'min', 'p90'))
    for n in names:
        print('%-8s %7.1fms %7.1fms %7.1fms' % (n, statistics.median(times[n]), min(times[n]),
                                                 q(times[n], 0.9)))
    floor = statistics.median(times['hello'])
    for n in ('tech', 'portal'):
        print('%s / hello = %.2fx' % (n, statistics.median(times[n]) / floor))


if __name__ == '__main__':
    main()
