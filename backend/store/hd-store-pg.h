/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-store-impl.h"

G_BEGIN_DECLS

/* The PostgreSQL store (libpq), HdStorePg: an implementation of
 * hd-store.h (its class slots are filled in hd_store_pg_class_init ()),
 * used when --database is a postgresql:// URI.  Several
 * servers may share the database: the seed rules that must hold between
 * processes (one open chat per request, first accept wins, message seq)
 * are single statements or constraints, as in SQLite. */

#define HD_TYPE_STORE_PG (hd_store_pg_get_type ())
G_DECLARE_FINAL_TYPE (HdStorePg, hd_store_pg, HD, STORE_PG, HdStore)

HdStore   *hd_store_pg_open                  (const char    *uri,
                                              GError       **error);

gboolean   hd_store_pg_begin                 (HdStorePg     *self,
                                              GError       **error);
gboolean   hd_store_pg_commit                (HdStorePg     *self,
                                              GError       **error);
void       hd_store_pg_rollback              (HdStorePg     *self);

/* Contract v2 "Technicians" (hd-store-pg-tech.c): fills those slots of
 * hd-store-impl.h (hd_store_pg_class_init () calls it). */
void       hd_store_pg_tech_class_init       (HdStoreClass  *klass);

G_END_DECLS
