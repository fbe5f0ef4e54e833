/*-------------------------------------------------------------------------
 *
 * url.h
 *	  URL normalisation for opt-out checks: the WHATWG URL standard's
 *	  parser for web URLs (http, https, ws, wss, ftp), serialised, plus
 *	  the extra steps that make two spellings of one link compare equal.
 *
 * Plain C with no server headers (like the image hashing core), so that
 * the test tools, the fuzzer and the benchmark run the same code as the
 * SQL functions.  IDNA goes through libidn2.
 *
 * src/url/url.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_URL_H
#define IMGSEARCH_URL_H

#include <stddef.h>

/* The longest URL accepted, in bytes; longer ones are not URLs here */
#define URL_MAX_LENGTH	65536

/* What UrlNormalize found */
typedef enum UrlStatus
{
	URL_OK = 0,
	URL_NOT_URL,				/* not an absolute web URL (or too long) */
	URL_OUT_OF_MEMORY
} UrlStatus;

/* Which kind of host a URL has */
typedef enum UrlHostKind
{
	URL_HOST_DOMAIN,
	URL_HOST_IPV4,
	URL_HOST_IPV6
} UrlHostKind;

/*
 * A normalised URL: the serialised form in text[0 .. len-1] (NUL
 * terminated), and where its host is in it.
 */
typedef struct UrlNormal
{
	char	   *text;
	size_t		len;
	size_t		host_start;
	size_t		host_len;
	UrlHostKind host_kind;
} UrlNormal;

/*
 * The buffer size UrlNormalize needs for an input of len bytes: every
 * byte may become a percent-encoded triple, and an internationalised host
 * may grow to DNS's 255 bytes.
 */
#define URL_NORMAL_SIZE(len)	(3 * (size_t) (len) + 512)

/*
 * Normalise in[0 .. len-1] into out->text, which must hold
 * URL_NORMAL_SIZE(len) bytes; scratch must hold as many.
 */
extern UrlStatus UrlNormalize(const char *in, size_t len, char *outbuf,
							  char *scratch, UrlNormal *out);

/* Is name (len bytes) a tracking parameter that normalisation removes? */
extern int	UrlIsTrackingParameter(const char *name, size_t len);

#endif							/* IMGSEARCH_URL_H */
