/*-------------------------------------------------------------------------
 *
 * capsearch.c
 *	  Search a caption index: every row whose caption matches each of some
 *	  queries, exactly, handed to a callback (the bitmap scan, capscan.c,
 *	  and the count, capcount.c).
 *
 * A query (caption @@@ query) becomes the tsquery caption_tsquery writes
 * without word pairs.  In each segment, each operand of it (a word, or a
 * prefix: every word it begins) gets posting cursors, and the query's
 * tree gives the candidates: a word's documents; an AND or a phrase the
 * intersection of its children that give candidates (a leapfrog of
 * cursors that jumps whole blocks); an OR the union, when both children
 * give candidates; a NOT none.  When the top gives none (a query of only
 * -words), every document is a candidate.  Each candidate is then
 * decided by TS_execute, the evaluator caption_matches itself runs, fed
 * from the cursors: whether each operand's word is in the document and,
 * for phrases, its positions.  Dead documents are skipped.  The pending
 * list's entries (and a list being flushed, capflush.c) are matched as
 * caption_matches would: ts_match_vq on their stored tsvector.  Segments
 * and lists are those of the metapage as the scan copied it, so a
 * concurrent flush neither hides a row nor shows it twice.
 *
 * The index keeps, as a tsvector does, a word's first 256 positions, where
 * caption_matches finds a phrase through word pairs.  The two agree
 * whenever the phrase's words have fewer than 256 positions in the
 * caption; a candidate whose decision used a word with all 256 is handed
 * over with recheck set, for the caller to decide on the row itself
 * (CapSearchRecheck: caption_matches' own evaluation).
 *
 * The callback is told whether the TID came from a segment's document
 * table, whose page then stays pinned until the callback returns: VACUUM
 * marks documents dead under a cleanup lock, so meanwhile it cannot, and
 * the heap cannot drop the row's tuple (what the count's use of the
 * visibility map relies on, as an index-only scan on nbtree's pins).
 *
 * src/caption/index/capsearch.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "miscadmin.h"
#include "tsearch/ts_utils.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "../caption_int.h"

/* An operand of a query in one segment: its word's cursors */
typedef struct CapTerm
{
	int			ncursors;
	int			cap;
	CapCursor **cursors;
	WordEntryPos *pos;			/* positions given to TS_execute */
	int			pos_cap;
} CapTerm;

/* A node of the candidate tree */
typedef enum CapGenKind
{
	CAP_GEN_TERM,
	CAP_GEN_AND,
	CAP_GEN_OR
} CapGenKind;

typedef struct CapGen
{
	CapGenKind	kind;
	CapTerm    *term;
	struct CapGen *left;
	struct CapGen *right;
} CapGen;

/* One key's query and, during a segment's scan, its operands */
typedef struct CapKey
{
	TSQuery		query;
	Datum		text;			/* the query as typed */
	Datum		pairs_query;	/* caption_matches' own tsquery, once needed */
	bool		has_phrase;
	CapTerm    *terms;			/* by item number, for QI_VAL items */
	uint32		ord;			/* the candidate being decided */
	bool		uncertain;		/* a phrase met a word with all 256 positions */
} CapKey;

struct CapSearch
{
	MemoryContext cxt;			/* the queries */
	MemoryContext segcxt;		/* one segment's cursors */
	MemoryContext evalcxt;		/* TS_execute's work, reset as it goes */
	int			nkeys;
	CapKey	   *keys;
	bool		nothing;		/* a NULL or empty query: nothing matches */
};

/* A search, in the current memory context */
CapSearch *
CapSearchBegin(void)
{
	CapSearch  *s = palloc0(sizeof(CapSearch));

	s->cxt = AllocSetContextCreate(CurrentMemoryContext, "caption search",
								   ALLOCSET_SMALL_SIZES);
	s->segcxt = AllocSetContextCreate(CurrentMemoryContext, "caption search segment",
									  ALLOCSET_DEFAULT_SIZES);
	s->evalcxt = AllocSetContextCreate(CurrentMemoryContext, "caption search evaluation",
									   ALLOCSET_DEFAULT_SIZES);
	return s;
}

