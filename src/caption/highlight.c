/*-------------------------------------------------------------------------
 *
 * highlight.c
 *	  caption_highlight(): a caption with the words a query matches marked.
 *
 * See caption_int.h for the normalisation both sides share.
 *
 * src/caption/highlight.c
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

	CaptionTokensInit(&tokens);
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
