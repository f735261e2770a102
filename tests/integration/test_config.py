#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--config FILE: the server's options from a key file ([server], keys named
like the long options), the command line winning over the file; a bad file
is a usage error (exit 2) naming the file; GET /health names the store.

The databases are the run's store: SQLite files in the test's folder, or
with HD_TEST_STORE=postgresql fresh databases in the test's PostgreSQL
cluster (hdpg.py), named by a database = postgresql://... key like any other
option.  With HD_TEST_SERVERS=2 (suite cluster2) a second server is started
from the same file (its port given on the command line, which wins) and must
serve the same helpdesk: a token from the first works on the second."""

import os
import socket
import subprocess
import unittest
import uuid

from hdtest import Api, Server, free_port, server_bin, servers_wanted


class ConfigServer(Server):
    """One server started with exactly the given arguments (no --port 0 or
    --database of its own, no twin: the test starts a second one itself)."""

    def __init__(self, args, **kw):
        self.args = list(args)
        super().__init__(start=False, database='(given in args)', servers=1, **kw)

    def command(self):
        return [server_bin()] + self.args


class ConfigTest(unittest.TestCase):
    def setUp(self):
        self.srv = None
        self.dir = Server(start=False)      # only for its temporary folder
        self.addCleanup(self.dir.close)

    def path(self, name):
        return os.path.join(self.dir._tmp, name)

    @property
    def store(self):
        return self.dir.store

    def database(self, name):
        """A database of the run's store that nothing created yet: a SQLite
        file's path, or a new empty PostgreSQL database's URI."""
        if self.store == 'sqlite':
            return self.path(name + '.db')
        import hdpg
        return hdpg.shared_cluster().create_database()

    def has_schema(self, database):
        """Whether a server has created its tables in the database."""
        if self.store == 'sqlite':
            return os.path.exists(database)
        import hdpg
        return hdpg.shared_cluster().psql(
            database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").strip() != '0'

    def twin(self, srv, args):
        """In cluster2: a second server from the same arguments on a port of
        its own (the command line wins over the file), sharing the first's
        database: the token of a login on the first works on it."""
        if servers_wanted() < 2:
            return
        other = self.start(args + ['--port', '0'])
        self.assertNotEqual(other.port, srv.port)
        tina = Api(srv).login('tina')
        status, me = Api(other, tina.token).get('/me')
        self.assertEqual(status, 200, me)
        self.assertEqual(me['login'], 'tina')
        status, health = Api(other).get('/health')
        self.assertEqual((status, health.get('store')), (200, self.store), health)

    def write_config(self, text, name='server.conf'):
        p = self.path(name)
        with open(p, 'w') as f:
            f.write(text)
        return p

    def start(self, args):
        srv = ConfigServer(args)
        self.addCleanup(srv.close)
        try:
            srv.start()
        except RuntimeError:
            srv.close()
            raise
        return srv

    def run_bad(self, args):
        p = subprocess.run([server_bin()] + args, capture_output=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stderr.decode('utf-8', 'replace')

    def test_file_alone_sets_every_option(self):
        port = free_port()
        db = self.database('from-file')
        conf = self.write_config('# comment\n[server]\nlisten = 127.0.0.1\n'
                                 'port = %d\ndatabase = %s\nseed-demo = true\n' % (port, db))
        srv = self.start(['--config', conf])
        self.assertEqual(srv.port, port)
        self.assertTrue(self.has_schema(db))
        # seed-demo = true: the demo people are there.
        tina = Api(srv).login('tina')
        self.assertEqual(tina.user['login'], 'tina')
        status, health = Api(srv).get('/health')
        self.assertEqual(status, 200, health)
        self.assertEqual(health['status'], 'ok')
        self.assertEqual(health['store'], self.store)
        self.twin(srv, ['--config', conf])

    def test_command_line_wins(self):
        port = free_port()
        db_file = self.database('from-file')
        db_cli = self.database('from-cli')
        conf = self.write_config('[server]\nport = %d\ndatabase = %s\nseed-demo = true\n'
                                 % (port, db_file))
        # Before and after --config: the command line wins either way.
        for args in (['--port', '0', '--config', conf, '--database', db_cli],
                     ['--port=0', '--database=' + db_cli, '--config=' + conf]):
            srv = self.start(args)
            self.assertNotEqual(srv.port, port)
            self.assertTrue(self.has_schema(db_cli))
            self.assertFalse(self.has_schema(db_file))
            Api(srv).login('tina')      # seed-demo still came from the file
            self.twin(srv, args)
            self.assertEqual(srv.stop(), 0)

    def test_false_boolean_in_file(self):
        db = self.database('empty')
        conf = self.write_config('[server]\nport = 0\ndatabase = %s\nseed-demo = false\n' % db)
        srv = self.start(['--config', conf])
        status, body = Api(srv).post('/session', {'login': 'tina', 'password': 'demo'}, auth=False)
        self.assertEqual(status, 401, body)
        # ...and the command line's --seed-demo still turns it on.
        srv.stop()
        srv2 = self.start(['--config', conf, '--seed-demo'])
        Api(srv2).login('tina')
        # (a second server without --seed-demo finds the people there)
        self.twin(srv2, ['--config', conf])

    def test_bad_files_are_usage_errors(self):
        cases = {
            'unknown key': ('[server]\nprot = 8080\n', 'prot'),
            'no group': ('[other]\nport = 8080\n', '[server]'),
            'not a key file': ('port = 8080\n', 'server.conf'),
            'bad boolean': ('[server]\nseed-demo = maybe\n', 'seed-demo'),
            'bad port': ('[server]\nport = eighty\n', 'eighty'),
            'config in config': ('[server]\nconfig = /etc/passwd\n', 'config'),
            'bad count': ('[server]\nmax-frames-per-second = -1\n',
                          '--max-frames-per-second: “-1” is not a number'),
            'bad count of sockets': ('[server]\nmax-sockets-per-user = many\n',
                                     '--max-sockets-per-user: “many” is not a number'),
        }
        for what, (text, needle) in cases.items():
            with self.subTest(what):
                conf = self.write_config(text)
                # No --port here: the command line would win over the file's.
                rc, err = self.run_bad(['--config', conf, '--database', self.database('x')])
                self.assertEqual(rc, 2, err)
                self.assertIn(needle, err)
        rc, err = self.run_bad(['--config', self.path('missing.conf')])
        self.assertEqual(rc, 2, err)
        self.assertIn('missing.conf', err)

    def test_shipped_example_config(self):
        src = os.environ.get('HD_SOURCE_ROOT', os.path.join(os.path.dirname(__file__), '..', '..'))
        conf = os.path.join(src, 'data', 'helpdesk-server.conf')
        args = ['--config', conf, '--port', '0', '--database', self.database('ex'), '--seed-demo']
        srv = self.start(args)
        self.assertEqual(srv.host, '127.0.0.1')
        Api(srv).login('tina')
        self.twin(srv, args)

    def test_systemd_notify(self):
        """Type=notify: READY=1 once listening, STOPPING=1 on SIGTERM, on a
        path socket and on an abstract one."""
        for abstract in (False, True):
            with self.subTest(abstract=abstract), \
                    socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                if abstract:
                    name = 'hdtest-notify-' + uuid.uuid4().hex
                    sock.bind('\0' + name)
                    env_value = '@' + name
                else:
                    env_value = self.path('notify.sock')
                    sock.bind(env_value)
                sock.settimeout(10)
                os.environ['NOTIFY_SOCKET'] = env_value
                try:
                    srv = self.start(['--port', '0', '--database', self.database('n')])
                finally:
                    del os.environ['NOTIFY_SOCKET']
                self.assertEqual(sock.recv(256), b'READY=1')
                srv.proc.send_signal(15)
                self.assertEqual(sock.recv(256), b'STOPPING=1')
                self.assertEqual(srv.stop(), 0)
                if not abstract:
                    os.unlink(env_value)


if __name__ == '__main__':
    unittest.main(verbosity=2)
