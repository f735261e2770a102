/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What both apps share around their windows: command-line options,
 * toasts, chat-window ownership and accessibility helpers.  Resources:
 * the client library's with hd_client_init_resources () in startup; each
 * app's own gresource registers itself (its static library is linked
 * whole, so the constructor stays). */

/* --server URL and --version, with @summary for --help. */
void      hd_app_add_options        (GApplication *app,
                                     const char   *summary);
/* For GApplication::handle_local_options: -1 to go on, else the exit
 * status (--version printed, or a bad --server explained on stderr).
 * *@server_url (transfer full, freed first) gets --server when given. */
int       hd_app_handle_options     (GApplication *app,
                                     GVariantDict *options,
                                     const char   *program,
                                     char        **server_url);
/* Two server addresses name one server (case and trailing slashes
 * aside); NULL matches anything. */
gboolean  hd_server_url_equal       (const char   *a,
                                     const char   *b);

/* Toasts show plain text: a toast title is Pango markup, so @text (which
 * may carry names, addresses and the server's messages) is escaped. */
AdwToast *hd_toast_new_plain        (const char      *text);
void      hd_toast_overlay_add_text (AdwToastOverlay *overlay,
                                     const char      *text);

/* The chat windows an app owns, one per chat id; a window leaves the
 * table when it is destroyed. */
#define HD_TYPE_CHAT_WINDOWS (hd_chat_windows_get_type ())
G_DECLARE_FINAL_TYPE (HdChatWindows, hd_chat_windows, HD, CHAT_WINDOWS, GObject)

HdChatWindows *hd_chat_windows_new        (void);
GtkWindow     *hd_chat_windows_lookup     (HdChatWindows *self,
                                           gint64         chat_id);
void           hd_chat_windows_add        (HdChatWindows *self,
                                           gint64         chat_id,
                                           GtkWindow     *window);
/* The chat id of @window, 0 if it is not one of ours. */
gint64         hd_chat_windows_find       (HdChatWindows *self,
                                           GtkWindow     *window);
/* Destroys every window (they stay out of the table from then on). */
void           hd_chat_windows_destroy_all (HdChatWindows *self);

/* Start-up: calls @func (once) right after @window's first frame is
 * painted, so the keyring, the network and the stores wait until the
 * person sees a window.  Also logs "first window drawn N ms after start"
 * (debug, domain hd-app-shell; N from @started_us, g_get_monotonic_time ()
 * when the process began its work) and, when $HD_BENCH_FIRST_FRAME is set,
 * prints "hd-first-frame MONOTONIC_USEC" on stdout for tests/bench/ (and
 * quits the application if it is "quit"). */
void      hd_app_after_first_frame  (GtkWindow   *window,
                                     gint64       started_us,
                                     GSourceFunc  func,
                                     gpointer     data);

/* The keyboard-shortcuts window (win.show-help-overlay, Ctrl+?), built
 * from @resource_path when asked for and destroyed when closed.  Call in
 * GApplication::startup; every GtkApplicationWindow added afterwards gets
 * the action.  Instead of GTK's own gtk/help-overlay.ui (keep the file
 * elsewhere in the resource), which GTK 4.8 builds for every application
 * window as it is added and keeps as a hidden toplevel: the build costs
 * start-up time, and a hidden toplevel crashes GTK 4.8's AT-SPI root
 * (GetChildAtIndex past the visible windows answers with the last
 * toplevel, and a hidden one has no object path: a GLib critical, then
 * SIGSEGV).  So: no hidden toplevels in these apps (see doc/CONTRIBUTING.md). */
void      hd_app_use_lazy_help_overlay (GtkApplication *app,
                                        const char     *resource_path);

/* TRUE once a window of the process has rendered (GdkSurface::render;
 * the first call starts watching).  A frame clock cycle that runs before
 * the X server has mapped the window draws nothing, yet ends with
 * after-paint: first-frame measurements wait for this. */
gboolean  hd_app_has_painted        (void);

/* Accessibility: keep what is not on screen out of the AT-SPI tree
 * (GTK 4.8 exports every page of a stack and a folded revealer's child),
 * so a screen reader reads only what is shown. */
void      hd_stack_hide_inactive_pages (GtkStack    *stack);
/* Start-up: a stack page whose child starts invisible (visible False in
 * the .ui) costs no style work and loads no icons until it is first
 * shown; this makes it visible and shows it. */
void      hd_stack_show_page           (GtkStack    *stack,
                                        const char  *name);
void      hd_revealer_hide_when_closed (GtkRevealer *revealer);

G_END_DECLS
