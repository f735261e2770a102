/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>

#include "hd-portal-util.h"
#include "hd-portal-resources.h"

void
hd_portal_ensure_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      hd_portal_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

char *
hd_portal_chat_reason_text (const char *reason,
                            const char *technician_name)
{
  if (reason == NULL || *reason == '\0')
    return NULL;

  if (g_str_equal (reason, "technician_unavailable"))
    {
      if (technician_name != NULL && *technician_name != '\0')
        /* Translators: %s is the technician's name */
        return g_strdup_printf (_("%s is not available for chat right now"), technician_name);
      return g_strdup (_("No technician is available for chat right now"));
    }
  if (g_str_equal (reason, "chat_disabled"))
    return g_strdup (_("Chat is switched off"));
  if (g_str_equal (reason, "request_closed"))
    return g_strdup (_("This request is closed"));
  if (g_str_equal (reason, "chat_in_progress"))
    return g_strdup (_("A chat about this request is already in progress"));

  /* A reason from a newer server: still say something true. */
  return g_strdup (_("Chat is not possible right now"));
}

static void
sync_hidden_pages (GtkStack *stack)
{
  GtkWidget *visible = gtk_stack_get_visible_child (stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child),
                                 GTK_ACCESSIBLE_STATE_HIDDEN, child != visible,
                                 -1);
}

void
hd_portal_stack_hide_inactive_pages (GtkStack *stack)
{
  g_return_if_fail (GTK_IS_STACK (stack));

  g_signal_connect (stack, "notify::visible-child", G_CALLBACK (sync_hidden_pages), NULL);
  sync_hidden_pages (stack);
}

static void
sync_revealer_child (GtkRevealer *revealer)
{
  GtkWidget *child = gtk_revealer_get_child (revealer);

  if (child != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (child),
                                 GTK_ACCESSIBLE_STATE_HIDDEN, !gtk_revealer_get_reveal_child (revealer),
                                 -1);
}

void
hd_portal_revealer_hide_when_closed (GtkRevealer *revealer)
{
  g_return_if_fail (GTK_IS_REVEALER (revealer));

  g_signal_connect (revealer, "notify::reveal-child", G_CALLBACK (sync_revealer_child), NULL);
  sync_revealer_child (revealer);
}
