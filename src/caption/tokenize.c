/*-------------------------------------------------------------------------
 *
 * tokenize.c
 *	  Caption search's tokenizer: a caption or query text into normalised
 *	  words with positions (case and accents folded, camelCase split and
 *	  joined, possessives dropped, CJK bigrams), and the pairs of adjacent
 *	  words that phrases are looked up by.
 *
 * See caption_int.h for the normalisation both sides share.
 *
 * src/caption/tokenize.c
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

void
CaptionTokensInit(CaptionTokens *tokens)
{
	tokens->items = NULL;
	tokens->count = 0;
	tokens->capacity = 0;
	tokens->next_pos = 1;
	tokens->keep = NULL;
	tokens->keep_arg = NULL;
	initStringInfo(&tokens->text);
}

void
CaptionTokensFree(CaptionTokens *tokens)
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
CaptionTokensPush(CaptionTokens *tokens, int off, int len, int pos, bool joined,
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
bool
CaptionTokensAdd(CaptionTokens *tokens, int off, int len, int pos, bool joined,
		         bool cjk, int first_char, int last_char)
{
	if (len == 0 || len > CAPTION_MAX_LEXEME ||
		(tokens->keep != NULL &&
		 !tokens->keep(tokens->keep_arg, tokens->text.data + off, len, cjk)))
		return false;
	CaptionTokensPush(tokens, off, len, pos, joined, cjk, first_char, last_char);
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
			CaptionTokensAdd(tokens, part_off, text->len - part_off, tokens->next_pos++,
					         false, false, src[part_start], src[i - 1]);
			nparts++;
			part_off = text->len;
			part_start = i;
		}
		AppendCodePoint(text, word[i]);
	}
	if (text->len > part_off)
	{
		CaptionTokensAdd(tokens, part_off, text->len - part_off, tokens->next_pos++,
				         false, false, src[part_start], src[len - 1]);
		nparts++;
	}
	if (nparts > 1)
		CaptionTokensAdd(tokens, word_off, text->len - word_off, first_pos, true,
				         false, src[0], src[len - 1]);
}

/*
 * Emit a run of CJK characters as overlapping bigrams, plus the run's last
 * character alone, so that every character begins some lexeme: a query of
 * one character is then a prefix search (see AppendTermQuery).  The extra
 * lexeme is marked "joined" so that queries never use it in phrases.
 */
static void
CaptionEmitCjkRun(CaptionTokens *tokens, const pg_wchar *run, int first_char,
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
		CaptionTokensAdd(tokens, off, text->len - off, tokens->next_pos++, false, true,
				         first_char + i, first_char + i + 1);
	}
	off = text->len;
	AppendCodePoint(text, run[len - 1]);
	if (len == 1)
		CaptionTokensAdd(tokens, off, text->len - off, tokens->next_pos++, false, true,
				         first_char, first_char);
	else
		CaptionTokensAdd(tokens, off, text->len - off, tokens->next_pos - 1, true, true,
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
	if (!CaptionTokensAdd(tokens, off, n, tokens->next_pos++, false, false,
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
void
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
					CaptionEmitCjkRun(tokens, run, run_start, rlen);
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
			CaptionEmitCjkRun(tokens, run, run_start, rlen);
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
void
CaptionAddWordPairs(CaptionTokens *tokens)
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
			CaptionTokensPush(tokens, tokens->text.len - len, len, pos, false, false,
					          a.first_char, b.last_char);
		}
	}
	pfree(order);
}