/* The queries a row must all match (text, as typed; a NULL matches nothing) */
void
CapSearchSetQueries(CapSearch *s, int nkeys, const Datum *texts, const bool *nulls)
{
	MemoryContext old;

	MemoryContextReset(s->cxt);
	old = MemoryContextSwitchTo(s->cxt);
	s->nkeys = nkeys;
	s->keys = palloc0(Max(nkeys, 1) * sizeof(CapKey));
	s->nothing = false;
	for (int k = 0; k < nkeys; k++)
	{
		if (nulls[k])
			s->nothing = true;
		else
		{
			TSQuery		q = DatumGetTSQuery(CaptionQuery(DatumGetTextPP(texts[k]), false));

			s->keys[k].query = q;
			s->keys[k].text = PointerGetDatum(PG_DETOAST_DATUM_COPY(texts[k]));
			if (q->size == 0)
				s->nothing = true;
			for (int i = 0; i < q->size; i++)
				if (GETQUERY(q)[i].type == QI_OPR && GETQUERY(q)[i].qoperator.oper == OP_PHRASE)
					s->keys[k].has_phrase = true;
		}
	}
	MemoryContextSwitchTo(old);
}

void
CapSearchEnd(CapSearch *s)
{
	MemoryContextDelete(s->cxt);
	MemoryContextDelete(s->segcxt);
	MemoryContextDelete(s->evalcxt);
	pfree(s);
}

/* Collect a cursor for every word an operand names */
typedef struct CapFindArg
{
	Relation	index;
	const CapSegment *seg;
	CapTerm    *term;
} CapFindArg;

static bool
CapAddCursor(void *arg, const char *word, int len, const CapDictInfo *info)
{
	CapFindArg *fa = arg;
	CapTerm    *t = fa->term;

	if (t->ncursors == t->cap)
	{
		t->cap = Max(4, 2 * t->cap);
		t->cursors = t->cursors ? repalloc(t->cursors, t->cap * sizeof(CapCursor *)) :
			palloc(t->cap * sizeof(CapCursor *));
	}
	t->cursors[t->ncursors++] = CapCursorOpen(fa->index, fa->seg, info);
	return true;
}

/* The candidate tree of a query item, or NULL when it gives none */
static CapGen *
CapBuildGen(CapKey *key, QueryItem *items, int i)
{
	QueryItem  *item = &items[i];
	CapGen	   *g;
	CapGen	   *l;
	CapGen	   *r;

	check_stack_depth();
	if (item->type == QI_VAL)
	{
		g = palloc0(sizeof(CapGen));
		g->kind = CAP_GEN_TERM;
		g->term = &key->terms[i];
		return g;
	}
	if (item->qoperator.oper == OP_NOT)
		return NULL;
	r = CapBuildGen(key, items, i + 1);
	l = CapBuildGen(key, items, i + item->qoperator.left);
	if (item->qoperator.oper == OP_OR)
	{
		if (l == NULL || r == NULL)
			return NULL;
	}
	else if (l == NULL || r == NULL)
		return l ? l : r;		/* AND, phrase: the child that gives some */
	g = palloc0(sizeof(CapGen));
	g->kind = item->qoperator.oper == OP_OR ? CAP_GEN_OR : CAP_GEN_AND;
	g->left = l;
	g->right = r;
	return g;
}

/* The first candidate at or after target, or CAP_END */
static uint32
CapGenNext(CapGen *g, uint32 target)
{
	switch (g->kind)
	{
		case CAP_GEN_TERM:
			{
				uint32		best = CAP_END;

				for (int c = 0; c < g->term->ncursors; c++)
					best = Min(best, CapCursorNext(g->term->cursors[c], target));
				return best;
			}
		case CAP_GEN_OR:
			return Min(CapGenNext(g->left, target), CapGenNext(g->right, target));
		case CAP_GEN_AND:
			for (;;)
			{
				uint32		a = CapGenNext(g->left, target);
				uint32		b;

				if (a == CAP_END)
					return CAP_END;
				b = CapGenNext(g->right, a);
				if (b == a)
					return a;
				if (b == CAP_END)
					return CAP_END;
				target = b;
			}
	}
	return CAP_END;
}

static int
CapComparePos(const void *a, const void *b)
{
	uint16		x = WEP_GETPOS(*(const WordEntryPos *) a);
	uint16		y = WEP_GETPOS(*(const WordEntryPos *) b);

	return (x > y) - (x < y);
}

