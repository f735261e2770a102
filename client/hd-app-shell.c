/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-app-shell"

#include <glib/gi18n.h>

#include "hd-app-shell.h"

#include <string.h>

/* Options */

void
hd_app_add_options (GApplication *app,
                    const char   *summary)
{
  static const GOptionEntry options[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("The helpdesk server's address, such as http://127.0.0.1:8080/"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };

  g_return_if_fail (G_IS_APPLICATION (app));
  g_application_add_main_option_entries (app, options);
  g_application_set_option_context_parameter_string (app, NULL);
  if (summary != NULL)
    g_application_set_option_context_summary (app, summary);
}

int
hd_app_handle_options (GApplication *app,
                       GVariantDict *options,
                       const char   *program,
                       char        **server_url)
{
  const char *server = NULL;

  g_return_val_if_fail (server_url != NULL, 1);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", program, HD_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    {
      g_autoptr(GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
      const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
      const char *host = uri ? g_uri_get_host (uri) : NULL;

      if (scheme == NULL || host == NULL || *host == '\0'
          || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
        {
          /* Translators: the first %s is the program, the second what was typed */
          g_printerr (_("%s: “%s” is not a server address (expected http://HOST:PORT/ or https://…)\n"),
                      program, server);
          return 2;
        }
      g_free (*server_url);
      *server_url = g_strdup (server);
    }
  return -1;
}

static char *
normalize_url (const char *url)
{
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    len--;
  return g_ascii_strdown (url, len);
}

gboolean
hd_server_url_equal (const char *a,
                     const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return TRUE;
  na = normalize_url (a);
  nb = normalize_url (b);
  return g_str_equal (na, nb);
}

/* Toasts */

AdwToast *
hd_toast_new_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text ? text : "", -1);
  AdwToast *toast = adw_toast_new (escaped);
  GtkWidget *label = gtk_label_new (text ? text : "");

  /* A label of ours as the title: plain text, and wrapped — a toast's own
   * title is one ellipsized line, which cut longer messages (a refused
   * file and why) short in a chat window. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 42);
  gtk_widget_add_css_class (label, "heading");
  adw_toast_set_custom_title (toast, label);
  adw_toast_set_timeout (toast, 5);
  return toast;
}

void
hd_toast_overlay_add_text (AdwToastOverlay *overlay,
                           const char      *text)
{
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  adw_toast_overlay_add_toast (overlay, hd_toast_new_plain (text));
}

/* Chat windows */

struct _HdChatWindows
{
  GObject parent_instance;
  GHashTable *windows;   /* chat id → GtkWindow (unowned; removed on destroy) */
};

G_DEFINE_FINAL_TYPE (HdChatWindows, hd_chat_windows, G_TYPE_OBJECT)

static void
on_window_destroy (GtkWindow     *window,
                   HdChatWindows *self)
{
  gint64 chat_id = hd_chat_windows_find (self, window);

  if (chat_id != 0)
    g_hash_table_remove (self->windows, &chat_id);
}

static void
hd_chat_windows_dispose (GObject *object)
{
  HdChatWindows *self = HD_CHAT_WINDOWS (object);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->windows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_signal_handlers_disconnect_by_data (value, self);
  g_hash_table_remove_all (self->windows);
  G_OBJECT_CLASS (hd_chat_windows_parent_class)->dispose (object);
}

static void
hd_chat_windows_finalize (GObject *object)
{
  g_hash_table_unref (HD_CHAT_WINDOWS (object)->windows);
  G_OBJECT_CLASS (hd_chat_windows_parent_class)->finalize (object);
}

static void
hd_chat_windows_class_init (HdChatWindowsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_chat_windows_dispose;
  G_OBJECT_CLASS (klass)->finalize = hd_chat_windows_finalize;
}

static void
hd_chat_windows_init (HdChatWindows *self)
{
  self->windows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

HdChatWindows *
hd_chat_windows_new (void)
{
  return g_object_new (HD_TYPE_CHAT_WINDOWS, NULL);
}

GtkWindow *
hd_chat_windows_lookup (HdChatWindows *self,
                        gint64         chat_id)
{
  g_return_val_if_fail (HD_IS_CHAT_WINDOWS (self), NULL);
  return g_hash_table_lookup (self->windows, &chat_id);
}

void
hd_chat_windows_add (HdChatWindows *self,
                     gint64         chat_id,
                     GtkWindow     *window)
{
  g_return_if_fail (HD_IS_CHAT_WINDOWS (self));
  g_return_if_fail (GTK_IS_WINDOW (window));
  g_return_if_fail (hd_chat_windows_lookup (self, chat_id) == NULL);

  g_hash_table_insert (self->windows, g_memdup2 (&chat_id, sizeof chat_id), window);
  g_signal_connect (window, "destroy", G_CALLBACK (on_window_destroy), self);
}

gint64
hd_chat_windows_find (HdChatWindows *self,
                      GtkWindow     *window)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (HD_IS_CHAT_WINDOWS (self), 0);
  g_hash_table_iter_init (&iter, self->windows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (value == window)
      return *(gint64 *) key;
  return 0;
}

void
hd_chat_windows_destroy_all (HdChatWindows *self)
{
  g_autoptr(GList) windows = NULL;

  g_return_if_fail (HD_IS_CHAT_WINDOWS (self));
  windows = g_hash_table_get_values (self->windows);
  for (GList *l = windows; l != NULL; l = l->next)
    {
      g_signal_handlers_disconnect_by_data (l->data, self);
      gtk_window_destroy (l->data);
    }
  g_hash_table_remove_all (self->windows);
}

/* Start-up */

typedef struct {
  GtkWindow *window;   /* weak */
  gint64 started_us;
  GSourceFunc func;
  gpointer data;
  gulong map_handler;
} FirstFrame;

static void
first_frame_free (FirstFrame *ff)
{
  if (ff->window)
    g_object_remove_weak_pointer (G_OBJECT (ff->window), (gpointer *) &ff->window);
  g_free (ff);
}

static gboolean painted;

static gboolean
on_surface_render (GSignalInvocationHint *hint,
                   guint                  n_params,
                   const GValue          *params,
                   gpointer               data)
{
  painted = TRUE;
  return FALSE;  /* once is enough: the hook goes */
}

gboolean
hd_app_has_painted (void)
{
  static gsize hooked;

  if (g_once_init_enter (&hooked))
    {
      g_signal_add_emission_hook (g_signal_lookup ("render", GDK_TYPE_SURFACE), 0,
                                  on_surface_render, NULL, NULL);
      g_once_init_leave (&hooked, 1);
    }
  return painted;
}

static void
on_after_paint (GdkFrameClock *clock,
                FirstFrame    *ff)
{
  gint64 now = g_get_monotonic_time ();
  const char *bench = g_getenv ("HD_BENCH_FIRST_FRAME");

  /* A frame before the X server mapped the window draws nothing. */
  if (!hd_app_has_painted ())
    return;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, ff);
  /* Read by the UI tests (G_MESSAGES_DEBUG=hd-app-shell). */
  g_debug ("first window drawn %.1f ms after start", (now - ff->started_us) / 1000.0);
  if (bench != NULL)
    {
      g_print ("hd-first-frame %" G_GINT64_FORMAT "\n", now);
      fflush (stdout);
      if (g_str_equal (bench, "quit") && ff->window != NULL)
        {
          GtkApplication *app = gtk_window_get_application (ff->window);

          if (app != NULL)
            g_application_quit (G_APPLICATION (app));
          first_frame_free (ff);
          return;
        }
    }
  /* Right after this frame, not at idle priority: while a spinner
   * animates, slow frames (GL in software) keep the frame clock busy and
   * starve idles (GTK's AT-SPI registration among them), so what would
   * stop the spinner must not wait for an idle. */
  if (ff->func != NULL)
    g_timeout_add_full (G_PRIORITY_DEFAULT, 0, ff->func, ff->data, NULL);
  first_frame_free (ff);
}

static void
on_first_map (GtkWidget  *widget,
              FirstFrame *ff)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_clear_signal_handler (&ff->map_handler, widget);
  hd_app_has_painted ();  /* watches for the first render from now on */
  if (clock == NULL)
    {
      if (ff->func)
        ff->func (ff->data);
      first_frame_free (ff);
      return;
    }
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), ff);
}

