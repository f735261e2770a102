/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The floor of the start-up benchmark: a bare AdwApplicationWindow, built
 * with the same flags beside the apps, that reports its first painted
 * frame as they do (hd_app_after_first_frame): "hd-first-frame USEC" on
 * stdout (CLOCK_MONOTONIC), then quits. */
#define G_LOG_DOMAIN "hd-hello"

#include <adwaita.h>

/* As hd_app_has_painted () (client/hd-app-shell.c): a frame clock cycle
 * before the X server mapped the window draws nothing, yet ends with
 * after-paint; the first frame is the first that rendered. */
static gboolean painted;

static gboolean
on_surface_render (GSignalInvocationHint *hint,
                   guint                  n_params,
                   const GValue          *params,
                   gpointer               data)
{
  painted = TRUE;
  return FALSE;
}

static void
on_after_paint (GdkFrameClock *clock,
                GtkWindow     *window)
{
  if (!painted)
    return;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, window);
  g_print ("hd-first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (window)));
}

static void
on_map (GtkWidget *window)
{
  g_signal_add_emission_hook (g_signal_lookup ("render", GDK_TYPE_SURFACE), 0,
                              on_surface_render, NULL, NULL);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), window);
}

static void
on_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), gtk_label_new ("Hello"));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Hello");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  g_signal_connect (window, "map", G_CALLBACK (on_map), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("com.helpdeskchat.BenchHello",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
