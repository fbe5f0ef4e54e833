/*-------------------------------------------------------------------------
 *
 * url_sql.h
 *	  The server side of the URL functions, shared by url_sql.c and the
 *	  opt-out checks: normalising a text datum, the Public Suffix List, and
 *	  the domains a host is under.
 *
 * src/url/url_sql.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_URL_SQL_H
#define IMGSEARCH_URL_SQL_H

#include "postgres.h"

#include "url/url.h"

/*
 * Normalise a text datum into res (its text palloc'd in the current
 * context); false when it is not a web URL.  Out of memory in libidn2 is
 * an ERROR.
 */
extern bool UrlNormalizeText(text *arg, UrlNormal *res);

/*
 * The host of a normalised URL, then each domain it is under down to its
 * registrable domain (Public Suffix List): images.cdn.example.co.uk gives
 * images.cdn.example.co.uk, cdn.example.co.uk, example.co.uk.  An IP
 * address, or a host without a registrable domain, gives just the host.
 * Returns how many; levels[] (room for res->host_len / 2 + 2) points into
 * one palloc'd NUL-terminated copy of the host.
 */
extern int	UrlHostLevels(const UrlNormal *res, const char **levels);

#define URL_HOST_LEVELS_MAX(host_len)	((host_len) / 2 + 2)

#endif							/* IMGSEARCH_URL_SQL_H */
