#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real SMTP server (aiosmtpd) for tests written in C.

    smtp_sink.py [--refuse ADDRESS]...

Prints "PORT <n>" once it listens on 127.0.0.1, then one JSON line per
message received, decoded by Python's email package (an implementation
independent of the one under test):

    {"mail_from", "rcpt_tos", "headers": [[name, raw value]...],
     "to": decoded To, "subject": decoded Subject, "body": decoded text,
     "raw": the message as received, after SMTP dot-unstuffing}

RCPT for a --refuse address answers 550.  Exits when stdin closes.
"""

import argparse
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hdtest import SmtpSink  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--refuse', action='append', default=[])
    args = parser.parse_args()

    sink = SmtpSink(start=False)
    sink.refuse.update(a.lower() for a in args.refuse)
    sink.start()
    print('PORT %d' % sink.port, flush=True)

    def report():
        sent = 0
        while True:
            with sink.cond:
                while len(sink.messages) <= sent:
                    sink.cond.wait()
                msg = sink.messages[sent]
                mail_from, rcpt_tos = sink.envelopes[sent]
                raw = sink.raw[sent]
            sent += 1
            try:
                body = msg.get_content()
            except Exception as e:  # noqa: BLE001 - reported to the test
                body = '<undecodable: %s>' % e
            line = json.dumps({
                'mail_from': mail_from,
                'rcpt_tos': rcpt_tos,
                'headers': [[k, str(v)] for k, v in msg.raw_items()],
                'to': str(msg['To']),
                'subject': str(msg['Subject']),
                'body': body.replace('\r\n', '\n'),
                'raw': raw.decode('utf-8', 'replace'),
            })
            print(line, flush=True)

    threading.Thread(target=report, daemon=True).start()
    sys.stdin.read()
    sink.stop()


if __name__ == '__main__':
    main()