/*
 * TS_execute's question: is the operand's word in the candidate, and at
 * which positions (sorted, distinct, as a tsvector holds them)
 */
static TSTernaryValue
CapCheckOperand(void *arg, QueryOperand *val, ExecPhraseData *data)
{
	CapKey	   *key = arg;
	CapTerm    *t = &key->terms[(QueryItem *) val - GETQUERY(key->query)];
	bool		found = false;
	int			npos = 0;
	uint16		positions[CAP_MAX_POS];

	for (int c = 0; c < t->ncursors; c++)
	{
		CapCursor  *cur = t->cursors[c];
		int			n;

		if (CapCursorNext(cur, key->ord) != key->ord)
			continue;
		found = true;
		if (data == NULL)
			break;
		n = CapCursorPositions(cur, positions);
		/* the index, as a tsvector, keeps a word's first 256 positions */
		if (n >= MAXNUMPOS)
			key->uncertain = true;
		if (npos + n > t->pos_cap)
		{
			t->pos_cap = Max(npos + n, 2 * t->pos_cap);
			/* with the terms, not in the evaluation's context */
			t->pos = t->pos ? repalloc(t->pos, t->pos_cap * sizeof(WordEntryPos)) :
				MemoryContextAlloc(GetMemoryChunkContext(key->terms),
								   t->pos_cap * sizeof(WordEntryPos));
		}
		for (int k = 0; k < n; k++)
		{
			t->pos[npos] = 0;
			WEP_SETPOS(t->pos[npos], positions[k]);
			npos++;
		}
	}
	if (!found)
		return TS_NO;
	if (data)
	{
		/* words a prefix begins: their positions merged */
		if (t->ncursors > 1 && npos > 1)
		{
			int			j = 1;

			qsort(t->pos, npos, sizeof(WordEntryPos), CapComparePos);
			for (int k = 1; k < npos; k++)
				if (WEP_GETPOS(t->pos[k]) != WEP_GETPOS(t->pos[j - 1]))
					t->pos[j++] = t->pos[k];
			npos = j;
		}
		data->npos = npos;
		data->pos = t->pos;
		data->allocated = false;
	}
	return TS_YES;
}

/* The rows of one segment that match every query */
static void
CapSearchSegment(Relation index, CapSearch *so, const CapSegment *seg,
				 CapMatchCallback callback, void *arg)
{
	MemoryContext old = MemoryContextSwitchTo(so->segcxt);
	CapGen	   *root = NULL;
	CapDocReader *docs;
	uint32		ord = 0;

	for (int k = 0; k < so->nkeys; k++)
	{
		CapKey	   *key = &so->keys[k];
		QueryItem  *items = GETQUERY(key->query);
		CapGen	   *g;

		key->terms = palloc0(key->query->size * sizeof(CapTerm));
		for (int i = 0; i < key->query->size; i++)
		{
			if (items[i].type == QI_VAL)
			{
				QueryOperand *op = &items[i].qoperand;
				CapFindArg	fa = {index, seg, &key->terms[i]};

				CapDictFind(index, seg, GETOPERAND(key->query) + op->distance,
							op->length, op->prefix, CapAddCursor, &fa);
			}
		}
		g = CapBuildGen(key, items, 0);
		if (g && root)
		{
			CapGen	   *and = palloc0(sizeof(CapGen));

			and->kind = CAP_GEN_AND;
			and->left = root;
			and->right = g;
			root = and;
		}
		else if (g)
			root = g;
	}

	docs = CapDocReaderOpen(index, seg);
	for (uint32 n = 1;; n++)
	{
		uint64		entry;
		bool		match = true;
		bool		recheck;

		if (n % 1024 == 0)
		{
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(so->evalcxt);
		}
		if (root)
			ord = CapGenNext(root, ord);
		if (ord == CAP_END || ord >= seg->ndocs)
			break;
		/* TS_execute's phrase work goes to evalcxt; positions stay in terms */
		MemoryContextSwitchTo(so->evalcxt);
		recheck = false;
		for (int k = 0; k < so->nkeys && (match || recheck); k++)
		{
			CapKey	   *key = &so->keys[k];
			bool		r;

			key->ord = ord;
			key->uncertain = false;
			r = TS_execute(GETQUERY(key->query), key, TS_EXEC_EMPTY, CapCheckOperand);
			if (key->uncertain)
				recheck = true;
			else if (!r)
				match = recheck = false;	/* certainly not */
		}
		MemoryContextSwitchTo(so->segcxt);
		if (match || recheck)
		{
			/* (the document page stays pinned until the next CapDocGet) */
			entry = CapDocGet(docs, ord);
			if (!PackedTidIsDead(CapDocTid(entry)))
			{
				CapMatch	m = {CapDocTid(entry), true, seg, ord, CapDocLen(entry),
				NULL, recheck};

				callback(arg, &m);
			}
		}
		ord++;
	}
	CapDocReaderClose(docs);
	MemoryContextSwitchTo(old);
	MemoryContextReset(so->segcxt);
	MemoryContextReset(so->evalcxt);
}

