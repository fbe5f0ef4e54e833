/*-------------------------------------------------------------------------
 *
 * url_int.h
 *	  What the files of src/url/ share and the SQL side does not need.
 *
 * src/url/url_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_URL_INT_H
#define IMGSEARCH_URL_INT_H

#include "url.h"

/* The value of a hex digit, or -1 */
static inline int
UrlHexValue(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* url_host.c: parse and serialise the host of a special URL */
extern int	UrlParseHost(const char *in, size_t len, char *out, size_t *outlen,
						 UrlHostKind *kind, char *scratch);
extern int	UrlEndsInNumber(const char *s, size_t len);

#endif							/* IMGSEARCH_URL_INT_H */
