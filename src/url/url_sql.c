/*-------------------------------------------------------------------------
 *
 * url_sql.c
 *	  SQL functions over URLs: url_normalize(), url_host(), url_domain()
 *	  and url_host_domains(), for opt-out checks by exact URL and by
 *	  domain.
 *
 * Each is IMMUTABLE, STRICT and PARALLEL SAFE, so expression indexes can
 * serve them, and returns NULL for what is not an absolute web URL: bulk
 * queries over scraped data must not stop at one bad row.  url_domain()
 * takes the registrable domain of the host from the Public Suffix List
 * through libpsl (the newer of the library's built-in list and the system
 * one, /usr/share/publicsuffix, loaded once per backend); an IP address,
 * or a host that is itself a public suffix, has none.
 *
 * src/url/url_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <libpsl.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "url/url_sql.h"

/* The Public Suffix List, loaded at the first url_domain() of a backend */
static psl_ctx_t *url_psl = NULL;

/* Normalise a text datum (url_sql.h) */
bool
UrlNormalizeText(text *arg, UrlNormal *res)
{
	size_t		len = VARSIZE_ANY_EXHDR(arg);
	char	   *out,
			   *scratch;
	UrlStatus	st;

	if (len > URL_MAX_LENGTH)
		return false;
	out = palloc(URL_NORMAL_SIZE(len));
	scratch = palloc(URL_NORMAL_SIZE(len));
	st = UrlNormalize(VARDATA_ANY(arg), len, out, scratch, res);
	pfree(scratch);
	if (st == URL_OUT_OF_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libidn2 could not allocate memory for a host name.")));
	return st == URL_OK;
}

PG_FUNCTION_INFO_V1(url_normalize);
Datum
url_normalize(PG_FUNCTION_ARGS)
{
	UrlNormal	res;

	if (!UrlNormalizeText(PG_GETARG_TEXT_PP(0), &res))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(res.text, res.len));
}

PG_FUNCTION_INFO_V1(url_host);
Datum
url_host(PG_FUNCTION_ARGS)
{
	UrlNormal	res;

	if (!UrlNormalizeText(PG_GETARG_TEXT_PP(0), &res))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(res.text + res.host_start, res.host_len));
}

/* The Public Suffix List, loaded at the first call of a backend */
static const psl_ctx_t *
UrlPsl(void)
{
	if (url_psl == NULL)
	{
		url_psl = psl_latest(NULL);
		if (url_psl == NULL)
			url_psl = (psl_ctx_t *) psl_builtin();
		if (url_psl == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("could not load the Public Suffix List"),
					 errhint("Install Debian's publicsuffix package.")));
	}
	return url_psl;
}

PG_FUNCTION_INFO_V1(url_domain);
Datum
url_domain(PG_FUNCTION_ARGS)
{
	UrlNormal	res;
	char	   *host;
	const char *domain;

	if (!UrlNormalizeText(PG_GETARG_TEXT_PP(0), &res) || res.host_kind != URL_HOST_DOMAIN)
		PG_RETURN_NULL();
	host = pnstrdup(res.text + res.host_start, res.host_len);
	domain = psl_registrable_domain(UrlPsl(), host);
	if (domain == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(domain));
}

/* The host of a normalised URL and the domains it is under (url_sql.h) */
int
UrlHostLevels(const UrlNormal *res, const char **levels)
{
	char	   *host = pnstrdup(res->text + res->host_start, res->host_len);
	const char *domain = NULL;
	int			n = 0;

	if (res->host_kind == URL_HOST_DOMAIN)
		domain = psl_registrable_domain(UrlPsl(), host);
	for (const char *p = host;;)
	{
		levels[n++] = p;
		if (domain == NULL || p >= domain)
			break;
		p = strchr(p, '.');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/*
 * The host of a URL and each domain it is under, down to its registrable
 * domain: images.cdn.example.co.uk gives {images.cdn.example.co.uk,
 * cdn.example.co.uk, example.co.uk}.  An IP address, or a host without a
 * registrable domain, gives just the host.  A registry of domains looked
 * up with "= ANY" of this finds entries for the host and its parents.
 */
PG_FUNCTION_INFO_V1(url_host_domains);
Datum
url_host_domains(PG_FUNCTION_ARGS)
{
	UrlNormal	res;
	const char **levels;
	Datum	   *elems;
	int			n;

	if (!UrlNormalizeText(PG_GETARG_TEXT_PP(0), &res))
		PG_RETURN_NULL();
	levels = palloc(sizeof(char *) * URL_HOST_LEVELS_MAX(res.host_len));
	n = UrlHostLevels(&res, levels);
	elems = palloc(sizeof(Datum) * n);
	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(cstring_to_text(levels[i]));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}