void
hd_app_after_first_frame (GtkWindow   *window,
                          gint64       started_us,
                          GSourceFunc  func,
                          gpointer     data)
{
  FirstFrame *ff;

  g_return_if_fail (GTK_IS_WINDOW (window));

  ff = g_new0 (FirstFrame, 1);
  ff->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &ff->window);
  ff->started_us = started_us;
  ff->func = func;
  ff->data = data;
  if (gtk_widget_get_mapped (GTK_WIDGET (window)))
    {
      /* gtk_window_present () maps at once, long before anything is
       * painted: wait for the next frame (and make sure there is one). */
      on_first_map (GTK_WIDGET (window), ff);
      gtk_widget_queue_draw (GTK_WIDGET (window));
      return;
    }
  ff->map_handler = g_signal_connect (window, "map", G_CALLBACK (on_first_map), ff);
}

/* Keyboard shortcuts window */

static gboolean
help_overlay_close_request (GtkWindow            *overlay,
                            GtkApplicationWindow *window)
{
  /* Destroyed, never hidden: see hd_app_use_lazy_help_overlay (). */
  g_signal_handlers_disconnect_by_func (overlay, help_overlay_close_request, window);
  /* Destroys it and drops the window's reference. */
  gtk_application_window_set_help_overlay (window, NULL);
  return TRUE;
}

