/*-------------------------------------------------------------------------
 *
 * tsvector.c
 *	  caption_tsvector(): the words of a caption, and their pairs, as a
 *	  tsvector built directly, in the order tsvector keeps lexemes.
 *
 * See caption_int.h for the normalisation both sides share.
 *
 * src/caption/tsvector.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <wctype.h>
#include "common/unicode_norm.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "imgsearch.h"
#include "caption_int.h"

/*
 * Tokens in tsvector order: lexemes as tsCompareString orders them (bytes,
 * then the shorter first), then positions.  Most lexemes differ in their
 * first 8 bytes, which compare as one integer (no lexeme holds a 0 byte).
 */
static inline int
CompareTokens(const CaptionToken *a, const CaptionToken *b, const char *base)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->len > 8 || b->len > 8)
	{
		int			cmp = tsCompareString((char *) base + a->off, a->len,
										  (char *) base + b->off, b->len, false);

		if (cmp != 0)
			return cmp;
	}
	return (a->pos > b->pos) - (a->pos < b->pos);
}

#define ST_SORT sort_caption_tokens
#define ST_ELEMENT_TYPE CaptionToken
#define ST_COMPARE(a, b, arg) CompareTokens(a, b, arg)
#define ST_COMPARE_ARG_TYPE const char
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * The tsvector of tokens items[0..n) (lexemes in tokens->text), built
 * directly: each distinct lexeme once, with its distinct positions in
 * order, at most MAXNUMPOS of them, as tsvectorin would store them.
 * Sorts items[].
 */
static TSVector
CaptionMakeTsvector(CaptionTokens *tokens, CaptionToken *items, int n)
{
	const char *base = tokens->text.data;
	TSVector	vector;
	WordEntry  *entry;
	char	   *str;
	int			nlexemes = 0;
	int			stroff = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		items[i].key = 0;
		for (int k = 0; k < 8; k++)
			items[i].key = (items[i].key << 8) |
				(k < items[i].len ? (unsigned char) base[items[i].off + k] : 0);
	}
	sort_caption_tokens(items, n, base);

	/* the size: lexemes, then each one's positions at a 2-byte boundary */
	for (i = 0; i < n;)
	{
		int			npos = 0;
		int			j;

		for (j = i; j < n && items[j].key == items[i].key && items[j].len == items[i].len &&
			 memcmp(base + items[j].off, base + items[i].off, items[i].len) == 0; j++)
		{
			if (j == i || items[j].pos != items[j - 1].pos)
				npos++;
		}
		nlexemes++;
		stroff = SHORTALIGN(stroff + items[i].len) + sizeof(uint16) +
			Min(npos, MAXNUMPOS) * sizeof(WordEntryPos);
		if (stroff > MAXSTRPOS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("caption is too long for caption_tsvector"),
					 errdetail("Its words take more than %d bytes.", MAXSTRPOS)));
		i = j;
	}

	vector = palloc0(CALCDATASIZE(nlexemes, stroff));
	SET_VARSIZE(vector, CALCDATASIZE(nlexemes, stroff));
	vector->size = nlexemes;
	entry = ARRPTR(vector);
	str = STRPTR(vector);
	stroff = 0;
	for (i = 0; i < n;)
	{
		uint16		npos = 0;
		WordEntryPos *positions;
		int			j;

		entry->haspos = 1;
		entry->len = items[i].len;
		entry->pos = stroff;
		memcpy(str + stroff, base + items[i].off, items[i].len);
		stroff = SHORTALIGN(stroff + items[i].len);
		positions = (WordEntryPos *) (str + stroff + sizeof(uint16));
		for (j = i; j < n && items[j].key == items[i].key && items[j].len == items[i].len &&
			 memcmp(base + items[j].off, base + items[i].off, items[i].len) == 0; j++)
		{
			if (npos < MAXNUMPOS && (j == i || items[j].pos != items[j - 1].pos))
			{
				positions[npos] = 0;
				WEP_SETPOS(positions[npos], items[j].pos);
				npos++;
			}
		}
		memcpy(str + stroff, &npos, sizeof(uint16));
		stroff += sizeof(uint16) + npos * sizeof(WordEntryPos);
		entry++;
		i = j;
	}
	return vector;
}

/* The tsvector of a caption, with or without word pairs */
Datum
CaptionVector(text *caption, bool pairs)
{
	CaptionTokens tokens;

	CaptionTokensInit(&tokens);
	CaptionTokenize(VARDATA_ANY(caption), VARSIZE_ANY_EXHDR(caption), &tokens);
	if (pairs)
		CaptionAddWordPairs(&tokens);
	return PointerGetDatum(CaptionMakeTsvector(&tokens, tokens.items, tokens.count));
}

/*
 * caption_tsvector(text): the caption's lexemes with positions.  This
 * symbol is the 0.2 form, without word pairs, kept so that a database not
 * yet updated (ALTER EXTENSION imgsearch UPDATE) keeps matching its
 * indexes; 0.3 and later call caption_tsvector_with_pairs.
 */
PG_FUNCTION_INFO_V1(caption_tsvector);
Datum
caption_tsvector(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(CaptionVector(PG_GETARG_TEXT_PP(0), false));
}

/* caption_tsvector(text) since 0.3: lexemes and word pairs */
PG_FUNCTION_INFO_V1(caption_tsvector_with_pairs);
Datum
caption_tsvector_with_pairs(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(CaptionVector(PG_GETARG_TEXT_PP(0), true));
}
