/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The fixture the store's tests share (test-store.c, test-store-tech.c,
 * test-store-pg-tech.c): a fresh database per test, SQLite in a temporary
 * directory or PostgreSQL in a new database of the cluster HD_TEST_PG_URI
 * names (tests/integration/with_pg.py), and the rows most tests start
 * from. */
#include "hd-store.h"
#include "hd-store-tech.h"

#include <libpq-fe.h>

typedef struct {
  char    *dir;     /* SQLite: the temporary directory; NULL on PostgreSQL */
  char    *path;    /* what hd_store_open () was given: a file or a URI */
  PGconn  *conn;    /* PostgreSQL: the same database, for writes "from outside" */
  HdStore *store;
} Fixture;

/* g_test_add () fixture functions. */
void             fixture_set_up        (Fixture       *f,
                                        gconstpointer  data);
void             fixture_set_up_pg     (Fixture       *f,
                                        gconstpointer  data);
void             fixture_tear_down     (Fixture       *f,
                                        gconstpointer  data);

/* A temporary directory, and removing it with its files. */
char            *fixture_make_dir      (void);
void             fixture_remove_dir    (const char    *dir);
/* Runs @text on @conn; any error ends the test. */
void             fixture_sql           (PGconn        *conn,
                                        const char    *text);

HdUserRecord    *make_user             (HdStore       *store,
                                        const char    *login,
                                        HdRole         role);
/* A request of @customer with an active chat accepted by @tech and its
 * transcript note. */
HdChatRecord     make_active_chat      (HdStore       *store,
                                        HdUserRecord  *customer,
                                        HdUserRecord  *tech);
/* Messages @from .. @from + @n - 1 of @body by @author_id into @chat_id
 * (client ids "m-<i>", created at 1000 + i), each its own commit unless a
 * transaction is open. */
void             add_messages          (HdStore       *store,
                                        gint64         chat_id,
                                        gint64         author_id,
                                        const char    *body,
                                        int            from,
                                        int            n);
GPtrArray       *search                (HdStore          *store,
                                        HdRequestsFilter  filter,
                                        gint64            user_id,
                                        const char       *query);

/* Tests that test-store-tech.c (SQLite) and test-store-pg-tech.c
 * (PostgreSQL) both run. */
void             test_guarded_moves    (Fixture       *f,
                                        gconstpointer  data);
