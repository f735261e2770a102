/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-note-row"

#include <glib/gi18n.h>

#include "hd-note-row.h"
#include "hd-transcript.h"

#include <string.h>

struct _HdNoteRow
{
  GtkWidget parent_instance;

  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkLabel *body_label;
  GtkLabel *rating_label;

  HdNote *note;
};

G_DEFINE_FINAL_TYPE (HdNoteRow, hd_note_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_NOTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (HdNoteRow *self)
{
  HdNote *note = self->note;
  GDateTime *when = NULL;
  g_autofree char *time = NULL;
  g_autofree char *readable = NULL;

  if (note)
    when = hd_note_get_updated_at (note) ? hd_note_get_updated_at (note) : hd_note_get_created_at (note);
  if (when)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);
      time = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  gtk_label_set_text (self->title_label,
                      note && hd_note_is_transcript (note) ? _("Chat transcript") : _("Note"));
  gtk_label_set_text (self->time_label, time ? time : "");

  /* People's text, plain; a transcript's times are stored as RFC 3339
   * UTC and people read local ones. */
  if (note && hd_note_is_transcript (note))
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
      readable = hd_transcript_for_people (hd_note_get_body (note), tz, FALSE);
    }
  gtk_label_set_text (self->body_label, readable ? readable : note && hd_note_get_body (note) ? hd_note_get_body (note) : "");

  /* Contract v2: who wrote a note, events in our words, a chat's rating. */
  if (note && hd_note_is_event (note))
    {
      const char *body = hd_note_get_body (note);
      const char *prefix = "Chat transcript emailed to ";

      gtk_label_set_text (self->title_label, _("Event"));
      /* The server writes events in English: say the ones we know in
       * our own words. */
      if (g_str_has_prefix (body, prefix) && g_str_has_suffix (body, "."))
        {
          g_autofree char *address = g_strndup (body + strlen (prefix), strlen (body) - strlen (prefix) - 1);
          /* Translators: %s is an email address */
          g_autofree char *text = g_strdup_printf (_("Chat transcript emailed to %s."), address);
          gtk_label_set_text (self->body_label, text);
        }
    }
  else if (note && !hd_note_is_transcript (note) && hd_note_get_author (note) != NULL)
    {
      /* Translators: %s is a person's name */
      g_autofree char *title = g_strdup_printf (_("Note by %s"), hd_user_get_name (hd_note_get_author (note)));
      gtk_label_set_text (self->title_label, title);
    }
  if (note && hd_note_get_rating (note) > 0)
    {
      int score = hd_note_get_rating (note);
      const char *comment = hd_note_get_rating_comment (note);
      g_autofree char *text = NULL;

      if (comment != NULL)
        /* Translators: the customer's rating of a chat, then their comment */
        text = g_strdup_printf (g_dngettext (NULL, "Rated %d star out of 5: “%s”",
                                             "Rated %d stars out of 5: “%s”", score), score, comment);
      else
        text = g_strdup_printf (g_dngettext (NULL, "Rated %d star out of 5",
                                             "Rated %d stars out of 5", score), score);
      gtk_label_set_text (self->rating_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rating_label), note != NULL && hd_note_get_rating (note) > 0);
}

void
hd_note_row_set_note (HdNoteRow *self,
                      HdNote    *note)
{
  g_return_if_fail (HD_IS_NOTE_ROW (self));
  g_return_if_fail (note == NULL || HD_IS_NOTE (note));

  if (self->note == note)
    return;
  if (self->note)
    g_signal_handlers_disconnect_by_data (self->note, self);
  g_set_object (&self->note, note);
  if (note)
    g_signal_connect_swapped (note, "notify", G_CALLBACK (update), self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
}

HdNote *
hd_note_row_get_note (HdNoteRow *self)
{
  g_return_val_if_fail (HD_IS_NOTE_ROW (self), NULL);
  return self->note;
}

static void
hd_note_row_dispose (GObject *object)
{
  HdNoteRow *self = HD_NOTE_ROW (object);

  hd_note_row_set_note (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_NOTE_ROW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (hd_note_row_parent_class)->dispose (object);
}

static void
hd_note_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_NOTE: g_value_set_object (value, HD_NOTE_ROW (object)->note); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_note_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_NOTE: hd_note_row_set_note (HD_NOTE_ROW (object), g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_note_row_class_init (HdNoteRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_note_row_dispose;
  object_class->get_property = hd_note_row_get_property;
  object_class->set_property = hd_note_row_set_property;

  properties[PROP_NOTE] =
    g_param_spec_object ("note", NULL, NULL, HD_TYPE_NOTE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/helpdeskchat/client/hd-note-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HdNoteRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, HdNoteRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, HdNoteRow, rating_label);
  gtk_widget_class_bind_template_child (widget_class, HdNoteRow, body_label);
}

static void
hd_note_row_init (HdNoteRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hd_note_row_new (void)
{
  return g_object_new (HD_TYPE_NOTE_ROW, NULL);
}
