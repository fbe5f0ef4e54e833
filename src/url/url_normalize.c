/*-------------------------------------------------------------------------
 *
 * url_normalize.c
 *	  Normalise a web URL: parse it as the WHATWG URL standard's basic URL
 *	  parser does (no base URL, special schemes http, https, ws, wss and
 *	  ftp), serialise it, and take the extra steps that make two spellings
 *	  of one link equal.
 *
 * The standard's steps, as they apply to an absolute URL of a special
 * scheme: leading and trailing C0 controls and spaces are trimmed and tabs
 * and newlines removed; the scheme is lower-cased; any run of slashes or
 * backslashes after it introduces the authority; the userinfo is split at
 * the last "@" and percent-encoded; the host is parsed (url_host.c); the
 * port must be digits up to 65535 and is dropped when it is the scheme's
 * default; the path is split at "/" and "\", its "." and ".." segments
 * (also spelt "%2e") are resolved, and its bytes percent-encoded with the
 * path set; the query is percent-encoded with the special-query set.
 *
 * The extra steps (documented in the README, and applied by the Node.js
 * reference of the tests to the standard's result):
 *   - the fragment is dropped;
 *   - percent-encoded unreserved characters (letters, digits, "-", ".",
 *     "_", "~") are decoded, the hex digits of every other
 *     percent-encoding upper-cased, and a "%" that starts none written
 *     "%25", in the userinfo, path and query;
 *   - tracking parameters (UrlIsTrackingParameter) are removed from the
 *     query, and a query left empty is dropped with its "?";
 *   - trailing dots of a domain are removed ("example.com." is
 *     "example.com"), unless only dots would be left or what is left
 *     would read as an IPv4 address ("1.32..").
 *
 * Anything else (a relative URL, another scheme, a bad host or port, more
 * than URL_MAX_LENGTH bytes) is URL_NOT_URL.
 *
 * src/url/url_normalize.c
 *
 *-------------------------------------------------------------------------
 */
#include "url_int.h"

#include <stdio.h>
#include <string.h>

static const char hexdigits[] = "0123456789ABCDEF";

/* Character classes of bytes, for the percent-encode sets */
#define URL_ENC_PATH		0x01	/* the path percent-encode set */
#define URL_ENC_QUERY		0x02	/* the special-query percent-encode set */
#define URL_ENC_USERINFO	0x04	/* the userinfo percent-encode set */
#define URL_UNRESERVED		0x08	/* RFC 3986's unreserved characters */

static unsigned char url_class[256];
static int	url_class_ready = 0;

/* Fill url_class (idempotent: every caller computes the same table) */
static void
UrlClassInit(void)
{
	for (int c = 0; c < 256; c++)
	{
		unsigned char k = 0;
		int			c0 = c < 0x20 || c > 0x7E;

		if (c0 || strchr(" \"#<>?`{}", c))
			k |= URL_ENC_PATH;
		if (c0 || strchr(" \"#<>'", c))
			k |= URL_ENC_QUERY;
		if ((k & URL_ENC_PATH) || strchr("/:;=@[\\]^|", c))
			k |= URL_ENC_USERINFO;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			k |= URL_UNRESERVED;
		if (c == 0)
			k |= URL_ENC_PATH | URL_ENC_QUERY | URL_ENC_USERINFO;
		url_class[c] = k;
	}
	url_class_ready = 1;
}

/*
 * Append s[0 .. len-1] to out at *n, percent-encoding the bytes of set,
 * decoding percent-encoded unreserved characters, upper-casing the hex
 * digits of the other percent-encodings and encoding a "%" that starts
 * none (so that decoding never makes a new percent-encoding).
 */
static void
EmitEncoded(const char *s, size_t len, unsigned char set, char *out, size_t *n)
{
	size_t		o = *n;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		int			hi,
					lo;

		if (c == '%' && i + 2 < len && (hi = UrlHexValue((unsigned char) s[i + 1])) >= 0 &&
			(lo = UrlHexValue((unsigned char) s[i + 2])) >= 0)
		{
			unsigned char v = (unsigned char) (hi * 16 + lo);

			if (url_class[v] & URL_UNRESERVED)
				out[o++] = (char) v;
			else
			{
				out[o++] = '%';
				out[o++] = hexdigits[hi];
				out[o++] = hexdigits[lo];
			}
			i += 2;
		}
		else if (c == '%')
		{
			/* a "%" that starts no percent-encoding is one itself */
			out[o++] = '%';
			out[o++] = '2';
			out[o++] = '5';
		}
		else if (url_class[c] & set)
		{
			out[o++] = '%';
			out[o++] = hexdigits[c >> 4];
			out[o++] = hexdigits[c & 15];
		}
		else
			out[o++] = (char) c;
	}
	*n = o;
}

