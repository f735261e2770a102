/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-portal-util.h"
#include "hd-portal-request-row.h"

struct _HdPortalRequestRow
{
  GtkListBoxRow  parent_instance;

  GtkImage      *status_icon;
  GtkLabel      *subject_label;
  GtkLabel      *meta_label;
  GtkImage      *chat_icon;

  HdRequest     *request;
};

G_DEFINE_FINAL_TYPE (HdPortalRequestRow, hd_portal_request_row, GTK_TYPE_LIST_BOX_ROW)

static void
update (HdPortalRequestRow *self)
{
  g_autofree char *meta = NULL;
  g_autofree char *accessible = NULL;
  gboolean open = hd_request_is_open (self->request);
  HdChat *chat = hd_request_get_active_chat (self->request);
  const char *status = open ? _("Open") : _("Closed");

  gtk_label_set_text (self->subject_label, hd_request_get_subject (self->request));
  /* Translators: "#3 · Closed" in the list of requests */
  meta = g_strdup_printf (_("#%" PRId64 " · %s"), hd_request_get_id (self->request), status);
  gtk_label_set_text (self->meta_label, meta);
  gtk_image_set_from_icon_name (self->status_icon,
                                open ? "mail-unread-symbolic" : "mail-read-symbolic");
  gtk_widget_set_opacity (GTK_WIDGET (self->subject_label), open ? 1.0 : 0.6);
  gtk_widget_set_visible (GTK_WIDGET (self->chat_icon),
                          chat != NULL && hd_chat_get_state (chat) != HD_CHAT_STATE_ENDED);

  /* A screen reader reads the subject first, then the rest. */
  accessible = g_strdup_printf ("%s, %s", hd_request_get_subject (self->request), meta);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
hd_portal_request_row_dispose (GObject *object)
{
  HdPortalRequestRow *self = HD_PORTAL_REQUEST_ROW (object);

  if (self->request != NULL)
    g_signal_handlers_disconnect_by_data (self->request, self);
  g_clear_object (&self->request);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_PORTAL_REQUEST_ROW);

  G_OBJECT_CLASS (hd_portal_request_row_parent_class)->dispose (object);
}

static void
hd_portal_request_row_class_init (HdPortalRequestRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);


  object_class->dispose = hd_portal_request_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Portal/hd-portal-request-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestRow, meta_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestRow, chat_icon);
}

static void
hd_portal_request_row_init (HdPortalRequestRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hd_portal_request_row_new (HdRequest *request)
{
  HdPortalRequestRow *self;

  g_return_val_if_fail (HD_IS_REQUEST (request), NULL);

  self = g_object_new (HD_TYPE_PORTAL_REQUEST_ROW, NULL);
  self->request = g_object_ref (request);
  g_signal_connect_swapped (request, "notify", G_CALLBACK (update), self);
  update (self);

  return GTK_WIDGET (self);
}

HdRequest *
hd_portal_request_row_get_request (HdPortalRequestRow *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_REQUEST_ROW (self), NULL);

  return self->request;
}
