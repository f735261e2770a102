/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-client"

#include "hdclient.h"
#include "hd-client-private.h"
#include "hd-client-resources.h"
#include "hd-data-resources.h"

void
hd_client_ensure_types (void)
{
  g_type_ensure (HD_TYPE_USER);
  g_type_ensure (HD_TYPE_REQUEST);
  g_type_ensure (HD_TYPE_CHAT);
  g_type_ensure (HD_TYPE_MESSAGE);
  g_type_ensure (HD_TYPE_NOTE);
  g_type_ensure (HD_TYPE_LOGIN_DIALOG);
  g_type_ensure (HD_TYPE_CHAT_VIEW);
  g_type_ensure (HD_TYPE_NOTES_VIEW);
  g_type_ensure (HD_TYPE_MESSAGE_ROW);
  g_type_ensure (HD_TYPE_NOTE_ROW);
}

void
hd_client_init_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      GdkDisplay *display;

      /* Registered by hand (--manual-register): a static library's
       * resource constructor would be dropped by the linker. */
      hd_client_register_resource ();
      /* The icons (data/): the header bar's chat alert and the app icons. */
      hd_data_register_resource ();
      hd_client_ensure_types ();

      display = gdk_display_get_default ();
      if (display != NULL)
        {
          g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

          gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                            "/com/helpdeskchat/icons");
          gtk_css_provider_load_from_resource (css, "/com/helpdeskchat/client/style.css");
          gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
        }
      g_once_init_leave (&done, 1);
    }
}