/* Is a path segment "." (or "%2e")? */
static int
SingleDot(const char *s, size_t len)
{
	return (len == 1 && s[0] == '.') ||
		(len == 3 && s[0] == '%' && s[1] == '2' && (s[2] == 'e' || s[2] == 'E'));
}

/* Is a path segment ".." (or ".%2e", "%2e." or "%2e%2e")? */
static int
DoubleDot(const char *s, size_t len)
{
	if (len == 2)
		return s[0] == '.' && s[1] == '.';
	if (len == 4)
		return (SingleDot(s, 1) && SingleDot(s + 1, 3)) || (SingleDot(s, 3) && SingleDot(s + 3, 1));
	if (len == 6)
		return SingleDot(s, 3) && SingleDot(s + 3, 3);
	return 0;
}

/*
 * Is name (a query parameter's name, after percent-decoding of unreserved
 * characters) a tracking parameter: utm_* or one of a fixed list of click
 * identifiers, compared without regard to ASCII case?
 */
int
UrlIsTrackingParameter(const char *name, size_t len)
{
	static const char *const exact[] = {
		"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid",
		"mc_eid", "yclid", "igshid", "twclid", "ttclid", "_ga", "_gl", NULL
	};
	char		lower[16];

	if (len < 3 || len > sizeof(lower))
		return len > 4 && strncasecmp(name, "utm_", 4) == 0;
	for (size_t i = 0; i < len; i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] + ('a' - 'A') : name[i];
	if (len > 4 && memcmp(lower, "utm_", 4) == 0)
		return 1;
	for (int i = 0; exact[i]; i++)
		if (strlen(exact[i]) == len && memcmp(exact[i], lower, len) == 0)
			return 1;
	return 0;
}

/* The special schemes this parser takes, with their default ports */
static int
SchemeDefaultPort(const char *s, size_t len)
{
	if (len == 4 && memcmp(s, "http", 4) == 0)
		return 80;
	if (len == 5 && memcmp(s, "https", 5) == 0)
		return 443;
	if (len == 2 && memcmp(s, "ws", 2) == 0)
		return 80;
	if (len == 3 && memcmp(s, "wss", 3) == 0)
		return 443;
	if (len == 3 && memcmp(s, "ftp", 3) == 0)
		return 21;
	return -1;
}

