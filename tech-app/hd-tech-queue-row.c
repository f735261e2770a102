/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-queue-row"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-queue-row.h"

struct _HdTechQueueRow
{
  AdwActionRow  parent_instance;

  HdChat       *chat;
  HdRequest    *request;

  AdwAvatar    *avatar;
  GtkButton    *accept_button;
};

G_DEFINE_FINAL_TYPE (HdTechQueueRow, hd_tech_queue_row, ADW_TYPE_ACTION_ROW)

enum {
  SIGNAL_ACCEPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
accept_clicked_cb (HdTechQueueRow *self)
{
  g_signal_emit (self, signals[SIGNAL_ACCEPT], 0);
}

static void
update (HdTechQueueRow *self)
{
  HdUser *customer = hd_chat_get_customer (self->chat);
  const char *name = customer ? hd_user_get_name (customer) : NULL;
  GDateTime *created = hd_chat_get_created_at (self->chat);
  g_autofree char *since = NULL;
  g_autofree char *request_text = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;

  if (name == NULL || *name == '\0')
    name = _("A customer");

  /* Names and subjects come from people: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  adw_avatar_set_text (self->avatar, name);

  if (self->request != NULL)
    /* Translators: request number and subject, e.g. "#1 Printer offline" */
    request_text = g_strdup_printf (_("#%" PRId64 " %s"),
                                    hd_request_get_id (self->request),
                                    hd_request_get_subject (self->request));
  else
    request_text = g_strdup_printf (_("Request #%" PRId64),
                                    hd_chat_get_request_id (self->chat));

  if (created != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (created);
      since = g_date_time_format (local, "%H:%M");
    }

  if (since != NULL)
    /* Translators: "#1 Printer offline — waiting since 14:02" */
    subtitle = g_strdup_printf (_("%s — waiting since %s"), request_text, since);
  else
    subtitle = g_strdup (request_text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  /* Translators: accessible name of the Accept button of a queued chat */
  accessible = g_strdup_printf (_("Accept chat with %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->accept_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->accept_button), accessible);
}

static void
hd_tech_queue_row_dispose (GObject *object)
{
  HdTechQueueRow *self = HD_TECH_QUEUE_ROW (object);

  if (self->request != NULL)
    g_signal_handlers_disconnect_by_data (self->request, self);
  g_clear_object (&self->chat);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (hd_tech_queue_row_parent_class)->dispose (object);
}

static void
hd_tech_queue_row_class_init (HdTechQueueRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_queue_row_dispose;

  signals[SIGNAL_ACCEPT] =
    g_signal_new ("accept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-queue-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechQueueRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, HdTechQueueRow, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, accept_clicked_cb);
}

static void
hd_tech_queue_row_init (HdTechQueueRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hd_tech_queue_row_new (HdChat    *chat,
                       HdRequest *request)
{
  HdTechQueueRow *self;

  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);
  g_return_val_if_fail (request == NULL || HD_IS_REQUEST (request), NULL);

  self = g_object_new (HD_TYPE_TECH_QUEUE_ROW, NULL);
  self->chat = g_object_ref (chat);
  if (request != NULL)
    {
      self->request = g_object_ref (request);
      g_signal_connect_swapped (request, "notify::subject",
                                G_CALLBACK (update), self);
    }
  update (self);

  return GTK_WIDGET (self);
}

HdChat *
hd_tech_queue_row_get_chat (HdTechQueueRow *self)
{
  g_return_val_if_fail (HD_IS_TECH_QUEUE_ROW (self), NULL);
  return self->chat;
}

void
hd_tech_queue_row_set_accepting (HdTechQueueRow *self,
                                 gboolean        accepting)
{
  g_return_if_fail (HD_IS_TECH_QUEUE_ROW (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button), !accepting);
}
