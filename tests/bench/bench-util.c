/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

double
bench_load_average (void)
{
  double l = -1;
  FILE *f = fopen ("/proc/loadavg", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%lf", &l) != 1)
        l = -1;
      fclose (f);
    }
  return l;
}

long
bench_vm_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL) || (p = strstr (text, "VmRSS:")) == NULL)
    return -1;
  return strtol (p + strlen ("VmRSS:"), NULL, 10);
}

/* (Summing the threads' schedstat loses the time of the threads that end
 * in between: worker pools.) */
double
bench_cpu_us (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  unsigned long long utime = 0, stime = 0;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL ||
      sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return 0;
  return (utime + stime) * 1e6 / sysconf (_SC_CLK_TCK);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
bench_sort_doubles (GArray *values)
{
  qsort (values->data, values->len, sizeof (double), cmp_double);
}

void
bench_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

gint64
bench_member_int (JsonNode   *node,
                  const char *name)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), name))
    return -1;
  return json_object_get_int_member (json_node_get_object (node), name);
}

gboolean
bench_scan_value (const char  *text,
                  gsize        len,
                  const char  *key,
                  const char **out,
                  gsize       *out_len)
{
  const char *p = g_strstr_len (text, len, key);
  const char *end;

  if (p == NULL)
    return FALSE;
  p += strlen (key);
  end = memchr (p, '"', text + len - p);
  if (end == NULL)
    return FALSE;
  *out = p;
  *out_len = end - p;
  return TRUE;
}

char *
bench_ws_upgrade_request (const char *host,
                          guint       port,
                          const char *token)
{
  return g_strdup_printf ("GET /api/v1/events HTTP/1.1\r\n"
                          "Host: %s:%u\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                          "Authorization: Bearer %s\r\n\r\n",
                          host, port, token);
}
