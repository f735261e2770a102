#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the built systemd unit: the keys the deployment relies on
(Type=notify, DynamicUser, StateDirectory, the hardening options), then,
where systemd-analyze exists, `verify` (no warning at all, with ExecStart
pointed at the built binary) and `security --offline` (exposure at most 2.0).

    check-service.py UNIT SERVER_BINARY"""

import os
import shutil
import subprocess
import sys
import tempfile

REQUIRED = {
    'Service': {
        'Type': {'notify', 'simple'},
        'DynamicUser': {'yes'},
        'ProtectSystem': {'strict'},
        'ProtectHome': {'yes'},
        'NoNewPrivileges': {'yes'},
        'PrivateTmp': {'yes'},
        'PrivateDevices': {'yes'},
        'RestrictSUIDSGID': {'yes'},
        'StateDirectory': {'helpdesk'},
        'CapabilityBoundingSet': {''},
    },
    'Install': {'WantedBy': {'multi-user.target'}},
}


def parse(path):
    sections, cur = {}, None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                cur = sections.setdefault(line.strip('[]'), {})
                continue
            if '=' not in line or cur is None:
                sys.exit('%s:%d: not a key=value line: %r' % (path, n, line))
            k, v = line.split('=', 1)
            cur.setdefault(k.strip(), []).append(v.strip())
    return sections


def main():
    unit, binary = sys.argv[1], sys.argv[2]
    s = parse(unit)
    for sec, keys in REQUIRED.items():
        for k, allowed in keys.items():
            vals = s.get(sec, {}).get(k)
            if not vals or vals[-1] not in allowed:
                sys.exit('%s: [%s] %s=%r, want one of %r' % (unit, sec, k, vals, allowed))
    exe = s['Service']['ExecStart'][-1].split()
    if os.path.basename(exe[0]) != 'helpdesk-server' or not exe[1].startswith('--config='):
        sys.exit('%s: ExecStart=%r' % (unit, ' '.join(exe)))
    print('keys ok')

    analyze = shutil.which('systemd-analyze')
    if analyze is None:
        print('systemd-analyze not installed: keys checked only')
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'helpdesk-server.service')
        with open(unit) as f:
            text = f.read().replace(exe[0], os.path.abspath(binary))
        with open(copy, 'w') as f:
            f.write(text)
        p = subprocess.run([analyze, 'verify', copy], capture_output=True, text=True)
        # Unknown keys are only warnings: any output is a failure here.
        if p.returncode != 0 or p.stderr.strip() or p.stdout.strip():
            sys.exit('systemd-analyze verify (rc %d):\n%s%s' % (p.returncode, p.stdout, p.stderr))
        print('systemd-analyze verify ok')
        p = subprocess.run([analyze, 'security', '--offline=yes', '--threshold=20',
                            '--no-pager', copy], capture_output=True, text=True)
        last = [l for l in p.stdout.splitlines() if 'Overall exposure level' in l]
        if p.returncode != 0 or not last:
            sys.exit('systemd-analyze security (rc %d):\n%s%s' % (p.returncode, p.stdout, p.stderr))
        print(last[0].strip())


if __name__ == '__main__':
    main()
