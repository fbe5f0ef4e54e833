/*-------------------------------------------------------------------------
 *
 * caption_int.h
 *	  What the files of caption search share.  Caption search: turn messy, multilingual image captions and typed
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
 * Since 0.3 a caption also gets a lexeme for every pair of adjacent words
 * ("a b"), and a query's phrases are written with them, so that a name of
 * two words is one GIN lookup with no recheck (see CaptionAddWordPairs).
 * Queries read like a web search engine's: words are ANDed, "double
 * quotes" make a phrase, "or" between terms, -word excludes; every term is
 * normalised as above, a term of several words (greg_rutkowski, a camelCase
 * word, a CJK run) becoming a phrase.  Nothing typed is a syntax error; a
 * query without words matches nothing.
 *
 * A caption's tsvector is built directly (CaptionMakeTsvector); a query is
 * written in the text form of tsquery and handed to its input function,
 * which takes lexemes literally.  Most words of most captions are plain
 * ASCII and are copied as they are; only the others are decoded and
 * folded character by character (CaptionTokenize).
 *
 * The files: tokenize.c (a text into normalised words, and word pairs),
 * tsvector.c (caption_tsvector), query.c (the query syntax, into tsquery),
 * highlight.c (caption_highlight) and rank.c (caption_rank).
 *
 * src/caption/caption_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_CAPTION_INT_H
#define IMGSEARCH_CAPTION_INT_H

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "tsearch/ts_type.h"

/* Longest lexeme kept, in bytes (tsvector allows 2047) */
#define CAPTION_MAX_LEXEME 200

/* Highest position tsvector stores */
#define CAPTION_MAX_POS 16383

/*
 * Longest text tokenised, in bytes: reading takes about 20 bytes of memory
 * per byte, and a caption much over 1 MB overflows a tsvector anyway
 */
#define CAPTION_MAX_TEXT (4 * 1024 * 1024)

/*
 * One normalised word: its lexeme (len bytes at tokens->text.data + off)
 * and its position
 */
typedef struct CaptionToken
{
	uint64		key;			/* the first 8 bytes, big-endian, 0-padded;
								 * set by CaptionMakeTsvector */
	int			off;
	int			len;
	int			pos;
	bool		joined;			/* the joined form of a camelCase word */
	bool		cjk;			/* from a run of CJK characters */
	int			first_char;		/* the source characters it comes from */
	int			last_char;
} CaptionToken;

typedef struct CaptionTokens
{
	CaptionToken *items;
	int			count;
	int			capacity;
	int			next_pos;		/* position of the next word */
	StringInfoData text;		/* the bytes of every lexeme */

	/*
	 * When set, only the lexemes keep accepts become tokens; positions
	 * advance the same (caption_rank keeps only the words typed)
	 */
	bool		(*keep) (const void *arg, const char *lexeme, int len, bool cjk);
	const void *keep_arg;
} CaptionTokens;

#define TOKEN_LEXEME(tokens, i) ((tokens)->text.data + (tokens)->items[i].off)

/* tokenize.c */
extern void CaptionTokensInit(CaptionTokens *tokens);
extern void CaptionTokensFree(CaptionTokens *tokens);
extern bool CaptionTokensAdd(CaptionTokens *tokens, int off, int len, int pos,
							 bool joined, bool cjk, int first_char, int last_char);
extern void CaptionTokenize(const char *text, int len, CaptionTokens *tokens);
extern void CaptionAddWordPairs(CaptionTokens *tokens);

/* Whether two texts hold the same bytes (a query cached between calls) */
static inline bool
CaptionSameText(const text *a, const text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* tsvector.c: a caption's tsvector, with word pairs or not */
extern Datum CaptionVector(text *caption, bool pairs);

/* caption_rank reads at most this many words of a query */
#define CAPTION_RANK_MAX_WORDS 64

/*
 * What caption_rank needs of a query, cached per call site while the query
 * text is the same: its distinct words, and the words as typed (as
 * caption_phrase_tsquery reads them), each as an index into the distinct
 * words with its position relative to the first.
 */
typedef struct CaptionRankQuery
{
	MemoryContext context;		/* holds all of it */
	text	   *query;			/* the query text it was made from */
	CaptionTokens words;		/* the distinct words */
	uint64		lengths;		/* bit len % 64 set for each word's length */
	int			sequence[CAPTION_RANK_MAX_WORDS];
	int			offset[CAPTION_RANK_MAX_WORDS];
	int			nsequence;
} CaptionRankQuery;

/* One occurrence of a typed word in a caption */
typedef struct RankHit
{
	int			pos;
	int			word;
} RankHit;

/* rank.c: caption_rank's query and score, which the caption index shares */
extern CaptionRankQuery *CaptionRankQueryMake(text *query, MemoryContext parent);
extern double CaptionRankScore(const CaptionRankQuery *rq, const RankHit *hits,
							   int nhits, int nwords);

/* query.c: a query's text as a tsquery, with word pairs for phrases or not */
extern Datum CaptionQuery(text *query, bool pairs);

#endif							/* IMGSEARCH_CAPTION_INT_H */
