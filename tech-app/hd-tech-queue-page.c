/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-queue-page"

#include <glib/gi18n.h>

#include "hd-tech-queue-page.h"
#include "hd-tech-queue-row.h"

struct _HdTechQueuePage
{
  GtkWidget   parent_instance;

  HdSession  *session;
  GListModel *queue;
  /* chat ids being accepted: a row created while its accept runs (the
   * model may re-create rows) must stay insensitive. */
  GHashTable *accepting;

  GtkStack   *stack;
  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (HdTechQueuePage, hd_tech_queue_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_ACCEPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_accept_cb (HdTechQueuePage *self,
               HdTechQueueRow  *row)
{
  g_signal_emit (self, signals[SIGNAL_ACCEPT], 0, hd_tech_queue_row_get_chat (row));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  HdTechQueuePage *self = user_data;
  HdChat *chat = item;
  HdRequest *request = NULL;
  GtkWidget *row;

  if (self->session != NULL)
    request = hd_session_lookup_request (self->session, hd_chat_get_request_id (chat));

  row = hd_tech_queue_row_new (chat, request);
  hd_tech_queue_row_set_accepting (HD_TECH_QUEUE_ROW (row),
                                   g_hash_table_contains (self->accepting,
                                                          &(gint64) { hd_chat_get_id (chat) }));
  g_signal_connect_object (row, "accept", G_CALLBACK (row_accept_cb), self,
                           G_CONNECT_SWAPPED);
  return row;
}

static void
update_stack (HdTechQueuePage *self)
{
  guint n = self->queue ? g_list_model_get_n_items (self->queue) : 0;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
items_changed_cb (HdTechQueuePage *self)
{
  update_stack (self);
}

void
hd_tech_queue_page_set_session (HdTechQueuePage *self,
                                HdSession       *session)
{
  g_return_if_fail (HD_IS_TECH_QUEUE_PAGE (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->queue);
  g_set_object (&self->session, session);
  g_hash_table_remove_all (self->accepting);

  if (session != NULL)
    {
      self->queue = g_object_ref (hd_session_get_queue (session));
      gtk_list_box_bind_model (self->list_box, self->queue, create_row, self, NULL);
      g_signal_connect_swapped (self->queue, "items-changed",
                                G_CALLBACK (items_changed_cb), self);
    }

  update_stack (self);
}

void
hd_tech_queue_page_set_accepting (HdTechQueuePage *self,
                                  gint64           chat_id,
                                  gboolean         accepting)
{
  g_return_if_fail (HD_IS_TECH_QUEUE_PAGE (self));

  if (accepting)
    g_hash_table_add (self->accepting, g_memdup2 (&chat_id, sizeof chat_id));
  else
    g_hash_table_remove (self->accepting, &chat_id);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (HD_IS_TECH_QUEUE_ROW (child) &&
          hd_chat_get_id (hd_tech_queue_row_get_chat (HD_TECH_QUEUE_ROW (child))) == chat_id)
        hd_tech_queue_row_set_accepting (HD_TECH_QUEUE_ROW (child), accepting);
    }
}

static void
hd_tech_queue_page_dispose (GObject *object)
{
  HdTechQueuePage *self = HD_TECH_QUEUE_PAGE (object);
  GtkWidget *child;

  hd_tech_queue_page_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_TECH_QUEUE_PAGE);
  /* dispose_template() only unparents the children bound to fields. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hd_tech_queue_page_parent_class)->dispose (object);
}

static void
hd_tech_queue_page_finalize (GObject *object)
{
  HdTechQueuePage *self = HD_TECH_QUEUE_PAGE (object);

  g_hash_table_unref (self->accepting);

  G_OBJECT_CLASS (hd_tech_queue_page_parent_class)->finalize (object);
}

static void
hd_tech_queue_page_class_init (HdTechQueuePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_queue_page_dispose;
  object_class->finalize = hd_tech_queue_page_finalize;

  signals[SIGNAL_ACCEPT] =
    g_signal_new ("accept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-queue-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechQueuePage, stack);
  gtk_widget_class_bind_template_child (widget_class, HdTechQueuePage, list_box);
}

static void
hd_tech_queue_page_init (HdTechQueuePage *self)
{
  self->accepting = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  update_stack (self);
}
