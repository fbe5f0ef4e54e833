/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Caption search's query syntax: words ANDed, "phrases", or, -word,
 *	  never a syntax error, written as tsquery text (caption_tsquery(),
 *	  caption_phrase_tsquery()).
 *
 * See caption_int.h for the normalisation both sides share.
 *
 * src/caption/query.c
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

/* Append a lexeme quoted for the tsquery text form */
static void
AppendQuotedLexeme(StringInfo buf, const char *lexeme, int len)
{
	int			i;

	appendStringInfoChar(buf, '\'');
	for (i = 0; i < len; i++)
	{
		if (lexeme[i] == '\'' || lexeme[i] == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, lexeme[i]);
	}
	appendStringInfoChar(buf, '\'');
}

/*
 * Append the tokens (not the joined forms of camelCase words) as one
 * tsquery phrase; return how many there were.  With pairs, two adjacent
 * words become their pair lexeme (see CaptionAddWordPairs): "a b c" is
 * 'a b' <-> 'b c', which means exactly 'a' <-> 'b' <-> 'c'.
 */
static int
CaptionAppendPhrase(StringInfo buf, const CaptionTokens *tokens, bool pairs)
{
	const CaptionToken *prev = NULL;	/* the word before */
	int			last_pos = 0;	/* position of the last operand written */
	int			n = 0;
	int			i;

	for (i = 0; i < tokens->count; i++)
	{
		const CaptionToken *t = &tokens->items[i];
		const CaptionToken *next = NULL;
		bool		paired_before;
		int			j;

		if (t->joined)
			continue;
		for (j = i + 1; j < tokens->count && next == NULL; j++)
			if (!tokens->items[j].joined)
				next = &tokens->items[j];
		paired_before = pairs && prev != NULL && !prev->cjk && !t->cjk &&
			prev->pos + 1 == t->pos;
		prev = t;
		if (n++ > 0 && paired_before &&
			!(next != NULL && !next->cjk && t->pos + 1 == next->pos))
			continue;			/* the pair before holds this word */
		if (n > 1)
		{
			if (t->pos - last_pos == 1)
				appendStringInfoString(buf, " <-> ");
			else
				appendStringInfo(buf, " <%d> ", t->pos - last_pos);
		}
		last_pos = t->pos;
		if (pairs && next != NULL && !t->cjk && !next->cjk && t->pos + 1 == next->pos)
		{
			StringInfoData pair;

			initStringInfo(&pair);
			appendBinaryStringInfo(&pair, TOKEN_LEXEME(tokens, i), t->len);
			appendStringInfoChar(&pair, ' ');
			appendBinaryStringInfo(&pair, tokens->text.data + next->off, next->len);
			AppendQuotedLexeme(buf, pair.data, pair.len);
			pfree(pair.data);
		}
		else
			AppendQuotedLexeme(buf, TOKEN_LEXEME(tokens, i), t->len);
	}
	return n;
}

/*
 * Append the tsquery of one term (a word as typed, or a quoted phrase):
 * its tokens as a phrase; a camelCase word also matches its joined form.
 * Returns false when the term has no word.
 */
static bool
AppendTermQuery(StringInfo buf, const char *text, int len, bool pairs)
{
	CaptionTokens tokens;
	StringInfoData phrase;
	int			nplain = 0;
	int			i;

	CaptionTokensInit(&tokens);
	CaptionTokenize(text, len, &tokens);
	initStringInfo(&phrase);
	nplain = CaptionAppendPhrase(&phrase, &tokens, pairs);
	if (nplain == 0)
	{
		pfree(phrase.data);
		CaptionTokensFree(&tokens);
		return false;
	}

	appendStringInfoChar(buf, '(');
	appendStringInfoString(buf, phrase.data);
	/* one CJK character: every lexeme it begins (see CaptionEmitCjkRun) */
	if (nplain == 1 && tokens.items[0].cjk &&
		tokens.items[0].len == pg_utf_mblen((const unsigned char *) TOKEN_LEXEME(&tokens, 0)))
		appendStringInfoString(buf, ":*");
	/*
	 * a single camelCase word typed (the joined form spans every word): its
	 * joined form matches too
	 */
	for (i = 0; i < tokens.count; i++)
	{
		if (tokens.items[i].joined && tokens.count == nplain + 1 && !tokens.items[i].cjk &&
			tokens.items[i].first_char == tokens.items[0].first_char &&
			tokens.items[i].last_char == tokens.items[tokens.count - 1].last_char)
		{
			appendStringInfoString(buf, " | ");
			AppendQuotedLexeme(buf, TOKEN_LEXEME(&tokens, i), tokens.items[i].len);
		}
	}
	appendStringInfoChar(buf, ')');
	pfree(phrase.data);
	CaptionTokensFree(&tokens);
	return true;
}

