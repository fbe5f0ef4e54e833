/*-------------------------------------------------------------------------
 *
 * caption.c
 *	  Caption search: turn messy, multilingual image captions and typed
 *	  queries into PostgreSQL full-text search values, the same way on both
 *	  sides, so that GIN indexes on caption_tsvector(caption) serve them.
 *
 * Normalisation of a caption into lexemes with positions:
 *	- words are runs of letters and digits; every other character (space,
 *	  punctuation, _ - . / @ and so on) separates words, so URL paths and
 *	  @handles yield their words;
 *	- case is folded and accents and letter variants are removed (é -> e
 *	  by compatibility decomposition and dropping combining marks; ø -> o,
 *	  ł -> l, ß -> ss and a few more by table);
 *	- a camelCase word is split into its parts at consecutive positions, and
 *	  the joined form is kept too, at the first part's position
 *	  ("GregRutkowski" gives greg:1 rutkowski:2 gregrutkowski:1);
 *	- a possessive 's is dropped;
 *	- runs of Han, Hiragana, Katakana and Hangul become overlapping
 *	  bigrams ("葛飾北斎" gives 葛飾 飾北 北斎), a lone character itself;
 *	- no stemming: names match whole words only.
 * Queries read like a web search engine's: words are ANDed, "double
 * quotes" make a phrase, "or" between terms, -word excludes; every term is
 * normalised as above, a term of several words (greg_rutkowski, a camelCase
 * word, a CJK run) becoming a phrase.  Nothing typed is a syntax error; a
 * query without words matches nothing.
 *
 * Both sides build the text form of tsvector and tsquery and hand it to
 * their input functions, which take lexemes literally.
 *
 * src/caption.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <locale.h>
#include <math.h>
#include <wctype.h>

#include "common/unicode_norm.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "tsearch/ts_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "imgsearch.h"

/* Longest lexeme kept, in bytes (tsvector allows 2047) */
#define CAPTION_MAX_LEXEME 200

/* Highest position tsvector stores */
#define CAPTION_MAX_POS 16383

/* One normalised word: lexeme text and its position */
typedef struct CaptionToken
{
	char	   *lexeme;
	int			pos;
	bool		joined;			/* the joined form of a camelCase word */
	int			first_char;		/* the source characters it comes from */
	int			last_char;
} CaptionToken;

typedef struct CaptionTokens
{
	CaptionToken *items;
	int			count;
	int			capacity;
	int			next_pos;		/* position of the next word */
} CaptionTokens;

/* A locale for Unicode character classes and case, whatever the server's */
static locale_t
CaptionLocale(void)
{
	static locale_t locale = (locale_t) 0;

	if (locale == (locale_t) 0)
	{
		locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
		if (locale == (locale_t) 0)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("could not load the C.UTF-8 locale for caption search")));
	}
	return locale;
}

/* Whether a code point is Han, Hiragana, Katakana or Hangul */
static bool
IsCjk(pg_wchar c)
{
	return (c >= 0x3040 && c <= 0x30FF) ||	/* Hiragana, Katakana */
		(c >= 0x31F0 && c <= 0x31FF) ||
		(c >= 0x3400 && c <= 0x4DBF) ||
		(c >= 0x4E00 && c <= 0x9FFF) ||
		(c >= 0xF900 && c <= 0xFAFF) ||
		(c >= 0xFF66 && c <= 0xFF9F) ||
		(c >= 0x1100 && c <= 0x11FF) ||	/* Hangul */
		(c >= 0x3130 && c <= 0x318F) ||
		(c >= 0xAC00 && c <= 0xD7AF) ||
		(c >= 0x20000 && c <= 0x2FA1F);
}

