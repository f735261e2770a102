# SPDX-License-Identifier: GPL-3.0-or-later
"""A throwaway PostgreSQL 15 cluster for tests: Debian's initdb and pg_ctl in
a temporary folder, listening only on a Unix socket in that folder.

    from hdpg import PgCluster
    with PgCluster() as pg:
        uri = pg.create_database()      # postgresql:///hd_1?host=…&user=postgres
        pg.psql(uri, 'SELECT 1')        # runs psql, returns its output

    shared_cluster()    one cluster per test process, started on first use
                        and stopped when the process exits (also on SIGTERM,
                        which is how meson ends a test that timed out).

initdb refuses to run as root, so as root the folder belongs to the
`postgres` user the Debian package creates and initdb/pg_ctl run as that
user (runuser); as anyone else they run as themselves.  The superuser is
called `postgres` either way, with `trust` authentication on the socket.
HD_PG_BINDIR overrides /usr/lib/postgresql/15/bin."""

import atexit
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

PG_BINDIR = os.environ.get('HD_PG_BINDIR', '/usr/lib/postgresql/15/bin')
PG_USER = 'postgres'


def available():
    """None when PostgreSQL can be started here, else why not."""
    for prog in ('initdb', 'pg_ctl', 'postgres'):
        if not os.access(os.path.join(PG_BINDIR, prog), os.X_OK):
            return 'no %s in %s (tools/setup installs postgresql-15)' % (prog, PG_BINDIR)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            return 'running as root and there is no %s user to run initdb' % PG_USER
        if shutil.which('runuser') is None:
            return 'running as root without runuser'
    return None


class PgCluster:
    _names = itertools.count(1)

    def __init__(self, start=True, fsync=False, extra_conf=None):
        self.tmp = None
        self.running = False
        self.fsync = fsync
        self.extra_conf = dict(extra_conf or {})
        if start:
            self.start()

    @property
    def datadir(self):
        return os.path.join(self.tmp, 'data')

    @property
    def sockdir(self):
        return self.tmp

    @property
    def logfile(self):
        return os.path.join(self.tmp, 'postgresql.log')

    def _as_owner(self, argv):
        if os.geteuid() == 0:
            return ['runuser', '-u', PG_USER, '--'] + argv
        return argv

    def _run(self, argv, **kw):
        p = subprocess.run(self._as_owner(argv), capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, **kw)
        if p.returncode != 0:
            raise RuntimeError('%s failed (%d):\n%s%s\n%s' % (
                ' '.join(argv), p.returncode, p.stdout, p.stderr, self.log()[-3000:]))
        return p.stdout

    def start(self):
        why = available()
        if why:
            raise RuntimeError('cannot start PostgreSQL: ' + why)
        self.tmp = tempfile.mkdtemp(prefix='hdpg-')
        if os.geteuid() == 0:
            pw = pwd.getpwnam(PG_USER)
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
        self._run([os.path.join(PG_BINDIR, 'initdb'), '-D', self.datadir, '-U', PG_USER,
                   '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
        conf = {
            'listen_addresses': "''",
            'unix_socket_directories': "'%s'" % self.sockdir,
            'max_connections': '200',
            'shared_buffers': '32MB',
            # Test clusters only: the store still commits with
            # synchronous_commit=on; fsync off spares the shared disk.
            'fsync': 'on' if self.fsync else 'off',
            'full_page_writes': 'on' if self.fsync else 'off',
            'log_min_messages': 'warning',
        }
        conf.update(self.extra_conf)
        with open(os.path.join(self.datadir, 'postgresql.conf'), 'a') as f:
            f.write('\n# hdpg.py\n')
            for k, v in conf.items():
                f.write('%s = %s\n' % (k, v))
        self._run([os.path.join(PG_BINDIR, 'pg_ctl'), '-D', self.datadir, '-l', self.logfile,
                   '-w', '-t', '60', 'start'])
        self.running = True
        return self

    def uri(self, dbname='postgres'):
        return 'postgresql:///%s?host=%s&user=%s' % (
            dbname, urllib.parse.quote(self.sockdir, safe='/'), PG_USER)

    def psql(self, uri, sql):
        """Runs sql through psql on uri; returns its unaligned output."""
        p = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
                            '-d', uri, '-c', sql],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError('psql %r: %s' % (sql, p.stderr))
        return p.stdout

    def create_database(self, name=None):
        """A fresh, empty database; returns its URI."""
        if name is None:
            name = 'hd_%d_%d' % (os.getpid(), next(self._names))
        self.psql(self.uri(), 'CREATE DATABASE "%s"' % name)
        return self.uri(name)

    def drop_database(self, name):
        self.psql(self.uri(), 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def log(self):
        try:
            with open(self.logfile, errors='replace') as f:
                return f.read()
        except (OSError, TypeError):
            return ''

    def stop(self):
        if self.running:
            self.running = False
            try:
                self._run([os.path.join(PG_BINDIR, 'pg_ctl'), '-D', self.datadir,
                           '-m', 'immediate', '-w', 'stop'])
            except RuntimeError as e:
                sys.stderr.write('hdpg: %s\n' % e)
        if self.tmp and not os.environ.get('HD_KEEP_TMP'):
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


_shared = None


def _on_sigterm(signum, frame):
    sys.exit(128 + signum)


def shared_cluster():
    """One cluster per test process, stopped at exit."""
    global _shared
    if _shared is None:
        _shared = PgCluster()
        atexit.register(_shared.stop)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)
    return _shared


def database_name(uri):
    return urllib.parse.urlsplit(uri).path.lstrip('/')
