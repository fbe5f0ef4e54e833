/*-------------------------------------------------------------------------
 *
 * fuzz_url.c
 *	  libFuzzer harness for URL normalisation (src/url/): feed arbitrary
 *	  bytes to UrlNormalize, as url_normalize(), url_host() and
 *	  url_domain() do, and check that it neither crashes nor leaks and
 *	  that its answers hold together: a normal form fits its buffer, its
 *	  host lies inside it, and normalising it again gives it back.
 *
 * Build with "make fuzz"; run with test/fuzz/run_fuzz.sh.
 *
 * test/fuzz/fuzz_url.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url/url.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *out = malloc(URL_NORMAL_SIZE(size));
	char	   *scratch = malloc(URL_NORMAL_SIZE(size));
	UrlNormal	res;
	UrlStatus	st;

	if (!out || !scratch)
		abort();
	st = UrlNormalize((const char *) data, size, out, scratch, &res);
	if (st == URL_OK)
	{
		char	   *again = malloc(URL_NORMAL_SIZE(res.len));
		char	   *scratch2 = malloc(URL_NORMAL_SIZE(res.len));
		UrlNormal	res2;

		if (!again || !scratch2)
			abort();
		if (res.len >= URL_NORMAL_SIZE(size) || res.text[res.len] != '\0' ||
			res.host_start + res.host_len > res.len || res.host_len == 0)
			abort();
		if (UrlNormalize(res.text, res.len, again, scratch2, &res2) != URL_OK ||
			res2.len != res.len || memcmp(res2.text, res.text, res.len) != 0 ||
			res2.host_start != res.host_start || res2.host_len != res.host_len)
			abort();			/* not idempotent */
		free(again);
		free(scratch2);
	}
	else if (st != URL_NOT_URL)
		abort();
	free(out);
	free(scratch);
	return 0;
}