/* Whether a code point is a combining mark to drop after decomposition */
static bool
IsCombiningMark(pg_wchar c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
		(c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
		(c >= 0xFE20 && c <= 0xFE2F);
}

/* Letters that no decomposition turns into ASCII: their folded spelling */
static const char *
FoldedLetter(pg_wchar c)
{
	switch (c)
	{
		case 0x00D8: case 0x00F8: return "o";	/* Ø ø */
		case 0x0141: case 0x0142: return "l";	/* Ł ł */
		case 0x00DF: case 0x1E9E: return "ss";	/* ß ẞ */
		case 0x00C6: case 0x00E6: return "ae";	/* Æ æ */
		case 0x0152: case 0x0153: return "oe";	/* Œ œ */
		case 0x0110: case 0x0111: return "d";	/* Đ đ */
		case 0x00D0: case 0x00F0: return "d";	/* Ð ð */
		case 0x00DE: case 0x00FE: return "th";	/* Þ þ */
		case 0x0131: return "i";	/* ı */
		case 0x0126: case 0x0127: return "h";	/* Ħ ħ */
	}
	return NULL;
}

/* Add a token */
static void
TokensAdd(CaptionTokens *tokens, const char *lexeme, int len, int pos,
		  bool joined, int first_char, int last_char)
{
	if (len <= 0 || len > CAPTION_MAX_LEXEME)
		return;
	if (tokens->count == tokens->capacity)
	{
		tokens->capacity = tokens->capacity ? tokens->capacity * 2 : 16;
		tokens->items = tokens->items ?
			repalloc(tokens->items, sizeof(CaptionToken) * tokens->capacity) :
			palloc(sizeof(CaptionToken) * tokens->capacity);
	}
	tokens->items[tokens->count].lexeme = pnstrdup(lexeme, len);
	tokens->items[tokens->count].pos = Min(pos, CAPTION_MAX_POS);
	tokens->items[tokens->count].joined = joined;
	tokens->items[tokens->count].first_char = first_char;
	tokens->items[tokens->count].last_char = last_char;
	tokens->count++;
}

/* Append a code point as UTF-8 */
static void
AppendCodePoint(StringInfo buf, pg_wchar c)
{
	unsigned char utf8[8];
	int			len;

	unicode_to_utf8(c, utf8);
	len = pg_utf_mblen(utf8);
	appendBinaryStringInfo(buf, (char *) utf8, len);
}

/*
 * Emit the word of folded code points word[0..len), with the original case
 * of each in upper[], cont[] marking the second and later letters that
 * one character folded into (Æ -> ae), and src[] the index of the source
 * character of each: split at camelCase boundaries and add the parts (and
 * the joined form when there are several).
 */
static void
EmitWord(CaptionTokens *tokens, const pg_wchar *word, const bool *upper,
		 const bool *cont, const int *src, int len)
{
	StringInfoData part;
	StringInfoData joined;
	int			nparts = 0;
	int			first_pos = tokens->next_pos;
	int			part_start = 0;
	int			i;

	initStringInfo(&part);
	initStringInfo(&joined);
	for (i = 0; i < len; i++)
	{
		bool		boundary = false;

		if (i > 0 && !cont[i])
		{
			/* aB, or the B of ABc */
			if (upper[i] && !upper[i - 1] && iswlower_l((wint_t) word[i - 1], CaptionLocale()))
				boundary = true;
			else if (upper[i] && upper[i - 1] && i + 1 < len && !upper[i + 1] &&
					 !cont[i + 1] &&
					 iswalpha_l((wint_t) word[i + 1], CaptionLocale()) &&
					 iswlower_l((wint_t) word[i + 1], CaptionLocale()))
				boundary = true;
		}
		if (boundary && part.len > 0)
		{
			TokensAdd(tokens, part.data, part.len, tokens->next_pos++, false,
					  src[part_start], src[i - 1]);
			nparts++;
			resetStringInfo(&part);
			part_start = i;
		}
		AppendCodePoint(&part, word[i]);
		AppendCodePoint(&joined, word[i]);
	}
	if (part.len > 0)
	{
		TokensAdd(tokens, part.data, part.len, tokens->next_pos++, false,
				  src[part_start], src[len - 1]);
		nparts++;
	}
	if (nparts > 1)
		TokensAdd(tokens, joined.data, joined.len, first_pos, true,
				  src[0], src[len - 1]);
	pfree(part.data);
	pfree(joined.data);
}

/*
 * Emit a run of CJK characters as overlapping bigrams, plus the run's last
 * character alone, so that every character begins some lexeme: a query of
 * one character is then a prefix search (see AppendTermQuery).  The extra
 * lexeme is marked "joined" so that queries never use it in phrases.
 */
static void
EmitCjkRun(CaptionTokens *tokens, const pg_wchar *run, int first_char,
		   int len)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i + 1 < len; i++)
	{
		resetStringInfo(&buf);
		AppendCodePoint(&buf, run[i]);
		AppendCodePoint(&buf, run[i + 1]);
		TokensAdd(tokens, buf.data, buf.len, tokens->next_pos++, false,
				  first_char + i, first_char + i + 1);
	}
	resetStringInfo(&buf);
	AppendCodePoint(&buf, run[len - 1]);
	if (len == 1)
		TokensAdd(tokens, buf.data, buf.len, tokens->next_pos++, false,
				  first_char, first_char);
	else
		TokensAdd(tokens, buf.data, buf.len, tokens->next_pos - 1, true,
				  first_char + len - 1, first_char + len - 1);
	pfree(buf.data);
}

