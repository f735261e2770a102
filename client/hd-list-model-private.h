/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-list-model.h"

G_BEGIN_DECLS

/* Only HdSession changes its lists. */
HdListModel *hd_list_model_new          (GType        item_type);
GListStore  *hd_list_model_get_store    (HdListModel *self);
/* A fetch into this list starts / ends (several may overlap: "loading"
 * stays on until the last ends).  The last end turns "loaded" on and keeps
 * @error (NULL after a success). */
void         hd_list_model_begin_load   (HdListModel  *self);
void         hd_list_model_end_load     (HdListModel  *self,
                                         const GError *error);

/* Finds the item whose "id" property is @id. */
gboolean     hd_list_model_find_id      (HdListModel *self,
                                         gint64       id,
                                         guint       *out_position);
/* Replaces the items with @items (objects) only if membership or order
 * changed, so bound views do not rebuild every row on a refresh. */
void         hd_list_model_set_items    (HdListModel *self,
                                         GPtrArray   *items);

G_END_DECLS