/* Normalise a URL (see the file's header) */
UrlStatus
UrlNormalize(const char *in, size_t len, char *outbuf, char *scratch, UrlNormal *res)
{
	char	   *u = scratch;	/* the input, trimmed, tabs and newlines removed */
	char	   *hostscratch;
	size_t		ul = 0,
				s = 0,
				e = len,
				i,
				p,
				a,
				at,
				hp,
				hostend,
				n = 0;
	int			default_port,
				port = -1;
	char	   *out = outbuf;
	UrlHostKind kind;
	size_t		hostlen;
	int			rc;

	if (!url_class_ready)
		UrlClassInit();
	if (len > URL_MAX_LENGTH)
		return URL_NOT_URL;
	while (s < e && (unsigned char) in[s] <= 0x20)
		s++;
	while (e > s && (unsigned char) in[e - 1] <= 0x20)
		e--;
	for (i = s; i < e; i++)
		if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r')
			u[ul++] = in[i];
	hostscratch = scratch + ul + 1;

	/* scheme */
	if (ul == 0 || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return URL_NOT_URL;
	for (i = 0; i < ul; i++)
	{
		char		c = u[i];

		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return URL_NOT_URL;
		out[n++] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	if (i == ul)
		return URL_NOT_URL;
	default_port = SchemeDefaultPort(out, n);
	if (default_port < 0)
		return URL_NOT_URL;
	out[n++] = ':';
	out[n++] = '/';
	out[n++] = '/';

	/* authority: after any slashes, up to the path, query or fragment */
	p = i + 1;
	while (p < ul && (u[p] == '/' || u[p] == '\\'))
		p++;
	for (a = p; a < ul; a++)
		if (u[a] == '/' || u[a] == '\\' || u[a] == '?' || u[a] == '#')
			break;
	hp = p;
	for (at = a; at > p; at--)
		if (u[at - 1] == '@')
			break;
	if (at > p)
	{
		/* userinfo: all but the last "@" belong to it (and are encoded) */
		size_t		colon = p;
		size_t		before = n;

		while (colon < at - 1 && u[colon] != ':')
			colon++;
		EmitEncoded(u + p, colon - p, URL_ENC_USERINFO, out, &n);
		if (colon < at - 1)
		{
			size_t		mark = n;

			out[n++] = ':';
			EmitEncoded(u + colon + 1, at - 1 - colon - 1, URL_ENC_USERINFO, out, &n);
			if (n == mark + 1)
				n = mark;		/* an empty password is not written */
		}
		if (n > before)
			out[n++] = '@';
		hp = at;
	}

	/* host and port */
	if (hp < a && u[hp] == '[')
	{
		for (hostend = hp; hostend < a && u[hostend] != ']'; hostend++)
			;
		if (hostend == a)
			return URL_NOT_URL;
		hostend++;
		if (hostend < a && u[hostend] != ':')
			return URL_NOT_URL;
	}
	else
		for (hostend = hp; hostend < a && u[hostend] != ':'; hostend++)
			;
	if (hostend < a)
	{
		long		v = 0;

		for (i = hostend + 1; i < a; i++)
		{
			if (u[i] < '0' || u[i] > '9')
				return URL_NOT_URL;
			v = v * 10 + (u[i] - '0');
			if (v > 65535)
				return URL_NOT_URL;
		}
		if (a > hostend + 1)
			port = (int) v;
	}
	res->host_start = n;
	rc = UrlParseHost(u + hp, hostend - hp, out + n, &hostlen, &kind, hostscratch);
	if (rc == -2)
		return URL_OUT_OF_MEMORY;
	if (rc < 0)
		return URL_NOT_URL;
	if (kind == URL_HOST_DOMAIN)
	{
		size_t		stripped = hostlen;

		while (stripped > 1 && out[n + stripped - 1] == '.')
			stripped--;
		/* "1.32.." is a domain, but "1.32" would be an IPv4 address */
		if (!UrlEndsInNumber(out + n, stripped))
			hostlen = stripped;
	}
	res->host_len = hostlen;
	res->host_kind = kind;
	n += hostlen;
	if (port >= 0 && port != default_port)
		n += (size_t) sprintf(out + n, ":%d", port);

	/* path: "/" and "\" separate segments; "." and ".." are resolved */
	{
		size_t		path_start = n,
					q = a;

		while (q < ul && u[q] != '?' && u[q] != '#')
			q++;
		if (a == q)
			out[n++] = '/';
		else
		{
			i = a + 1;
			for (;;)
			{
				size_t		end = i;
				int			last;

				while (end < q && u[end] != '/' && u[end] != '\\')
					end++;
				last = (end == q);
				if (DoubleDot(u + i, end - i))
				{
					while (n > path_start && out[n - 1] != '/')
						n--;
					if (n > path_start)
						n--;	/* the segment's "/" */
					if (last)
						out[n++] = '/';
				}
				else if (SingleDot(u + i, end - i))
				{
					if (last)
						out[n++] = '/';
				}
				else
				{
					out[n++] = '/';
					EmitEncoded(u + i, end - i, URL_ENC_PATH, out, &n);
				}
				if (last)
					break;
				i = end + 1;
			}
			if (n == path_start)
				out[n++] = '/';
		}

		/* query, without tracking parameters; the fragment is dropped */
		if (q < ul && u[q] == '?')
		{
			size_t		qend = q + 1,
						mark = n,
						kept = 0;

			while (qend < ul && u[qend] != '#')
				qend++;
			out[n++] = '?';
			for (i = q + 1;;)
			{
				size_t		end = i,
							start = n,
							name;

				while (end < qend && u[end] != '&')
					end++;
				if (kept > 0)
					out[n++] = '&';
				start = n;
				EmitEncoded(u + i, end - i, URL_ENC_QUERY, out, &n);
				for (name = start; name < n && out[name] != '='; name++)
					;
				if (UrlIsTrackingParameter(out + start, name - start))
					n = start - (kept > 0 ? 1 : 0);
				else
					kept++;
				if (end == qend)
					break;
				i = end + 1;
			}
			if (n == mark + 1)
				n = mark;		/* nothing left: no "?" */
		}
	}
	out[n] = '\0';
	res->text = out;
	res->len = n;
	return URL_OK;
}