/*
 * Normalise text into tokens.  Positions continue from tokens->next_pos,
 * so a query's terms can be tokenised one after the other.
 */
static void
CaptionTokenize(const char *text, int len, CaptionTokens *tokens)
{
	locale_t	loc = CaptionLocale();
	pg_wchar   *chars = palloc(sizeof(pg_wchar) * (len + 1));
	int			nchars;
	/* folded code points of the current word, and whether each was upper case */
	pg_wchar   *word = palloc(sizeof(pg_wchar) * (4 * len + 4));
	bool	   *upper = palloc(sizeof(bool) * (4 * len + 4));
	bool	   *cont = palloc(sizeof(bool) * (4 * len + 4));
	int		   *src = palloc(sizeof(int) * (4 * len + 4));
	int			run_start = 0;
	int			wlen = 0;
	pg_wchar   *run = palloc(sizeof(pg_wchar) * (len + 1));
	int			rlen = 0;
	int			i;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("caption search needs a UTF8 database")));
	nchars = pg_mb2wchar_with_len(text, chars, len);

	for (i = 0; i <= nchars; i++)
	{
		pg_wchar	c = i < nchars ? chars[i] : 0;
		bool		cjk = (c != 0 && IsCjk(c));
		bool		word_char = (c != 0 && !cjk && iswalnum_l((wint_t) c, loc));

		/* a possessive 's ends the word and is dropped */
		if (wlen > 0 && (c == '\'' || c == 0x2019) && i + 1 < nchars &&
			(chars[i + 1] == 's' || chars[i + 1] == 'S') &&
			(i + 2 >= nchars || !iswalnum_l((wint_t) chars[i + 2], loc)))
		{
			EmitWord(tokens, word, upper, cont, src, wlen);
			wlen = 0;
			i++;				/* skip the s */
			continue;
		}

		if (!cjk && rlen > 0)
		{
			EmitCjkRun(tokens, run, run_start, rlen);
			rlen = 0;
		}
		if (!word_char && wlen > 0)
		{
			EmitWord(tokens, word, upper, cont, src, wlen);
			wlen = 0;
		}
		if (cjk)
		{
			if (rlen == 0)
				run_start = i;
			run[rlen++] = c;
		}
		else if (word_char)
		{
			bool		was_upper = iswupper_l((wint_t) c, loc);
			const char *folded = FoldedLetter(c);

			if (c < 0x80)
			{
				word[wlen] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
				cont[wlen] = false;
				src[wlen] = i;
				upper[wlen++] = was_upper;
			}
			else if (folded != NULL)
			{
				/* every letter of the spelling keeps the case (ÆON is one word) */
				for (bool first = true; *folded; folded++, first = false)
				{
					word[wlen] = (pg_wchar) *folded;
					cont[wlen] = !first;
					src[wlen] = i;
					upper[wlen++] = was_upper;
				}
			}
			else
			{
				/* compatibility decomposition, marks dropped, lower case */
				pg_wchar	one[2] = {c, 0};
				pg_wchar   *decomposed = unicode_normalize(UNICODE_NFKD, one);
				pg_wchar   *d;
				bool		first = true;

				for (d = decomposed; d != NULL && *d != 0; d++)
				{
					if (IsCombiningMark(*d) || !iswalnum_l((wint_t) *d, loc))
						continue;
					word[wlen] = (pg_wchar) towlower_l((wint_t) *d, loc);
					cont[wlen] = !first;
					src[wlen] = i;
					first = false;
					upper[wlen++] = was_upper;
				}
				if (decomposed != NULL)
					pfree(decomposed);
			}
		}
	}
	pfree(chars);
	pfree(word);
	pfree(upper);
	pfree(cont);
	pfree(src);
	pfree(run);
}

