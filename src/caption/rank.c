/*-------------------------------------------------------------------------
 *
 * rank.c
 *	  caption_rank(): how well a caption matches a query, from the
 *	  positions of the query's words in the caption.
 *
 * See caption_int.h for the normalisation both sides share.
 *
 * src/caption/rank.c
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

CaptionRankQuery *
CaptionRankQueryMake(text *query, MemoryContext parent)
{
	MemoryContext context = AllocSetContextCreate(parent, "caption_rank query",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	CaptionRankQuery *rq = palloc(sizeof(CaptionRankQuery));
	CaptionTokens typed;
	int			i;

	rq->context = context;
	rq->query = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(query));
	CaptionTokensInit(&typed);
	CaptionTokenize(VARDATA_ANY(rq->query), VARSIZE_ANY_EXHDR(rq->query), &typed);
	CaptionTokensInit(&rq->words);
	rq->lengths = 0;
	rq->nsequence = 0;
	for (i = 0; i < typed.count && rq->nsequence < CAPTION_RANK_MAX_WORDS; i++)
	{
		const CaptionToken *t = &typed.items[i];
		int			w;

		if (t->joined)
			continue;
		for (w = 0; w < rq->words.count; w++)
			if (rq->words.items[w].len == t->len &&
				memcmp(TOKEN_LEXEME(&rq->words, w), TOKEN_LEXEME(&typed, i), t->len) == 0)
				break;
		if (w == rq->words.count)
		{
			int			off = rq->words.text.len;

			appendBinaryStringInfo(&rq->words.text, TOKEN_LEXEME(&typed, i), t->len);
			CaptionTokensAdd(&rq->words, off, t->len, t->pos, false, t->cjk,
					         t->first_char, t->last_char);
			rq->lengths |= UINT64CONST(1) << (t->len % 64);
		}
		rq->sequence[rq->nsequence] = w;
		rq->offset[rq->nsequence] = t->pos - typed.items[0].pos;
		rq->nsequence++;
	}
	MemoryContextSwitchTo(old);
	return rq;
}

/*
 * Whether a caption lexeme is typed word w: the same lexeme, or for a typed
 * lone CJK character a CJK lexeme it begins (as the query's prefix search
 * does)
 */
static bool
IsRankWord(const CaptionRankQuery *rq, int w, const char *lexeme, int len, bool cjk)
{
	const CaptionToken *word = &rq->words.items[w];
	const char *wl = TOKEN_LEXEME(&rq->words, w);

	if (word->len == len)
		return memcmp(wl, lexeme, len) == 0;
	return cjk && word->cjk && word->len < len &&
		word->len == pg_utf_mblen((const unsigned char *) wl) &&
		memcmp(wl, lexeme, word->len) == 0;
}

/* Whether a caption lexeme is any typed word (a CaptionTokens keep) */
static bool
IsAnyRankWord(const void *arg, const char *lexeme, int len, bool cjk)
{
	const CaptionRankQuery *rq = arg;

	/* most lexemes are no typed word's length (a CJK one may be a prefix) */
	if (!cjk && (rq->lengths & (UINT64CONST(1) << (len % 64))) == 0)
		return false;
	for (int w = 0; w < rq->words.count; w++)
		if (IsRankWord(rq, w, lexeme, len, cjk))
			return true;
	return false;
}


/*
 * The rank of a caption of nwords words (its last position) in which the
 * typed words occur as hits[0..nhits), sorted by position (see
 * caption_rank).  The caption index calls it too, with hits read from its
 * postings.
 */