/*
 * The tsquery of a web-search style query: words ANDed, "phrase", or,
 * -word.  Never a syntax error; no word at all matches nothing.  With
 * pairs, for a caption_tsvector with word pairs.
 */
Datum
CaptionQuery(text *query, bool pairs)
{
	char	   *q = text_to_cstring(query);
	char	   *p = q;
	StringInfoData buf;			/* the AND of the groups done */
	StringInfoData group;		/* the OR group being built */
	bool		pending_or = false;

	initStringInfo(&buf);
	initStringInfo(&group);
	while (*p)
	{
		bool		negate = false;
		bool		quoted = false;
		char	   *start;
		char	   *end;
		StringInfoData term;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		if (*p == '-' && p[1] != '\0' && p[1] != ' ')
		{
			negate = true;
			p++;
		}
		if (*p == '"')
		{
			quoted = true;
			start = ++p;
			while (*p && *p != '"')
				p++;
			end = p;
			if (*p == '"')
				p++;
		}
		else
		{
			start = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '"')
				p++;
			end = p;
		}

		/* "or" between two terms joins them into one group */
		if (!negate && !quoted && end - start == 2 &&
			pg_strncasecmp(start, "or", 2) == 0)
		{
			pending_or = (group.len > 0);
			continue;
		}

		initStringInfo(&term);
		if (negate)
			appendStringInfoChar(&term, '!');
		if (!AppendTermQuery(&term, start, end - start, pairs))
		{
			pfree(term.data);
			continue;
		}
		if (pending_or)
			appendStringInfo(&group, " | %s", term.data);
		else
		{
			if (group.len > 0)
			{
				appendStringInfo(&buf, "%s(%s)", buf.len > 0 ? " & " : "", group.data);
				resetStringInfo(&group);
			}
			appendStringInfoString(&group, term.data);
		}
		pfree(term.data);
		pending_or = false;
	}
	if (group.len > 0)
		appendStringInfo(&buf, "%s(%s)", buf.len > 0 ? " & " : "", group.data);
	pfree(q);

	/* no word: a lexeme no caption has (a lone space; words hold none) */
	if (buf.len == 0)
		appendStringInfoString(&buf, "' '");
	return DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data));
}

/*
 * caption_tsquery(text) of 0.2, for caption_tsvector without word pairs
 * (see caption_tsvector)
 */
PG_FUNCTION_INFO_V1(caption_tsquery);
Datum
caption_tsquery(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(CaptionQuery(PG_GETARG_TEXT_PP(0), false));
}

/* caption_tsquery(text) since 0.3: phrases of words as word pairs */
PG_FUNCTION_INFO_V1(caption_tsquery_with_pairs);
Datum
caption_tsquery_with_pairs(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(CaptionQuery(PG_GETARG_TEXT_PP(0), true));
}

/*
 * caption_phrase_tsquery(text): every word of the query, in order, as one
 * phrase of single words, without word pairs (operators and quotes are
 * read as plain text); caption_rank reads the typed words the same way.
 */
PG_FUNCTION_INFO_V1(caption_phrase_tsquery);
Datum
caption_phrase_tsquery(PG_FUNCTION_ARGS)
{
	text	   *query = PG_GETARG_TEXT_PP(0);
	CaptionTokens tokens;
	StringInfoData buf;

	CaptionTokensInit(&tokens);
	CaptionTokenize(VARDATA_ANY(query), VARSIZE_ANY_EXHDR(query), &tokens);
	initStringInfo(&buf);
	if (CaptionAppendPhrase(&buf, &tokens, false) == 0)
		appendStringInfoString(&buf, "' '");
	PG_RETURN_DATUM(DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data)));
}

/*
 * caption @@@ query, the caption index's operator: caption_matches in C.
 * The query's tsquery is kept between calls while the query is the same.
 */
typedef struct CaptionMatchCache
{
	text	   *query;
	Datum		tsquery;
} CaptionMatchCache;

PG_FUNCTION_INFO_V1(caption_match_op);
Datum
caption_match_op(PG_FUNCTION_ARGS)
{
	text	   *caption = PG_GETARG_TEXT_PP(0);
	text	   *query = PG_GETARG_TEXT_PP(1);
	CaptionMatchCache *cache = fcinfo->flinfo->fn_extra;
	Datum		vector;
	bool		result;

	if (cache == NULL || !CaptionSameText(cache->query, query))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache == NULL)
			cache = palloc0(sizeof(CaptionMatchCache));
		else
		{
			pfree(cache->query);
			pfree(DatumGetPointer(cache->tsquery));
		}
		cache->query = (text *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(1));
		cache->tsquery = CaptionQuery(query, true);
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
	}
	vector = CaptionVector(caption, true);
	result = DatumGetBool(DirectFunctionCall2(ts_match_vq, vector, cache->tsquery));
	pfree(DatumGetPointer(vector));
	PG_RETURN_BOOL(result);
}
