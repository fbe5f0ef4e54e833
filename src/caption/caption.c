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
 * Since 0.3 a caption also gets a lexeme for every pair of adjacent words
 * ("a b"), and a query's phrases are written with them, so that a name of
 * two words is one GIN lookup with no recheck (see AddWordPairs).
 * Queries read like a web search engine's: words are ANDed, "double
 * quotes" make a phrase, "or" between terms, -word excludes; every term is
 * normalised as above, a term of several words (greg_rutkowski, a camelCase
 * word, a CJK run) becoming a phrase.  Nothing typed is a syntax error; a
 * query without words matches nothing.
 *
 * A caption's tsvector is built directly (MakeTsvector); a query is
 * written in the text form of tsquery and handed to its input function,
 * which takes lexemes literally.  Most words of most captions are plain
 * ASCII and are copied as they are; only the others are decoded and
 * folded character by character (CaptionTokenize).
 *
 * src/caption/caption.c
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
								 * set by MakeTsvector */
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

static void
TokensInit(CaptionTokens *tokens)
{
	tokens->items = NULL;
	tokens->count = 0;
	tokens->capacity = 0;
	tokens->next_pos = 1;
	tokens->keep = NULL;
	tokens->keep_arg = NULL;
	initStringInfo(&tokens->text);
}

static void
TokensFree(CaptionTokens *tokens)
{
	if (tokens->items != NULL)
		pfree(tokens->items);
	pfree(tokens->text.data);
}

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

/*
 * Character classes.  ASCII, nearly all of most captions, is answered
 * without the locale, by table (branches on random text mispredict); the
 * answers are the C.UTF-8 locale's.
 */