static void
show_help_overlay (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  GtkApplicationWindow *window = user_data;
  const char *path = g_object_get_data (G_OBJECT (action), "hd-resource-path");
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);
  g_autoptr(GtkBuilder) builder = NULL;

  if (overlay == NULL)
    {
      builder = gtk_builder_new_from_resource (path);
      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      g_return_if_fail (GTK_IS_SHORTCUTS_WINDOW (overlay));
      /* Modal, transient for @window, its accelerators read from it; the
       * action it would add is ours already. */
      gtk_application_window_set_help_overlay (window, overlay);
      g_signal_connect (overlay, "close-request", G_CALLBACK (help_overlay_close_request), window);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

static void
add_help_overlay_action (GtkApplication *app,
                         GtkWindow      *window,
                         const char     *resource_path)
{
  g_autoptr(GSimpleAction) action = NULL;

  if (!GTK_IS_APPLICATION_WINDOW (window)
      || g_action_map_lookup_action (G_ACTION_MAP (window), "show-help-overlay") != NULL)
    return;
  action = g_simple_action_new ("show-help-overlay", NULL);
  g_object_set_data_full (G_OBJECT (action), "hd-resource-path", g_strdup (resource_path), g_free);
  g_signal_connect_object (action, "activate", G_CALLBACK (show_help_overlay), window, 0);
  g_action_map_add_action (G_ACTION_MAP (window), G_ACTION (action));
}

static void
free_path (gpointer  data,
           GClosure *closure)
{
  g_free (data);
}

void
hd_app_use_lazy_help_overlay (GtkApplication *app,
                              const char     *resource_path)
{
  static const char *accels[] = { "<Control>question", NULL };

  g_return_if_fail (GTK_IS_APPLICATION (app));
  g_return_if_fail (resource_path != NULL);

  gtk_application_set_accels_for_action (app, "win.show-help-overlay", accels);
  g_signal_connect_data (app, "window-added", G_CALLBACK (add_help_overlay_action),
                         g_strdup (resource_path), free_path, 0);
}

/* Accessibility */

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
hd_stack_hide_inactive_pages (GtkStack *stack)
{
  g_return_if_fail (GTK_IS_STACK (stack));

  g_signal_connect (stack, "notify::visible-child", G_CALLBACK (sync_hidden_pages), NULL);
  sync_hidden_pages (stack);
}

void
hd_stack_show_page (GtkStack   *stack,
                    const char *name)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_STACK (stack));

  child = gtk_stack_get_child_by_name (stack, name);
  g_return_if_fail (child != NULL);
  gtk_widget_set_visible (child, TRUE);
  gtk_stack_set_visible_child (stack, child);
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
hd_revealer_hide_when_closed (GtkRevealer *revealer)
{
  g_return_if_fail (GTK_IS_REVEALER (revealer));

  g_signal_connect (revealer, "notify::reveal-child", G_CALLBACK (sync_revealer_child), NULL);
  sync_revealer_child (revealer);
}
