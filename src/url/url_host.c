/*-------------------------------------------------------------------------
 *
 * url_host.c
 *	  The host of a web URL, parsed and serialised as the WHATWG URL
 *	  standard's host parser does for special schemes: an IPv6 address in
 *	  brackets, an IPv4 address in any of the forms browsers accept (each
 *	  part decimal, octal with a leading 0 or hex with 0x, the last part
 *	  filling the remaining bytes), or a domain: percent-decoded, mapped
 *	  to ASCII by UTS #46 (non-transitional) through libidn2, and checked
 *	  for forbidden code points.
 *
 * Hosts of ASCII letters, digits, hyphens and dots only, with no label
 * starting with "xn--", are by far the most common; they are lower-cased
 * here without calling libidn2, which gives the same result.
 *
 * src/url/url_host.c
 *
 *-------------------------------------------------------------------------
 */
#include "url_int.h"

#include <idn2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Serialise an IPv6 address, compressing the first longest run of zeros */
static size_t
SerializeIpv6(const uint16_t piece[8], char *out)
{
	int			best = -1,
				best_len = 1;
	size_t		n = 0;

	for (int i = 0; i < 8;)
	{
		int			j = i;

		while (j < 8 && piece[j] == 0)
			j++;
		if (j - i > best_len)
		{
			best = i;
			best_len = j - i;
		}
		i = (j > i) ? j : i + 1;
	}
	out[n++] = '[';
	for (int i = 0; i < 8; i++)
	{
		if (i == best)
		{
			out[n++] = ':';
			if (i == 0)
				out[n++] = ':';
			i += best_len - 1;
			continue;
		}
		n += sprintf(out + n, "%x", piece[i]);
		if (i < 7)
			out[n++] = ':';
	}
	out[n++] = ']';
	return n;
}

/* Parse an IPv6 address (without its brackets), as the standard does */
static int
ParseIpv6(const char *s, size_t len, uint16_t piece[8])
{
	size_t		p = 0;
	int			index = 0,
				compress = -1;

	memset(piece, 0, 8 * sizeof(uint16_t));
#define C(i) ((i) < len ? (unsigned char) s[i] : 0)
	if (C(p) == ':')
	{
		if (C(p + 1) != ':')
			return -1;
		p += 2;
		compress = ++index;
	}
	while (p < len)
	{
		unsigned	value = 0;
		int			length = 0;

		if (index == 8)
			return -1;
		if (C(p) == ':')
		{
			if (compress != -1)
				return -1;
			p++;
			compress = ++index;
			continue;
		}
		while (length < 4 && p < len && UrlHexValue(C(p)) >= 0)
		{
			value = value * 16 + UrlHexValue(C(p));
			p++;
			length++;
		}
		if (p < len && C(p) == '.')
		{
			int			seen = 0;

			if (length == 0)
				return -1;
			p -= length;
			if (index > 6)
				return -1;
			while (p < len)
			{
				int			part = -1;

				if (seen > 0)
				{
					if (C(p) == '.' && seen < 4)
						p++;
					else
						return -1;
				}
				if (p >= len || C(p) < '0' || C(p) > '9')
					return -1;
				while (p < len && C(p) >= '0' && C(p) <= '9')
				{
					int			digit = C(p) - '0';

					if (part == -1)
						part = digit;
					else if (part == 0)
						return -1;
					else
						part = part * 10 + digit;
					if (part > 255)
						return -1;
					p++;
				}
				piece[index] = (uint16_t) (piece[index] * 0x100 + part);
				seen++;
				if (seen == 2 || seen == 4)
					index++;
			}
			if (seen != 4)
				return -1;
			break;
		}
		else if (p < len && C(p) == ':')
		{
			p++;
			if (p >= len)
				return -1;
		}
		else if (p < len)
			return -1;
		piece[index++] = (uint16_t) value;
	}
#undef C
	if (compress != -1)
	{
		int			swaps = index - compress;

		index = 7;
		while (index != 0 && swaps > 0)
		{
			uint16_t	t = piece[index];

			piece[index] = piece[compress + swaps - 1];
			piece[compress + swaps - 1] = t;
			index--;
			swaps--;
		}
	}
	else if (index != 8)
		return -1;
	return 0;
}

/*
 * Parse one part of an IPv4 address (decimal, 0-prefixed octal or 0x hex)
 * into *value, saturating above 2^32; -1 if it is not a number.
 */
static int
ParseIpv4Number(const char *s, size_t len, uint64_t *value)
{
	int			radix = 10;
	uint64_t	v = 0;

	if (len == 0)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
	{
		radix = 16;
		s += 2;
		len -= 2;
	}
	else if (len >= 2 && s[0] == '0')
	{
		radix = 8;
		s++;
		len--;
	}
	for (size_t i = 0; i < len; i++)
	{
		int			d = UrlHexValue((unsigned char) s[i]);

		if (d < 0 || d >= radix)
			return -1;
		v = v * radix + d;
		if (v > UINT64_C(0xFFFFFFFF))
			v = UINT64_C(0x100000000);	/* too large, whatever follows */
	}
	*value = v;
	return 0;
}