#define ASCII_ALNUM 1
#define ASCII_UPPER 2
static const uint8 ascii_class[128] = {
	/* 1: letter or digit, 3: upper-case letter */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

static inline bool
IsAlnum(pg_wchar c)
{
	if (c < 0x80)
		return (ascii_class[c] & ASCII_ALNUM) != 0;
	return iswalnum_l((wint_t) c, CaptionLocale());
}

static inline bool
IsUpper(pg_wchar c)
{
	if (c < 0x80)
		return (ascii_class[c] & ASCII_UPPER) != 0;
	return iswupper_l((wint_t) c, CaptionLocale());
}

static inline bool
IsLower(pg_wchar c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z';
	return iswlower_l((wint_t) c, CaptionLocale());
}

static inline bool
IsAlpha(pg_wchar c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return iswalpha_l((wint_t) c, CaptionLocale());
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

/* Add a token whose lexeme is the len bytes at tokens->text.data + off */
static void
TokensPush(CaptionTokens *tokens, int off, int len, int pos, bool joined,
		   bool cjk, int first_char, int last_char)
{
	CaptionToken *token;

	if (tokens->count == tokens->capacity)
	{
		tokens->capacity = tokens->capacity ? tokens->capacity * 2 : 32;
		tokens->items = tokens->items ?
			repalloc(tokens->items, sizeof(CaptionToken) * tokens->capacity) :
			palloc(sizeof(CaptionToken) * tokens->capacity);
	}
	token = &tokens->items[tokens->count++];
	token->off = off;
	token->len = len;
	token->pos = Min(pos, CAPTION_MAX_POS);
	token->joined = joined;
	token->cjk = cjk;
	token->first_char = first_char;
	token->last_char = last_char;
}

/*
 * Add a word, unless it is empty, too long to index or not kept; whether
 * it was added
 */
static bool
TokensAdd(CaptionTokens *tokens, int off, int len, int pos, bool joined,
		  bool cjk, int first_char, int last_char)
{
	if (len == 0 || len > CAPTION_MAX_LEXEME ||
		(tokens->keep != NULL &&
		 !tokens->keep(tokens->keep_arg, tokens->text.data + off, len, cjk)))
		return false;
	TokensPush(tokens, off, len, pos, joined, cjk, first_char, last_char);
	return true;
}

/* Append a code point as UTF-8 */
static inline void
AppendCodePoint(StringInfo buf, pg_wchar c)
{
	if (c < 0x80)
		appendStringInfoCharMacro(buf, (char) c);
	else
	{
		unsigned char utf8[8];

		unicode_to_utf8(c, utf8);
		appendBinaryStringInfo(buf, (char *) utf8, pg_utf_mblen(utf8));
	}
}

/*
 * The word being read: its folded code points, whether the source
 * character of each was upper case, whether each is the second or later
 * letter that one character folded into (Æ -> ae), and the index of that
 * source character.  One character can fold into up to 18 code points
 * (U+FDFA under NFKD), so the arrays grow as needed.
 */
typedef struct CaptionWord
{
	pg_wchar   *chars;
	bool	   *upper;
	bool	   *cont;
	int		   *src;
	int			len;
	int			capacity;
} CaptionWord;

static void
WordInit(CaptionWord *w, int capacity)
{
	w->capacity = Max(capacity, 16);
	w->chars = palloc(sizeof(pg_wchar) * w->capacity);
	w->upper = palloc(sizeof(bool) * w->capacity);
	w->cont = palloc(sizeof(bool) * w->capacity);
	w->src = palloc(sizeof(int) * w->capacity);
	w->len = 0;
}

static inline void
WordAppend(CaptionWord *w, pg_wchar c, bool upper, bool cont, int src)
{
	if (w->len == w->capacity)
	{
		w->capacity *= 2;
		w->chars = repalloc(w->chars, sizeof(pg_wchar) * w->capacity);
		w->upper = repalloc(w->upper, sizeof(bool) * w->capacity);
		w->cont = repalloc(w->cont, sizeof(bool) * w->capacity);
		w->src = repalloc(w->src, sizeof(int) * w->capacity);
	}
	w->chars[w->len] = c;
	w->upper[w->len] = upper;
	w->cont[w->len] = cont;
	w->src[w->len] = src;
	w->len++;
}

/*
 * Emit a word: split it at camelCase boundaries and add the parts (and the
 * joined form when there are several).  The parts are appended to
 * tokens->text one after the other, so the joined form is their bytes
 * together.
 */
static void
EmitWord(CaptionTokens *tokens, const CaptionWord *w)
{
	const pg_wchar *word = w->chars;
	const bool *upper = w->upper;
	const bool *cont = w->cont;
	const int  *src = w->src;
	int			len = w->len;
	StringInfo	text = &tokens->text;
	int			first_pos = tokens->next_pos;
	int			word_off = text->len;
	int			part_off = text->len;
	int			part_start = 0;
	int			nparts = 0;
	int			i;

	for (i = 0; i < len; i++)
	{
		/* aB, or the B of ABc */
		if (i > 0 && !cont[i] &&
			((upper[i] && !upper[i - 1] && IsLower(word[i - 1])) ||
			 (upper[i] && upper[i - 1] && i + 1 < len && !upper[i + 1] &&
			  !cont[i + 1] && IsAlpha(word[i + 1]) && IsLower(word[i + 1]))))
		{
			TokensAdd(tokens, part_off, text->len - part_off, tokens->next_pos++,
					  false, false, src[part_start], src[i - 1]);
			nparts++;
			part_off = text->len;
			part_start = i;
		}
		AppendCodePoint(text, word[i]);
	}
	if (text->len > part_off)
	{
		TokensAdd(tokens, part_off, text->len - part_off, tokens->next_pos++,
				  false, false, src[part_start], src[len - 1]);
		nparts++;
	}
	if (nparts > 1)
		TokensAdd(tokens, word_off, text->len - word_off, first_pos, true,
				  false, src[0], src[len - 1]);
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
	StringInfo	text = &tokens->text;
	int			off;
	int			i;

	for (i = 0; i + 1 < len; i++)
	{
		off = text->len;
		AppendCodePoint(text, run[i]);
		AppendCodePoint(text, run[i + 1]);
		TokensAdd(tokens, off, text->len - off, tokens->next_pos++, false, true,
				  first_char + i, first_char + i + 1);
	}
	off = text->len;
	AppendCodePoint(text, run[len - 1]);
	if (len == 1)
		TokensAdd(tokens, off, text->len - off, tokens->next_pos++, false, true,
				  first_char, first_char);
	else
		TokensAdd(tokens, off, text->len - off, tokens->next_pos - 1, true, true,
				  first_char + len - 1, first_char + len - 1);
}

/*
 * Emit a plain ASCII word, the n bytes at src: letters and digits, a
 * capital only first, so one part, its bytes as they are but that one
 */
static void
EmitPlainWord(CaptionTokens *tokens, const char *src, int n, int first_char)
{
	StringInfo	text = &tokens->text;
	int			off = text->len;

	enlargeStringInfo(text, n);
	memcpy(text->data + off, src, n);
	if (ascii_class[(unsigned char) src[0]] & ASCII_UPPER)
		text->data[off] += 'a' - 'A';
	text->len += n;
	text->data[text->len] = '\0';
	if (!TokensAdd(tokens, off, n, tokens->next_pos++, false, false,
				   first_char, first_char + n - 1))
	{
		text->len = off;		/* no token holds these bytes */
		text->data[off] = '\0';
	}
}

/*
 * The code point at s, of which avail bytes remain, and its length in
 * clen; a sequence cut short by the end reads as the end (clen 0), as
 * pg_mb2wchar_with_len does, and any other byte that begins no sequence
 * as itself
 */
static inline pg_wchar
NextChar(const unsigned char *s, int avail, int *clen)
{
	int			n;

	if (*s < 0x80)
	{
		*clen = 1;
		return *s;
	}
	n = pg_utf_mblen(s);
	if (n > avail)
	{
		*clen = 0;
		return 0;
	}
	*clen = n;
	return n == 1 ? *s : utf8_to_unicode(s);
}

/*
 * The length in bytes of a possessive 's (or ’s) at byte b of a text of
 * len bytes that ends a word, or 0: the s must end the word too
 */
static int
PossessiveLength(const unsigned char *s, int len, int b)
{
	int			q;
	int			clen;
	pg_wchar	after;

	if (b < len && s[b] == '\'')
		q = 1;
	else if (b + 2 < len && s[b] == 0xE2 && s[b + 1] == 0x80 && s[b + 2] == 0x99)
		q = 3;					/* U+2019 */
	else
		return 0;
	if (b + q >= len || (s[b + q] != 's' && s[b + q] != 'S'))
		return 0;
	if (b + q + 1 < len)
	{
		after = NextChar(s + b + q + 1, len - (b + q + 1), &clen);
		if (clen > 0 && IsAlnum(after))
			return 0;
	}
	return q + 1;
}

/*
 * Normalise text into tokens.  Positions continue from tokens->next_pos,
 * so a query's terms can be tokenised one after the other.  Characters
 * are counted from 0 for first_char and last_char.
 *
 * Most words of most captions are plain ASCII (letters and digits, at
 * most a capital first) ended by ASCII punctuation or space: they are
 * copied as they are.  Any other word is read character by character.
 */
static void
CaptionTokenize(const char *text, int len, CaptionTokens *tokens)
{
	const unsigned char *s = (const unsigned char *) text;
	CaptionWord word;
	pg_wchar   *run = NULL;		/* the CJK run being read */
	int			rlen = 0;
	int			run_start = 0;
	int			b = 0;			/* the byte offset of the next character */
	int			i = 0;			/* and its index */

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("caption search needs a UTF8 database")));
	if (len > CAPTION_MAX_TEXT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("text too long for caption search: %d bytes", len),
				 errdetail("Captions and queries of up to %d bytes are read.",
						   CAPTION_MAX_TEXT)));
	WordInit(&word, 32);

	for (;;)
	{
		pg_wchar	c = 0;
		int			clen = 0;
		int			skip;
		bool		cjk;
		bool		word_char;

		if (word.len == 0 && b < len && s[b] < 0x80 && (ascii_class[s[b]] & ASCII_ALNUM))
		{
			int			e = b + 1;

			while (e < len && s[e] < 0x80 && ascii_class[s[e]] == ASCII_ALNUM)
				e++;
			if (e == len || (s[e] < 0x80 && !(ascii_class[s[e]] & ASCII_ALNUM)))
			{
				if (rlen > 0)
				{
					EmitCjkRun(tokens, run, run_start, rlen);
					rlen = 0;
				}
				EmitPlainWord(tokens, text + b, e - b, i);
				i += e - b;
				b = e;
				/* (a plain word never ends at ’, which is not ASCII) */
				if (b < len && s[b] == '\'' &&
					(skip = PossessiveLength(s, len, b)) > 0)
				{
					b += skip;
					i += 2;
				}
				continue;
			}
		}

		if (b < len)
			c = NextChar(s + b, len - b, &clen);
		cjk = (c >= 0x1100 && IsCjk(c));
		word_char = (c != 0 && !cjk && IsAlnum(c));

		/* a possessive 's ends the word and is dropped */
		if (word.len > 0 && clen > 0 && (skip = PossessiveLength(s, len, b)) > 0)
		{
			EmitWord(tokens, &word);
			word.len = 0;
			b += skip;
			i += 2;
			continue;
		}

		if (!cjk && rlen > 0)
		{
			EmitCjkRun(tokens, run, run_start, rlen);
			rlen = 0;
		}
		if (!word_char && word.len > 0)
		{
			EmitWord(tokens, &word);
			word.len = 0;
		}
		if (clen == 0)
			break;				/* the end */
		if (cjk)
		{
			if (run == NULL)
				run = palloc(sizeof(pg_wchar) * (len + 1));
			if (rlen == 0)
				run_start = i;
			run[rlen++] = c;
		}
		else if (word_char)
		{
			bool		was_upper = IsUpper(c);
			const char *folded;

			if (c < 0x80)
				WordAppend(&word, was_upper ? c + ('a' - 'A') : c, was_upper, false, i);
			else if ((folded = FoldedLetter(c)) != NULL)
			{
				/* every letter of the spelling keeps the case (ÆON is one word) */
				for (bool first = true; *folded; folded++, first = false)
					WordAppend(&word, (pg_wchar) *folded, was_upper, !first, i);
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
					if (IsCombiningMark(*d) || !IsAlnum(*d))
						continue;
					WordAppend(&word, (pg_wchar) towlower_l((wint_t) *d, CaptionLocale()),
							   was_upper, !first, i);
					first = false;
				}
				if (decomposed != NULL)
					pfree(decomposed);
			}
		}
		b += clen;
		i++;
	}
	pfree(word.chars);
	pfree(word.upper);
	pfree(word.cont);
	pfree(word.src);
	if (run != NULL)
		pfree(run);
}

