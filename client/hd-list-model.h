/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HD_TYPE_LIST_MODEL (hd_list_model_get_type ())
G_DECLARE_FINAL_TYPE (HdListModel, hd_list_model, HD, LIST_MODEL, GObject)

/* What every HdSession list is: a GListModel of canonical objects (one
 * instance per id, updated in place), plus whether the server is being
 * asked right now.  Bind widgets to it; read "loading" for a spinner and
 * "loaded" to tell "nothing there" from "not asked yet".
 *
 * Properties (all read-only, notify on change):
 *   "item-type" (GType), "n-items" (guint),
 *   "loading" (gboolean)  a fetch of this list is under way,
 *   "loaded"  (gboolean)  at least one fetch has finished (even a failed
 *                         one: then "error" says why). */
GType         hd_list_model_get_item_type (HdListModel *self);
gboolean      hd_list_model_get_loading   (HdListModel *self);
gboolean      hd_list_model_get_loaded    (HdListModel *self);
/* The last fetch's failure, NULL after a success. */
const GError *hd_list_model_get_error     (HdListModel *self);

G_END_DECLS