/* Does a domain end in a number (so that it must be an IPv4 address)? */
int
UrlEndsInNumber(const char *s, size_t len)
{
	size_t		end = len,
				start;
	uint64_t	v;

	if (end > 0 && s[end - 1] == '.')
	{
		if (end == 1)
			return 0;
		end--;
	}
	start = end;
	while (start > 0 && s[start - 1] != '.')
		start--;
	if (start == end)
		return 0;
	for (size_t i = start; i < end; i++)
		if (s[i] < '0' || s[i] > '9')
			return ParseIpv4Number(s + start, end - start, &v) == 0;
	return 1;
}

/* Parse an IPv4 address and serialise it dotted; -1 if it is not one */
static int
ParseIpv4(const char *s, size_t len, char *out, size_t *outlen)
{
	uint64_t	parts[4];
	int			n = 0;
	size_t		start = 0;
	uint64_t	address;

	if (len > 0 && s[len - 1] == '.')
		len--;					/* one trailing dot is allowed */
	for (size_t i = 0; i <= len; i++)
	{
		if (i < len && s[i] != '.')
			continue;
		if (n == 4 || ParseIpv4Number(s + start, i - start, &parts[n]) < 0)
			return -1;
		n++;
		start = i + 1;
	}
	for (int i = 0; i < n - 1; i++)
		if (parts[i] > 255)
			return -1;
	if (parts[n - 1] >= (UINT64_C(1) << (8 * (5 - n))))
		return -1;
	address = parts[n - 1];
	for (int i = 0; i < n - 1; i++)
		address += parts[i] << (8 * (3 - i));
	*outlen = (size_t) sprintf(out, "%u.%u.%u.%u", (unsigned) (address >> 24) & 255,
							   (unsigned) (address >> 16) & 255,
							   (unsigned) (address >> 8) & 255, (unsigned) address & 255);
	return 0;
}

/* Is c forbidden in a domain (the standard's "forbidden domain code point")? */
static int
ForbiddenInDomain(unsigned char c)
{
	return c <= 0x20 || c == 0x7F || c == '#' || c == '%' || c == '/' || c == ':' ||
		c == '<' || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' ||
		c == ']' || c == '^' || c == '|';
}

/* Is s[0 .. len-1] valid UTF-8 (no overlong forms, surrogates or NUL)? */
static int
ValidUtf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		int			n;
		uint32_t	cp;

		if (c == 0)
			return 0;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (int k = 1; k <= n; k++)
		{
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Parse the host in[0 .. len-1] of a special URL into out (which holds at
 * least len + 300 bytes), setting *outlen and *kind.  Returns 0, -1 when
 * it is not a valid host, or -2 when out of memory.  scratch holds len + 1
 * bytes.
 */
int
UrlParseHost(const char *in, size_t len, char *out, size_t *outlen,
			 UrlHostKind *kind, char *scratch)
{
	size_t		n = 0;
	int			ascii = 1,
				xn = 0;

	if (len == 0)
		return -1;
	if (in[0] == '[')
	{
		uint16_t	piece[8];

		if (in[len - 1] != ']' || ParseIpv6(in + 1, len - 2, piece) < 0)
			return -1;
		*outlen = SerializeIpv6(piece, out);
		*kind = URL_HOST_IPV6;
		return 0;
	}

	/* percent-decode, lower-case ASCII, note what needs libidn2 */
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) in[i];

		if (c == '%' && i + 2 < len && UrlHexValue((unsigned char) in[i + 1]) >= 0 &&
			UrlHexValue((unsigned char) in[i + 2]) >= 0)
		{
			c = (unsigned char) (UrlHexValue((unsigned char) in[i + 1]) * 16 +
								 UrlHexValue((unsigned char) in[i + 2]));
			i += 2;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c >= 0x80)
			ascii = 0;
		scratch[n++] = (char) c;
	}
	scratch[n] = '\0';
	for (size_t i = 0; i + 4 <= n; i++)
		if ((i == 0 || scratch[i - 1] == '.') && memcmp(scratch + i, "xn--", 4) == 0)
			xn = 1;

	if (ascii && !xn)
	{
		memcpy(out, scratch, n);
		*outlen = n;
	}
	else
	{
		uint8_t    *mapped = NULL;
		int			rc;
		size_t		m;

		if (!ValidUtf8((const unsigned char *) scratch, n))
			return -1;
		rc = idn2_lookup_u8((const uint8_t *) scratch, &mapped, IDN2_NONTRANSITIONAL);
		if (rc == IDN2_MALLOC)
			return -2;
		if (rc != IDN2_OK)
			return -1;
		m = strlen((const char *) mapped);
		if (m > len + 299)
		{
			idn2_free(mapped);
			return -1;
		}
		memcpy(out, mapped, m);
		idn2_free(mapped);
		n = m;
		*outlen = n;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (ForbiddenInDomain((unsigned char) out[i]))
			return -1;
	if (UrlEndsInNumber(out, n))
	{
		memcpy(scratch, out, n);
		if (ParseIpv4(scratch, n, out, outlen) < 0)
			return -1;
		*kind = URL_HOST_IPV4;
		return 0;
	}
	*kind = URL_HOST_DOMAIN;
	return 0;
}
