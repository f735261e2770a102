/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "hd-client-types.h"

G_BEGIN_DECLS

#define HD_TYPE_ATTACHMENT (hd_attachment_get_type ())
G_DECLARE_FINAL_TYPE (HdAttachment, hd_attachment, HD, ATTACHMENT, GObject)

/* A file sent in a chat (contract v2 "attachment"), as a message of kind
 * "attachment" carries it.  Immutable.  Properties: "id", "filename",
 * "content-type", "size", "sha256", "is-image". */
HdAttachment *hd_attachment_new_from_json     (JsonObject   *object);
gint64        hd_attachment_get_id            (HdAttachment *self);
const char   *hd_attachment_get_filename      (HdAttachment *self);
const char   *hd_attachment_get_content_type  (HdAttachment *self);
gint64        hd_attachment_get_size          (HdAttachment *self);
const char   *hd_attachment_get_sha256        (HdAttachment *self);
/* PNG, JPEG, GIF or WebP: shown as a thumbnail. */
gboolean      hd_attachment_is_image          (HdAttachment *self);

G_END_DECLS