/*
 * Does a caption's tsvector hold all 256 positions of a word the query
 * names (so that a phrase through it may be missed)
 */
static bool
CapVectorTruncated(TSVector vector, TSQuery query)
{
	WordEntry  *we = ARRPTR(vector);

	for (int i = 0; i < query->size; i++)
	{
		QueryOperand *op = &GETQUERY(query)[i].qoperand;
		const char *w = GETOPERAND(query) + op->distance;

		if (GETQUERY(query)[i].type != QI_VAL)
			continue;
		for (int j = 0; j < vector->size; j++)
			if ((we[j].len == op->length || (op->prefix && we[j].len > op->length)) &&
				memcmp(STRPTR(vector) + we[j].pos, w, op->length) == 0 &&
				POSDATALEN(vector, &we[j]) >= MAXNUMPOS)
				return true;
	}
	return false;
}

/*
 * Whether a caption matches every query as caption_matches decides it:
 * for the matches found uncertain (recheck)
 */
bool
CapSearchRecheck(CapSearch *s, text *caption)
{
	bool		result = true;
	Datum		vector = CaptionVector(caption, true);

	for (int k = 0; k < s->nkeys && result; k++)
	{
		CapKey	   *key = &s->keys[k];

		if (key->pairs_query == (Datum) 0)
		{
			MemoryContext old = MemoryContextSwitchTo(s->cxt);

			key->pairs_query = CaptionQuery(DatumGetTextPP(key->text), true);
			MemoryContextSwitchTo(old);
		}
		result = DatumGetBool(DirectFunctionCall2(ts_match_vq, vector, key->pairs_query));
	}
	pfree(DatumGetPointer(vector));
	return result;
}

/* A pending entry that matches every query goes to the callback */
typedef struct CapPendingArg
{
	CapSearch  *so;
	CapMatchCallback callback;
	void	   *arg;
} CapPendingArg;

static bool
CapMatchPending(void *arg, uint64 tid, TSVector vector, BlockNumber blkno,
				uint32 header_off)
{
	CapPendingArg *pa = arg;
	MemoryContext old = MemoryContextSwitchTo(pa->so->evalcxt);
	bool		match = true;
	bool		recheck = false;

	for (int k = 0; k < pa->so->nkeys && (match || recheck); k++)
	{
		CapKey	   *key = &pa->so->keys[k];
		bool		uncertain = key->has_phrase && CapVectorTruncated(vector, key->query);

		if (uncertain)
			recheck = true;
		else if (!DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(vector),
												   PointerGetDatum(key->query))))
			match = recheck = false;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(pa->so->evalcxt);
	if (match || recheck)
	{
		CapMatch	m = {tid, false, NULL, 0, 0, vector, recheck};

		pa->callback(pa->arg, &m);
	}
	return true;
}

/*
 * Every row of the index that matches all the queries: the segments, then
 * the list being flushed and the pending list, of the metapage as it is
 * now
 */
void
CapSearchRun(CapSearch *s, Relation index, CapMatchCallback callback, void *arg)
{
	CapMetaPageData meta;
	CapPendingArg pa;

	if (s->nothing)
		return;
	CapReadMeta(index, &meta);
	for (int i = 0; i < meta.nsegments; i++)
		CapSearchSegment(index, s, &meta.segments[i], callback, arg);
	pa.so = s;
	pa.callback = callback;
	pa.arg = arg;
	CapPendingWalk(index, &meta.flushing, CapMatchPending, &pa);
	CapPendingWalk(index, &meta.pending, CapMatchPending, &pa);
}