/* Append a lexeme quoted for the tsvector and tsquery text forms */
static void
AppendQuotedLexeme(StringInfo buf, const char *lexeme)
{
	const char *p;

	appendStringInfoChar(buf, '\'');
	for (p = lexeme; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/* caption_tsvector(text): the caption's lexemes with positions */
PG_FUNCTION_INFO_V1(caption_tsvector);
Datum
caption_tsvector(PG_FUNCTION_ARGS)
{
	text	   *caption = PG_GETARG_TEXT_PP(0);
	CaptionTokens tokens = {NULL, 0, 0, 1};
	StringInfoData buf;
	int			i;

	CaptionTokenize(VARDATA_ANY(caption), VARSIZE_ANY_EXHDR(caption), &tokens);
	initStringInfo(&buf);
	for (i = 0; i < tokens.count; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ' ');
		AppendQuotedLexeme(&buf, tokens.items[i].lexeme);
		appendStringInfo(&buf, ":%d", tokens.items[i].pos);
	}
	PG_RETURN_DATUM(DirectFunctionCall1(tsvectorin, CStringGetDatum(buf.data)));
}

/*
 * Append the tokens (not the joined forms of camelCase words) as one
 * tsquery phrase; return how many there were.
 */
static int
AppendPhrase(StringInfo buf, const CaptionTokens *tokens)
{
	int			n = 0;
	int			i;

	for (i = 0; i < tokens->count; i++)
	{
		if (tokens->items[i].joined)
			continue;
		if (n++ > 0)
			appendStringInfoString(buf, " <-> ");
		AppendQuotedLexeme(buf, tokens->items[i].lexeme);
	}
	return n;
}

/*
 * Append the tsquery of one term (a word as typed, or a quoted phrase):
 * its tokens as a phrase; a camelCase word also matches its joined form.
 * Returns false when the term has no word.
 */
static bool
AppendTermQuery(StringInfo buf, const char *text, int len)
{
	CaptionTokens tokens = {NULL, 0, 0, 1};
	StringInfoData phrase;
	int			nplain = 0;
	int			i;

	CaptionTokenize(text, len, &tokens);
	initStringInfo(&phrase);
	nplain = AppendPhrase(&phrase, &tokens);
	if (nplain == 0)
		return false;

	appendStringInfoChar(buf, '(');
	appendStringInfoString(buf, phrase.data);
	/* one CJK character: every lexeme it begins (see EmitCjkRun) */
	if (nplain == 1)
	{
		const char *lexeme = tokens.items[0].lexeme;
		pg_wchar	c = utf8_to_unicode((const unsigned char *) lexeme);

		if (IsCjk(c) && (int) strlen(lexeme) == pg_utf_mblen((const unsigned char *) lexeme))
			appendStringInfoString(buf, ":*");
	}
	/* a single camelCase word typed: its joined form matches too */
	for (i = 0; i < tokens.count; i++)
	{
		if (tokens.items[i].joined && tokens.count == nplain + 1 &&
			!IsCjk(utf8_to_unicode((const unsigned char *) tokens.items[i].lexeme)))
		{
			appendStringInfoString(buf, " | ");
			AppendQuotedLexeme(buf, tokens.items[i].lexeme);
		}
	}
	appendStringInfoChar(buf, ')');
	pfree(phrase.data);
	return true;
}

/*
 * caption_tsquery(text): a web-search style query: words ANDed, "phrase",
 * or, -word.  Never a syntax error; no word at all matches nothing.
 */
PG_FUNCTION_INFO_V1(caption_tsquery);
Datum
caption_tsquery(PG_FUNCTION_ARGS)
{
	text	   *query = PG_GETARG_TEXT_PP(0);
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
		if (!AppendTermQuery(&term, start, end - start))
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

	/* no word: a lexeme no caption has (caption lexemes hold no space) */
	if (buf.len == 0)
		appendStringInfoString(&buf, "' '");
	PG_RETURN_DATUM(DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data)));
}

/*
 * caption_phrase_tsquery(text): every word of the query, in order, as one
 * phrase (operators and quotes are read as plain text); caption_rank uses
 * it to favour captions holding the typed words in order, adjacent.
 */
PG_FUNCTION_INFO_V1(caption_phrase_tsquery);
Datum
caption_phrase_tsquery(PG_FUNCTION_ARGS)
{
	text	   *query = PG_GETARG_TEXT_PP(0);
	CaptionTokens tokens = {NULL, 0, 0, 1};
	StringInfoData buf;

	CaptionTokenize(VARDATA_ANY(query), VARSIZE_ANY_EXHDR(query), &tokens);
	initStringInfo(&buf);
	if (AppendPhrase(&buf, &tokens) == 0)
		appendStringInfoString(&buf, "' '");
	PG_RETURN_DATUM(DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data)));
}

/*
 * Whether a caption lexeme is one of the query's: 0 no, 1 exactly, 2 as
 * the extension of a prefix operand (a lone CJK character).
 */
static int
LexemeInQuery(TSQuery query, const char *lexeme)
{
	QueryItem  *item = GETQUERY(query);
	char	   *operands = GETOPERAND(query);
	int			len = strlen(lexeme);
	int			i;

	for (i = 0; i < query->size; i++, item++)
	{
		QueryOperand *operand = &item->qoperand;

		if (item->type != QI_VAL)
			continue;
		if (operand->length == len &&
			memcmp(operands + operand->distance, lexeme, len) == 0)
			return 1;
		if (operand->prefix && operand->length < len &&
			memcmp(operands + operand->distance, lexeme, operand->length) == 0)
			return 2;
	}
	return 0;
}

