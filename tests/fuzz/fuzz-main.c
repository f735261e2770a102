/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fuzz targets as regression tests without libFuzzer: built with the
 * normal compiler (and the ASan/UBSan pass of CI), this main () feeds the
 * target every file of the corpus folders given on the command line.
 * Long runs with libFuzzer itself: tests/bench/run-fuzz. */
#include <glib.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
main (int argc,
      char **argv)
{
  guint n = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        {
          fprintf (stderr, "no corpus folder %s\n", argv[i]);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *contents = NULL;
          gsize len;

          if (!g_file_get_contents (path, &contents, &len, NULL))
            continue;
          LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
          n++;
        }
    }
  printf ("%u inputs, no crash\n", n);
  return n > 0 ? 0 : 1;
}