double
CaptionRankScore(const CaptionRankQuery *rq, const RankHit *hits, int nhits, int nwords)
{
	int		   *inwindow;
	int			found = 0;
	int			span = 0;
	bool		phrase = false;
	int			i;

	if (rq->words.count == 0)
		return 0.0;
	/* found, and the shortest stretch holding them all (a sliding window) */
	inwindow = palloc0(sizeof(int) * rq->words.count);
	for (i = 0; i < nhits; i++)
		if (inwindow[hits[i].word]++ == 0)
			found++;
	if (found > 0)
	{
		int			have = 0;
		int			lo = 0;

		memset(inwindow, 0, sizeof(int) * rq->words.count);
		span = INT_MAX;
		for (i = 0; i < nhits; i++)
		{
			if (inwindow[hits[i].word]++ == 0)
				have++;
			while (have == found)
			{
				span = Min(span, hits[i].pos - hits[lo].pos + 1);
				if (--inwindow[hits[lo].word] == 0)
					have--;
				lo++;
			}
		}
	}

	/*
	 * the typed words adjacent and in order: sequence[k] at p + offset[k].
	 * Positions are distinct but for the few lexemes sharing one (camelCase
	 * joined forms, a CJK run's last character) and for all the words past
	 * the last position, where no phrase can start.
	 */
	for (i = 0; i < nhits && !phrase; i++)
	{
		int			p = hits[i].pos;
		int			k = 1;

		if (p + rq->offset[rq->nsequence - 1] > CAPTION_MAX_POS)
			break;
		if (hits[i].word != rq->sequence[0])
			continue;
		for (int j = i + 1; j < nhits && k < rq->nsequence; j++)
		{
			if (hits[j].pos > p + rq->offset[k])
				break;
			if (hits[j].pos == p + rq->offset[k] && hits[j].word == rq->sequence[k])
				k++;
		}
		if (k == rq->nsequence)
			phrase = true;
	}
	pfree(inwindow);
	if (found == 0)
		return 0.0;

	return (phrase ? 2 : found == rq->words.count ? 1 : 0) +
		(double) found / rq->words.count * found / Max(span, found) /
		(1.0 + log(1.0 + nwords));
}

/*
 * caption_rank(caption, query): how well a caption matches the words typed
 * (every word of the query, in order, operators read as words):
 *
 *	 tier + found / n * found / span / (1 + ln(1 + caption words))
 *
 * where tier is 2 when the typed words stand adjacent and in order, 1 when
 * they are all there, 0 otherwise; n is the number of distinct typed words,
 * found how many of them the caption holds, and span the length in words
 * of the shortest stretch of the caption that holds them all.  The second
 * term is below 1, so the typed words adjacent and in order always come
 * first, then all of them, then fewer; within a tier, closer together and
 * then shorter captions come first.
 *
 * It runs once per matching row, so it only tokenises the caption: no
 * tsvector is built (ts_rank_cd alone would clear 32 kB per query word per
 * call).
 */
PG_FUNCTION_INFO_V1(caption_rank);
Datum
caption_rank(PG_FUNCTION_ARGS)
{
	text	   *caption = PG_GETARG_TEXT_PP(0);
	text	   *query = PG_GETARG_TEXT_PP(1);
	CaptionRankQuery *rq = fcinfo->flinfo->fn_extra;
	CaptionTokens tokens;
	RankHit    *hits;
	int			nhits = 0;
	int			maxhits = 32;
	int			nwords;
	int			i;
	double		result;

	if (rq == NULL || !CaptionSameText(rq->query, query))
	{
		if (rq != NULL)
			MemoryContextDelete(rq->context);
		fcinfo->flinfo->fn_extra = NULL;
		rq = CaptionRankQueryMake(query, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = rq;
	}

	CaptionTokensInit(&tokens);
	tokens.keep = IsAnyRankWord;
	tokens.keep_arg = rq;
	CaptionTokenize(VARDATA_ANY(caption), VARSIZE_ANY_EXHDR(caption), &tokens);
	nwords = tokens.next_pos - 1;
	if (rq->words.count == 0)
		PG_RETURN_FLOAT4(0.0f);

	/* the occurrences of typed words (the only tokens kept), by position */
	hits = palloc(sizeof(RankHit) * maxhits);
	for (i = 0; i < tokens.count; i++)
	{
		for (int w = 0; w < rq->words.count; w++)
		{
			int			j = nhits;

			if (!IsRankWord(rq, w, TOKEN_LEXEME(&tokens, i), tokens.items[i].len,
							tokens.items[i].cjk))
				continue;
			if (nhits == maxhits)
			{
				maxhits *= 2;
				hits = repalloc(hits, sizeof(RankHit) * maxhits);
			}
			while (j > 0 && hits[j - 1].pos > tokens.items[i].pos)
			{
				hits[j] = hits[j - 1];
				j--;
			}
			hits[j].pos = tokens.items[i].pos;
			hits[j].word = w;
			nhits++;
		}
	}

	result = CaptionRankScore(rq, hits, nhits, nwords);
	pfree(hits);
	PG_RETURN_FLOAT4((float4) result);
}