/*
 * caption_highlight(caption, query, start_sel, stop_sel): the caption with
 * every word (or CJK character) that the query names wrapped in the two
 * markers.
 */
PG_FUNCTION_INFO_V1(caption_highlight);
Datum
caption_highlight(PG_FUNCTION_ARGS)
{
	text	   *caption = PG_GETARG_TEXT_PP(0);
	TSQuery		query = DatumGetTSQuery(DirectFunctionCall1(caption_tsquery,
															PG_GETARG_DATUM(1)));
	char	   *start_sel = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *stop_sel = text_to_cstring(PG_GETARG_TEXT_PP(3));
	const char *bytes = VARDATA_ANY(caption);
	int			nbytes = VARSIZE_ANY_EXHDR(caption);
	CaptionTokens tokens = {NULL, 0, 0, 1};
	int		   *offsets;		/* byte offset of each character, and the end */
	bool	   *marked;
	int			nchars = 0;
	int			i;
	StringInfoData buf;

	CaptionTokenize(bytes, nbytes, &tokens);

	offsets = palloc(sizeof(int) * (nbytes + 1));
	for (i = 0; i < nbytes; i += pg_mblen(bytes + i))
		offsets[nchars++] = i;
	offsets[nchars] = nbytes;
	marked = palloc0(sizeof(bool) * (nchars + 1));

	for (i = 0; i < tokens.count; i++)
	{
		int			match = LexemeInQuery(query, tokens.items[i].lexeme);
		int			last = tokens.items[i].last_char;
		int			c;

		if (match == 0)
			continue;
		if (match == 2)
			last = tokens.items[i].first_char;	/* the character asked for */
		for (c = tokens.items[i].first_char; c <= last && c < nchars; c++)
			marked[c] = true;
	}

	initStringInfo(&buf);
	for (i = 0; i < nchars; i++)
	{
		if (marked[i] && (i == 0 || !marked[i - 1]))
			appendStringInfoString(&buf, start_sel);
		appendBinaryStringInfo(&buf, bytes + offsets[i], offsets[i + 1] - offsets[i]);
		if (marked[i] && !marked[i + 1])
			appendStringInfoString(&buf, stop_sel);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* The query's two tsqueries, cached per call site while the text is the same */
typedef struct CaptionRankCache
{
	text	   *query;			/* the query text they were made from */
	Datum		tsquery;		/* caption_tsquery(query) */
	Datum		phrase;			/* caption_phrase_tsquery(query) */
} CaptionRankCache;

/*
 * caption_rank(caption, query): the typed words adjacent and in order
 * first (a bonus of 1 when caption_phrase_tsquery matches), then by
 * closeness (ts_rank_cd), divided by 1 + ln(1 + the caption's distinct
 * words) so that shorter captions come first.  The caption is parsed once;
 * the query once per statement (cached in fn_extra).
 */
PG_FUNCTION_INFO_V1(caption_rank);
Datum
caption_rank(PG_FUNCTION_ARGS)
{
	text	   *query = PG_GETARG_TEXT_PP(1);
	CaptionRankCache *cache = fcinfo->flinfo->fn_extra;
	Datum		vector;
	double		rank;

	if (cache == NULL || VARSIZE_ANY_EXHDR(cache->query) != VARSIZE_ANY_EXHDR(query) ||
		memcmp(VARDATA_ANY(cache->query), VARDATA_ANY(query), VARSIZE_ANY_EXHDR(query)) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache = palloc(sizeof(CaptionRankCache));
		cache->query = (text *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(1));
		cache->tsquery = DirectFunctionCall1(caption_tsquery, PointerGetDatum(cache->query));
		cache->phrase = DirectFunctionCall1(caption_phrase_tsquery, PointerGetDatum(cache->query));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}

	vector = DirectFunctionCall1(caption_tsvector, PG_GETARG_DATUM(0));
	rank = DatumGetFloat4(DirectFunctionCall2(ts_rankcd_tt, vector, cache->tsquery));
	if (DatumGetBool(DirectFunctionCall2(ts_match_vq, vector, cache->phrase)))
		rank += 1.0;
	rank /= 1.0 + log(1.0 + ((TSVector) DatumGetPointer(vector))->size);
	PG_RETURN_FLOAT4((float4) rank);
}
