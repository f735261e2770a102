/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>
#include <locale.h>

#include "hd-portal-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HdPortalApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* HD_LOCALEDIR: the build tree's catalogs, for tests of an uninstalled
   * build. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("HD_LOCALEDIR") ? g_getenv ("HD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = hd_portal_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
