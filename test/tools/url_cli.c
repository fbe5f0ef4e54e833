/*-------------------------------------------------------------------------
 *
 * url_cli.c
 *	  Test tool: normalise URLs with the code of url_normalize() (one a
 *	  line on stdin) and print, tab-separated, the input line's number,
 *	  the normal form and the host, or "NULL" for what is not a URL.
 *
 *	  url_cli [--time] < urls
 *
 * With --time it prints nothing per URL but, on stderr, how many URLs a
 * second one core normalises (the benchmark of test/bench/bench_url.sh).
 *
 * test/tools/url_cli.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "url/url.h"

int
main(int argc, char **argv)
{
	int			timing = argc > 1 && strcmp(argv[1], "--time") == 0;
	size_t		cap = 1 << 16,
				n = 0,
				nlines = 0,
				total = 0;
	char	   *all = malloc(cap);
	char	   *out = malloc(URL_NORMAL_SIZE(URL_MAX_LENGTH + 1));
	char	   *scratch = malloc(URL_NORMAL_SIZE(URL_MAX_LENGTH + 1));
	size_t	   *starts;
	int			c;
	struct timespec t0,
				t1;
	long		ok = 0;

	if (!all || !out || !scratch)
		return 2;
	/* read every line first, so that --time times normalisation only */
	while ((c = getchar()) != EOF)
	{
		if (n + 1 >= cap && !(all = realloc(all, cap *= 2)))
			return 2;
		all[n++] = (char) c;
		if (c == '\n')
			nlines++;
	}
	if (n > 0 && all[n - 1] != '\n')
	{
		all[n++] = '\n';
		nlines++;
	}
	starts = malloc((nlines + 1) * sizeof(size_t));
	if (!starts)
		return 2;
	nlines = 0;
	starts[0] = 0;
	for (size_t i = 0; i < n; i++)
		if (all[i] == '\n')
			starts[++nlines] = i + 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t l = 0; l < nlines; l++)
	{
		size_t		len = starts[l + 1] - starts[l] - 1;
		UrlNormal	res;
		UrlStatus	st = UrlNormalize(all + starts[l], len, out, scratch, &res);

		total += len;
		if (st == URL_OUT_OF_MEMORY)
			return 2;
		if (timing)
		{
			ok += (st == URL_OK);
			continue;
		}
		if (st == URL_OK)
			printf("%zu\t%s\t%.*s\n", l + 1, res.text, (int) res.host_len, res.text + res.host_start);
		else
			printf("%zu\tNULL\tNULL\n", l + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timing)
	{
		double		s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

		fprintf(stderr, "url_cli: %zu URLs (%ld valid, %.1f bytes on average) in %.3f s: %.0f URLs a second\n",
				nlines, ok, nlines ? (double) total / nlines : 0.0, s, nlines / s);
	}
	return 0;
}
