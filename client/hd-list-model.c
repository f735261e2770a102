/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-list-model"

#include "hd-list-model-private.h"

struct _HdListModel
{
  GObject parent_instance;

  GListStore *store;
  GType item_type;
  guint loads;       /* fetches under way */
  gboolean loaded;
  GError *error;
};

static void hd_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HdListModel, hd_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, hd_list_model_iface_init))

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_LOADING,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return HD_LIST_MODEL (model)->item_type;
}

static guint
get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (HD_LIST_MODEL (model)->store));
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (HD_LIST_MODEL (model)->store), position);
}

static void
hd_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
on_store_items_changed (HdListModel *self,
                        guint        position,
                        guint        removed,
                        guint        added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
hd_list_model_finalize (GObject *object)
{
  HdListModel *self = HD_LIST_MODEL (object);

  g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (hd_list_model_parent_class)->finalize (object);
}

static void
hd_list_model_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HdListModel *self = HD_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE: g_value_set_gtype (value, self->item_type); break;
    case PROP_N_ITEMS: g_value_set_uint (value, get_n_items (G_LIST_MODEL (self))); break;
    case PROP_LOADING: g_value_set_boolean (value, self->loads > 0); break;
    case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_list_model_class_init (HdListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hd_list_model_finalize;
  object_class->get_property = hd_list_model_get_property;

  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_list_model_init (HdListModel *self)
{
}

HdListModel *
hd_list_model_new (GType item_type)
{
  HdListModel *self = g_object_new (HD_TYPE_LIST_MODEL, NULL);

  self->item_type = item_type;
  self->store = g_list_store_new (item_type);
  g_signal_connect_swapped (self->store, "items-changed", G_CALLBACK (on_store_items_changed), self);
  return self;
}

GListStore *
hd_list_model_get_store (HdListModel *self)
{
  g_return_val_if_fail (HD_IS_LIST_MODEL (self), NULL);
  return self->store;
}

GType
hd_list_model_get_item_type (HdListModel *self)
{
  g_return_val_if_fail (HD_IS_LIST_MODEL (self), G_TYPE_INVALID);
  return self->item_type;
}

gboolean
hd_list_model_get_loading (HdListModel *self)
{
  g_return_val_if_fail (HD_IS_LIST_MODEL (self), FALSE);
  return self->loads > 0;
}

gboolean
hd_list_model_get_loaded (HdListModel *self)
{
  g_return_val_if_fail (HD_IS_LIST_MODEL (self), FALSE);
  return self->loaded;
}

const GError *
hd_list_model_get_error (HdListModel *self)
{
  g_return_val_if_fail (HD_IS_LIST_MODEL (self), NULL);
  return self->error;
}

void
hd_list_model_begin_load (HdListModel *self)
{
  g_return_if_fail (HD_IS_LIST_MODEL (self));
  if (self->loads++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
hd_list_model_end_load (HdListModel  *self,
                        const GError *error)
{
  g_return_if_fail (HD_IS_LIST_MODEL (self));
  g_return_if_fail (self->loads > 0);
  g_object_freeze_notify (G_OBJECT (self));
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  if (--self->loads == 0)
    {
      if (!self->loaded)
        {
          self->loaded = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
hd_list_model_find_id (HdListModel *self,
                       gint64       id,
                       guint       *out_position)
{
  guint n = get_n_items (G_LIST_MODEL (self));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      gint64 item_id = 0;

      g_object_get (item, "id", &item_id, NULL);
      if (item_id == id)
        {
          if (out_position)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}

void
hd_list_model_set_items (HdListModel *self,
                         GPtrArray   *items)
{
  guint n = get_n_items (G_LIST_MODEL (self));
  gboolean same = n == items->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      same = item == g_ptr_array_index (items, i);
    }
  if (!same)
    g_list_store_splice (self->store, 0, n, items->pdata, items->len);
}