/*
 * Word pairs.  With pairs, a caption also gets the lexeme "a b" (the two
 * words and a space, which no word holds) at position p for every lexeme a
 * at p and b at p + 1, unless either comes from a CJK run.  So the phrase
 * 'a' <-> 'b' and the single lexeme 'a b' match exactly the same captions,
 * and a quoted name of two words is one GIN lookup with no recheck.  (The
 * pair can match more, never less: a tsvector keeps 256 positions of a
 * lexeme, and a word repeated more often loses later positions that its
 * pairs keep.)  Words past the last position all share it, and pair only
 * with the few words of the position before.
 */
static void
AddWordPairs(CaptionTokens *tokens)
{
	int			n = tokens->count;
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int			i;
	int			next;

	/* the tokens by position; they come nearly in order */
	for (i = 0; i < n; i++)
	{
		int			j = i;

		while (j > 0 && tokens->items[order[j - 1]].pos > tokens->items[i].pos)
		{
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}

	/* every token of position p with every token of position p + 1 */
	next = 0;
	for (i = 0; i < n; i++)
	{
		int			pos = tokens->items[order[i]].pos;
		int			j;

		if (tokens->items[order[i]].cjk)
			continue;
		while (next < n && tokens->items[order[next]].pos <= pos)
			next++;
		for (j = next; j < n && tokens->items[order[j]].pos == pos + 1; j++)
		{
			CaptionToken a = tokens->items[order[i]];
			CaptionToken b = tokens->items[order[j]];
			int			len = a.len + 1 + b.len;	/* at most 401 bytes */
			char	   *pair;

			if (b.cjk)
				continue;
			/* make room first: the words are copied from the same buffer */
			enlargeStringInfo(&tokens->text, len);
			pair = tokens->text.data + tokens->text.len;
			memcpy(pair, tokens->text.data + a.off, a.len);
			pair[a.len] = ' ';
			memcpy(pair + a.len + 1, tokens->text.data + b.off, b.len);
			tokens->text.len += len;
			tokens->text.data[tokens->text.len] = '\0';
			TokensPush(tokens, tokens->text.len - len, len, pos, false, false,
					   a.first_char, b.last_char);
		}
	}
	pfree(order);
}

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
MakeTsvector(CaptionTokens *tokens, CaptionToken *items, int n)
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
static Datum
CaptionVector(text *caption, bool pairs)
{
	CaptionTokens tokens;

	TokensInit(&tokens);
	CaptionTokenize(VARDATA_ANY(caption), VARSIZE_ANY_EXHDR(caption), &tokens);
	if (pairs)
		AddWordPairs(&tokens);
	return PointerGetDatum(MakeTsvector(&tokens, tokens.items, tokens.count));
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
 * words become their pair lexeme (see AddWordPairs): "a b c" is
 * 'a b' <-> 'b c', which means exactly 'a' <-> 'b' <-> 'c'.
 */
static int
AppendPhrase(StringInfo buf, const CaptionTokens *tokens, bool pairs)
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

	TokensInit(&tokens);
	CaptionTokenize(text, len, &tokens);
	initStringInfo(&phrase);
	nplain = AppendPhrase(&phrase, &tokens, pairs);
	if (nplain == 0)
	{
		pfree(phrase.data);
		TokensFree(&tokens);
		return false;
	}

	appendStringInfoChar(buf, '(');
	appendStringInfoString(buf, phrase.data);
	/* one CJK character: every lexeme it begins (see EmitCjkRun) */
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
	TokensFree(&tokens);
	return true;
}

/*
 * The tsquery of a web-search style query: words ANDed, "phrase", or,
 * -word.  Never a syntax error; no word at all matches nothing.  With
 * pairs, for a caption_tsvector with word pairs.
 */
static Datum
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

	TokensInit(&tokens);
	CaptionTokenize(VARDATA_ANY(query), VARSIZE_ANY_EXHDR(query), &tokens);
	initStringInfo(&buf);
	if (AppendPhrase(&buf, &tokens, false) == 0)
		appendStringInfoString(&buf, "' '");
	PG_RETURN_DATUM(DirectFunctionCall1(tsqueryin, CStringGetDatum(buf.data)));
}

