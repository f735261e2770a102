-- SPDX-License-Identifier: GPL-3.0-or-later
-- A database of schema version 1 (the transcript kept as a copy in
-- notes.body, no client_id, no per-chat seq counter), as an older server
-- left it.  test-store migrates it to the current version.
PRAGMA foreign_keys = OFF;
BEGIN TRANSACTION;
CREATE TABLE users (  id INTEGER PRIMARY KEY,  login TEXT NOT NULL UNIQUE,  name TEXT NOT NULL,  email TEXT NOT NULL,  role TEXT NOT NULL CHECK (role IN ('customer','technician','admin')),  password_hash TEXT NOT NULL,  available INTEGER NOT NULL DEFAULT 0,  created_at INTEGER NOT NULL DEFAULT 0);
INSERT INTO users VALUES(1,'tina','Tina Tech','tina@example.com','technician','x',1,1795599990000000);
INSERT INTO users VALUES(2,'carol','Carol Customer','carol@example.com','customer','x',0,1795599990000000);
CREATE TABLE tokens (  hash TEXT PRIMARY KEY,  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  created_at INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO tokens VALUES('abababababababababababababababababababababababababababababababab',2,1795599990000000);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO teams VALUES(1,'Service Desk');
CREATE TABLE team_members (  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  PRIMARY KEY (team_id, user_id)) WITHOUT ROWID;
INSERT INTO team_members VALUES(1,1);
CREATE INDEX team_members_user ON team_members(user_id);
CREATE TABLE settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO settings VALUES('chat_enabled',1);
INSERT INTO settings VALUES('customer_chat_with_team',0);
CREATE TABLE requests (  id INTEGER PRIMARY KEY,  subject TEXT NOT NULL,  description TEXT NOT NULL DEFAULT '',  status TEXT NOT NULL CHECK (status IN ('open','closed')),  customer_id INTEGER NOT NULL REFERENCES users(id),  assignee_id INTEGER REFERENCES users(id),  team_id INTEGER REFERENCES teams(id),  created_at INTEGER NOT NULL);
INSERT INTO requests VALUES(1,'Printer offline','','open',2,1,1,1795599990000000);
CREATE INDEX requests_customer ON requests(customer_id);
CREATE INDEX requests_assignee ON requests(assignee_id);
CREATE INDEX requests_team ON requests(team_id);
CREATE TABLE notes (  id INTEGER PRIMARY KEY,  request_id INTEGER NOT NULL REFERENCES requests(id),  kind TEXT NOT NULL CHECK (kind IN ('note','chat_transcript')),  chat_id INTEGER REFERENCES chats(id),  body TEXT NOT NULL DEFAULT '',  created_at INTEGER NOT NULL,  updated_at INTEGER NOT NULL);
INSERT INTO notes VALUES(1,1,'note',NULL,'Customer called about the printer.',1795599990000000,1795599990000000);
INSERT INTO notes VALUES(2,1,'chat_transcript',1,'2026-11-25T09:46:40.123Z Carol Customer: Hello, the printer is offline again
2026-11-25T09:46:45.456Z Tina Tech: Grüße — I am on it ✓
',1795600000122000,1795600005456000);
CREATE INDEX notes_request ON notes(request_id);
CREATE TABLE chats (  id INTEGER PRIMARY KEY,  request_id INTEGER NOT NULL REFERENCES requests(id),  state TEXT NOT NULL CHECK (state IN ('waiting','active','ended')),  customer_id INTEGER NOT NULL REFERENCES users(id),  technician_id INTEGER REFERENCES users(id),  target_kind TEXT NOT NULL CHECK (target_kind IN ('technician','team')),  target_id INTEGER NOT NULL,  note_id INTEGER REFERENCES notes(id),  created_at INTEGER NOT NULL,  accepted_at INTEGER,  ended_at INTEGER);
INSERT INTO chats VALUES(1,1,'active',2,1,'technician',1,2,1795600000121000,1795600000122000,NULL);
CREATE UNIQUE INDEX chats_one_open ON chats(request_id) WHERE state IN ('waiting','active');
CREATE INDEX chats_customer ON chats(customer_id);
CREATE INDEX chats_technician ON chats(technician_id);
CREATE INDEX chats_waiting ON chats(state) WHERE state = 'waiting';
CREATE TABLE messages (  id INTEGER PRIMARY KEY,  chat_id INTEGER NOT NULL REFERENCES chats(id),  seq INTEGER NOT NULL,  author_id INTEGER NOT NULL REFERENCES users(id),  body TEXT NOT NULL,  created_at INTEGER NOT NULL,  UNIQUE (chat_id, seq));
INSERT INTO messages VALUES(1,1,1,2,'Hello, the printer is offline again',1795600000123000);
INSERT INTO messages VALUES(2,1,2,1,'Grüße — I am on it ✓',1795600005456000);
PRAGMA user_version = 1;
COMMIT;
