/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-login-dialog"

#include "hd-login-dialog.h"
#include "hd-a11y.h"
#include "hd-error.h"

#include <glib/gi18n.h>
#include <string.h>

struct _HdLoginDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *server_row;
  AdwEntryRow *login_row;
  AdwPasswordEntryRow *password_row;
  GtkSwitch *remember_switch;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkButton *login_button;

  char *app_id;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HdLoginDialog, hd_login_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_SERVER_URL,
  PROP_LOGIN,
  N_PROPS
};

enum {
  SIGNAL_LOGGED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show_error (HdLoginDialog *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (HdLoginDialog *self,
          gboolean       busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remember_switch), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), !busy);
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HdLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdSession) session = hd_session_login_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (session == NULL)
    {
      if (g_error_matches (error, HD_ERROR, HD_ERROR_NETWORK))
        show_error (self, _("Could not reach the server. Check the address and your connection."));
      else
        show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  show_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, session);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_login_clicked (HdLoginDialog *self)
{
  g_autofree char *server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  const char *login = gtk_editable_get_text (GTK_EDITABLE (self->login_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*server == '\0')
    {
      show_error (self, _("Enter the server address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (*login == '\0')
    {
      show_error (self, _("Enter your login."));
      gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
      return;
    }
  if (*password == '\0')
    {
      show_error (self, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  if (strstr (server, "://") == NULL)
    {
      char *with_scheme = g_strconcat ("http://", server, NULL);
      g_free (server);
      server = with_scheme;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  hd_session_login_async (self->app_id, server, login, password,
                          gtk_switch_get_active (self->remember_switch),
                          self->cancellable, on_logged_in, g_object_ref (self));
}

static void
hd_login_dialog_dispose (GObject *object)
{
  HdLoginDialog *self = HD_LOGIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_LOGIN_DIALOG);
  G_OBJECT_CLASS (hd_login_dialog_parent_class)->dispose (object);
}

static void
hd_login_dialog_finalize (GObject *object)
{
  HdLoginDialog *self = HD_LOGIN_DIALOG (object);

  g_free (self->app_id);
  G_OBJECT_CLASS (hd_login_dialog_parent_class)->finalize (object);
}

static void
hd_login_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HdLoginDialog *self = HD_LOGIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_APP_ID: g_value_set_string (value, self->app_id); break;
    case PROP_SERVER_URL: g_value_set_string (value, hd_login_dialog_get_server_url (self)); break;
    case PROP_LOGIN: g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->login_row))); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_login_dialog_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  HdLoginDialog *self = HD_LOGIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_APP_ID: g_free (self->app_id); self->app_id = g_value_dup_string (value); break;
    case PROP_SERVER_URL: hd_login_dialog_set_server_url (self, g_value_get_string (value)); break;
    case PROP_LOGIN: hd_login_dialog_set_login (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_login_dialog_class_init (HdLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_login_dialog_dispose;
  object_class->finalize = hd_login_dialog_finalize;
  object_class->get_property = hd_login_dialog_get_property;
  object_class->set_property = hd_login_dialog_set_property;

  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOGIN] =
    g_param_spec_string ("login", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/client/hd-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, login_row);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, HdLoginDialog, login_button);
  gtk_widget_class_bind_template_callback (widget_class, on_login_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hd_login_dialog_init (HdLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->login_button));

  /* GTK 4.8 joins an explicit label and the labelled-by relation into one
   * accessible name.  The entry rows and the switch are labelled by their
   * row titles already (AdwEntryRow, AdwActionRow:activatable-widget), so
   * they get no label of their own.  GtkButton labels itself with its raw
   * text ("_Log In") on top of being labelled by its mnemonic label
   * ("Log In"): drop the raw one, keep the mnemonic. */
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Logging in"), -1);
}

HdLoginDialog *
hd_login_dialog_new (const char *app_id,
                     const char *server_url)
{
  return g_object_new (HD_TYPE_LOGIN_DIALOG,
                       "app-id", app_id,
                       "server-url", server_url,
                       NULL);
}

const char *
hd_login_dialog_get_server_url (HdLoginDialog *self)
{
  g_return_val_if_fail (HD_IS_LOGIN_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->server_row));
}

void
hd_login_dialog_set_server_url (HdLoginDialog *self,
                                const char    *server_url)
{
  g_return_if_fail (HD_IS_LOGIN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
}

void
hd_login_dialog_set_login (HdLoginDialog *self,
                           const char    *login)
{
  g_return_if_fail (HD_IS_LOGIN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->login_row), login ? login : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOGIN]);
}