/*
 * Whether a caption lexeme is one of the query's: 0 no, 1 exactly, 2 as
 * the extension of a prefix operand (a lone CJK character).
 */
static int
LexemeInQuery(TSQuery query, const char *lexeme, int len)
{
	QueryItem  *item = GETQUERY(query);
	char	   *operands = GETOPERAND(query);
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
	TSQuery		query = DatumGetTSQuery(CaptionQuery(PG_GETARG_TEXT_PP(1), false));
	char	   *start_sel = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *stop_sel = text_to_cstring(PG_GETARG_TEXT_PP(3));
	const char *bytes = VARDATA_ANY(caption);
	int			nbytes = VARSIZE_ANY_EXHDR(caption);
	CaptionTokens tokens;
	int		   *offsets;		/* byte offset of each character, and the end */
	bool	   *marked;
	int			nchars = 0;
	int			i;
	StringInfoData buf;

	TokensInit(&tokens);
	CaptionTokenize(bytes, nbytes, &tokens);

	offsets = palloc(sizeof(int) * (nbytes + 1));
	for (i = 0; i < nbytes; i += pg_mblen(bytes + i))
		offsets[nchars++] = i;
	offsets[nchars] = nbytes;
	marked = palloc0(sizeof(bool) * (nchars + 1));

	for (i = 0; i < tokens.count; i++)
	{
		int			match = LexemeInQuery(query, TOKEN_LEXEME(&tokens, i),
										  tokens.items[i].len);
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

static CaptionRankQuery *
MakeRankQuery(text *query, MemoryContext parent)
{
	MemoryContext context = AllocSetContextCreate(parent, "caption_rank query",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	CaptionRankQuery *rq = palloc(sizeof(CaptionRankQuery));
	CaptionTokens typed;
	int			i;

	rq->context = context;
	rq->query = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(query));
	TokensInit(&typed);
	CaptionTokenize(VARDATA_ANY(rq->query), VARSIZE_ANY_EXHDR(rq->query), &typed);
	TokensInit(&rq->words);
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
			TokensAdd(&rq->words, off, t->len, t->pos, false, t->cjk,
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

/* One occurrence of a typed word in a caption */
typedef struct RankHit
{
	int			pos;
	int			word;
} RankHit;

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
	int		   *inwindow;
	int			found = 0;
	int			span = 0;
	bool		phrase = false;
	int			nwords;
	int			i;

	if (rq == NULL || VARSIZE_ANY_EXHDR(rq->query) != VARSIZE_ANY_EXHDR(query) ||
		memcmp(VARDATA_ANY(rq->query), VARDATA_ANY(query), VARSIZE_ANY_EXHDR(query)) != 0)
	{
		if (rq != NULL)
			MemoryContextDelete(rq->context);
		fcinfo->flinfo->fn_extra = NULL;
		rq = MakeRankQuery(query, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = rq;
	}

	TokensInit(&tokens);
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
	if (found == 0)
		PG_RETURN_FLOAT4(0.0f);

	PG_RETURN_FLOAT4((float4) ((phrase ? 2 : found == rq->words.count ? 1 : 0) +
							   (double) found / rq->words.count * found / Max(span, found) /
							   (1.0 + log(1.0 + nwords))));
}
