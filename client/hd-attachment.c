/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-attachment"

#include "hd-attachment.h"
#include "hd-client-private.h"
#include "hd-protocol.h"

struct _HdAttachment
{
  GObject parent_instance;

  gint64  id;
  char   *filename;
  char   *content_type;
  gint64  size;
  char   *sha256;
};

G_DEFINE_FINAL_TYPE (HdAttachment, hd_attachment, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FILENAME,
  PROP_CONTENT_TYPE,
  PROP_SIZE,
  PROP_SHA256,
  PROP_IS_IMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_attachment_finalize (GObject *object)
{
  HdAttachment *self = HD_ATTACHMENT (object);

  g_free (self->filename);
  g_free (self->content_type);
  g_free (self->sha256);
  G_OBJECT_CLASS (hd_attachment_parent_class)->finalize (object);
}

static void
hd_attachment_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HdAttachment *self = HD_ATTACHMENT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_FILENAME: g_value_set_string (value, self->filename); break;
    case PROP_CONTENT_TYPE: g_value_set_string (value, self->content_type); break;
    case PROP_SIZE: g_value_set_int64 (value, self->size); break;
    case PROP_SHA256: g_value_set_string (value, self->sha256); break;
    case PROP_IS_IMAGE: g_value_set_boolean (value, hd_attachment_is_image (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_attachment_class_init (HdAttachmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hd_attachment_finalize;
  object_class->get_property = hd_attachment_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_FILENAME] = g_param_spec_string ("filename", NULL, NULL, NULL, f);
  properties[PROP_CONTENT_TYPE] = g_param_spec_string ("content-type", NULL, NULL, NULL, f);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_SHA256] = g_param_spec_string ("sha256", NULL, NULL, NULL, f);
  properties[PROP_IS_IMAGE] = g_param_spec_boolean ("is-image", NULL, NULL, FALSE, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_attachment_init (HdAttachment *self)
{
}

HdAttachment *
hd_attachment_new_from_json (JsonObject *object)
{
  HdAttachment *self;
  gint64 id = hd_json_get_int (object, "id", -1);

  if (object == NULL || id <= 0 || hd_json_get_string (object, "filename") == NULL)
    return NULL;
  self = g_object_new (HD_TYPE_ATTACHMENT, NULL);
  self->id = id;
  self->filename = g_strdup (hd_json_get_string (object, "filename"));
  self->content_type = g_strdup (hd_json_get_string (object, "content_type"));
  self->size = hd_json_get_int (object, "size", 0);
  self->sha256 = g_strdup (hd_json_get_string (object, "sha256"));
  return self;
}

gint64 hd_attachment_get_id (HdAttachment *self) { g_return_val_if_fail (HD_IS_ATTACHMENT (self), 0); return self->id; }
const char *hd_attachment_get_filename (HdAttachment *self) { g_return_val_if_fail (HD_IS_ATTACHMENT (self), NULL); return self->filename; }
const char *hd_attachment_get_content_type (HdAttachment *self) { g_return_val_if_fail (HD_IS_ATTACHMENT (self), NULL); return self->content_type; }
gint64 hd_attachment_get_size (HdAttachment *self) { g_return_val_if_fail (HD_IS_ATTACHMENT (self), 0); return self->size; }
const char *hd_attachment_get_sha256 (HdAttachment *self) { g_return_val_if_fail (HD_IS_ATTACHMENT (self), NULL); return self->sha256; }

gboolean
hd_attachment_is_image (HdAttachment *self)
{
  g_return_val_if_fail (HD_IS_ATTACHMENT (self), FALSE);
  return hd_protocol_content_type_is_image (self->content_type);
}
