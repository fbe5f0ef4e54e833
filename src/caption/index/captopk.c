/*-------------------------------------------------------------------------
 *
 * captopk.c
 *	  ORDER BY caption_rank(caption, q) DESC from the caption index: a
 *	  planner path and a custom scan that return a search's rows in rank
 *	  order, reading from the table little more than the rows returned.
 *
 *	  SELECT id, caption FROM images WHERE caption @@@ 'greg rutkowski'
 *	  ORDER BY caption_rank(caption, 'greg rutkowski') DESC LIMIT 100;
 *
 * The path (set_rel_pathlist_hook) is offered for a query of one table
 * whose ORDER BY is caption_rank(column, expression) DESC, with a caption
 * index on the column serving at least one qual column @@@ expression;
 * other quals are checked on the rows fetched.
 *
 * The scan runs the search (capsearch.c) and, for each match, computes
 * from the index alone an upper bound of its caption_rank: the positions
 * of the rank query's words in the caption come from their postings and
 * the caption's length from the document table (its last position, never
 * more than the words caption_rank counts, and caption_rank falls with
 * length), so the bound is caption_rank itself whenever the postings hold
 * every occurrence (a word repeated over 256 times keeps 256 positions,
 * and positions stop at 16,383: then the bound takes the best case).  The
 * matches are then taken by decreasing bound: each is fetched from the
 * table under the query's snapshot (rows it cannot see are skipped), its
 * exact caption_rank computed by the function itself, and a row is
 * returned once no match left can rank higher.  So the order is exactly
 * caption_rank's, and with LIMIT k the table is read for the k rows
 * returned and those whose bound ties or beats the k-th.  The matches are
 * kept in memory, 16 bytes each.
 *
 * src/caption/index/captopk.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include <math.h>

#include "access/relation.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_proc.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "lib/binaryheap.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "storage/predicate.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "../caption_int.h"

extern Datum caption_rank(PG_FUNCTION_ARGS);

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static Plan *CapTopKPlan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						 List *tlist, List *clauses, List *custom_plans);
static Node *CapTopKCreateState(CustomScan *cscan);

static const CustomPathMethods cap_topk_path_methods = {
	.CustomName = "CaptionTopK",
	.PlanCustomPath = CapTopKPlan,
};

static const CustomScanMethods cap_topk_scan_methods = {
	.CustomName = "CaptionTopK",
	.CreateCustomScanState = CapTopKCreateState,
};

/*
 * The ORDER BY's caption_rank(column, query) on this rel, if the query is
 * ordered by just that, descending
 */
static FuncExpr *
CapRankOrdering(PlannerInfo *root, RelOptInfo *rel, bool *nulls_first)
{
	PathKey    *pk;
	ListCell   *lc;

	if (list_length(root->query_pathkeys) != 1)
		return NULL;
	pk = linitial(root->query_pathkeys);
	if (pk->pk_strategy != BTGreaterStrategyNumber)
		return NULL;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = lfirst(lc);
		FuncExpr   *f = (FuncExpr *) em->em_expr;
		Var		   *var;

		if (!IsA(f, FuncExpr) || list_length(f->args) != 2)
			continue;
		var = linitial(f->args);
		if (!IsA(var, Var) || var->varno != rel->relid || var->varlevelsup != 0 ||
			bms_is_member(rel->relid, pull_varnos(NULL, lsecond(f->args))) ||
			contain_volatile_functions(lsecond(f->args)) ||
			!CapFunctionIs(f->funcid, caption_rank))
			continue;
		*nulls_first = pk->pk_nulls_first;
		return f;
	}
	return NULL;
}

static void
CapRelPathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	FuncExpr   *rank;
	bool		nulls_first = false;
	Oid			indexoid = InvalidOid;
	List	   *queries = NIL;
	List	   *indexquals = NIL;
	ListCell   *lc;
	CustomPath *cpath;
	double		ntuples;
	Selectivity sel;
	AttrNumber	attno;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);
	if (!imgsearch_enable_caption_topk ||
		rel->reloptkind != RELOPT_BASEREL || rte->rtekind != RTE_RELATION || rte->inh ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW) ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		root->parse->rowMarks != NIL)
		return;
	rank = CapRankOrdering(root, rel, &nulls_first);
	if (rank == NULL)
		return;
	attno = ((Var *) linitial(rank->args))->varattno;

	/* the quals the caption index on the ranked column serves */
	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst(lc);
		Expr	   *query;
		Oid			oid = CapQualIndex(rel, rinfo->clause, &query);

		if (!OidIsValid(oid) || (OidIsValid(indexoid) && oid != indexoid) ||
			((Var *) linitial(((OpExpr *) rinfo->clause)->args))->varattno != attno)
			continue;
		indexoid = oid;
		queries = lappend(queries, query);
		indexquals = lappend(indexquals, rinfo);
	}
	if (queries == NIL)
		return;

	/*
	 * Costs: the search and a bound for every match up front; then, per row
	 * returned, a heap visit and caption_rank
	 */
	sel = clauselist_selectivity(root, indexquals, rel->relid, JOIN_INNER, NULL);
	ntuples = clamp_row_est(sel * rel->tuples);
	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = NULL;
	cpath->path.parallel_aware = false;
	cpath->path.parallel_safe = false;
	cpath->path.parallel_workers = 0;
	cpath->path.rows = rel->rows;
	cpath->path.startup_cost = ntuples * (cpu_index_tuple_cost + 4 * cpu_operator_cost) +
		list_length(queries) * 4 * random_page_cost;
	cpath->path.total_cost = cpath->path.startup_cost +
		ntuples * (random_page_cost + cpu_tuple_cost + 100 * cpu_operator_cost);
	cpath->path.pathkeys = root->query_pathkeys;
	cpath->flags = 0;
	cpath->custom_paths = NIL;
	cpath->custom_private = list_make4(makeInteger((int) indexoid),
									   makeInteger((int) rank->funcid),
									   makeBoolean(nulls_first),
									   list_make2(lsecond(rank->args), queries));
	cpath->custom_private = lappend(cpath->custom_private, indexquals);
	cpath->methods = &cap_topk_path_methods;
	add_path(rel, (Path *) cpath);
}

static Plan *
CapTopKPlan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
			List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *exprs = lfourth(best_path->custom_private);
	List	   *indexquals = list_nth(best_path->custom_private, 4);
	List	   *others = NIL;
	ListCell   *lc;

	/* the quals the index answers need no check; the others do */
	foreach(lc, clauses)
	{
		RestrictInfo *rinfo = lfirst(lc);

		if (!list_member_ptr(indexquals, rinfo))
			others = lappend(others, rinfo);
	}
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = extract_actual_clauses(others, false);
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->custom_plans = NIL;
	/* the rank query first, then the search's queries */
	cscan->custom_exprs = lcons(copyObject(linitial(exprs)), copyObject(lsecond(exprs)));
	cscan->custom_private = list_make3(linitial(best_path->custom_private),
									   lsecond(best_path->custom_private),
									   lthird(best_path->custom_private));
	cscan->custom_scan_tlist = NIL;
	cscan->methods = &cap_topk_scan_methods;
	return &cscan->scan.plan;
}

/* A match, with its bound, then (once fetched) its rank and row */
typedef struct CapCandidate
{
	double		bound;
	uint64		tid;			/* PackTid, and CAP_CAND_RECHECK */
} CapCandidate;

/* the index could not decide the match (CapMatch.recheck) */
#define CAP_CAND_RECHECK	(UINT64CONST(1) << 62)

typedef struct CapRanked
{
	double		rank;
	int64		seq;			/* the order fetched, for ties */
	HeapTuple	tuple;
} CapRanked;

/* The rank query's words in one segment: their cursors */
typedef struct CapRankWord
{
	int			ncursors;
	int			cap;
	CapCursor **cursors;
} CapRankWord;

typedef struct CapTopKState
{
	CustomScanState css;
	CapExec		x;				/* exprs: the rank query, then the queries */
	AttrNumber	attno;			/* the ranked column */
	FmgrInfo	rankfn;
	bool		nulls_first;
	bool		started;
	Datum		rankquery;
	bool		rankquery_null;
	CaptionRankQuery *rq;
	MemoryContext cxt;			/* candidates, ranked rows */
	MemoryContext segcxt;		/* one segment's rank cursors */
	const CapSegment *seg;		/* whose cursors are open */
	CapRankWord *words;
	RankHit    *hits;
	int			maxhits;
	CapCandidate *cands;
	int64		ncands;
	int64		capcands;
	binaryheap *todo;			/* candidates by bound */
	binaryheap *ranked;			/* fetched rows by rank */
	int64		seq;
} CapTopKState;

/* Is typed word w matched by the lexemes a lone CJK character begins */
static inline bool
CapRankWordIsPrefix(const CaptionRankQuery *rq, int w)
{
	const CaptionToken *t = &rq->words.items[w];
	const char *wl = TOKEN_LEXEME(&rq->words, w);

	return t->cjk && t->len == pg_utf_mblen((const unsigned char *) wl);
}

static bool
CapAddRankCursor(void *arg, const char *word, int len, const CapDictInfo *info)
{
	void	  **a = arg;
	CapTopKState *st = a[0];
	CapRankWord *rw = a[1];

	if (rw->ncursors == rw->cap)
	{
		rw->cap = Max(4, 2 * rw->cap);
		rw->cursors = rw->cursors ? repalloc(rw->cursors, rw->cap * sizeof(CapCursor *)) :
			palloc(rw->cap * sizeof(CapCursor *));
	}
	rw->cursors[rw->ncursors++] = CapCursorOpen(st->x.index, st->seg, info);
	return true;
}

static void
CapAddHit(CapTopKState *st, int *nhits, int pos, int w)
{
	if (*nhits == st->maxhits)
	{
		st->maxhits *= 2;
		st->hits = repalloc(st->hits, st->maxhits * sizeof(RankHit));
	}
	st->hits[*nhits].pos = pos;
	st->hits[*nhits].word = w;
	(*nhits)++;
}

static int
CapCompareHits(const void *a, const void *b)
{
	const RankHit *x = a;
	const RankHit *y = b;

	if (x->pos != y->pos)
		return (x->pos > y->pos) - (x->pos < y->pos);
	return (x->word > y->word) - (x->word < y->word);
}

/*
 * The bound of a caption whose rank words occur as st->hits[0..nhits)
 * (complete: every occurrence is there) and whose last position is len
 */
static double
CapRankBound(CapTopKState *st, int nhits, bool complete, int len, const bool *found)
{
	const CaptionRankQuery *rq = st->rq;
	int			nfound = 0;

	if (rq->words.count == 0)
		return 0.0;
	if (complete && len < CAPTION_MAX_POS)
	{
		qsort(st->hits, nhits, sizeof(RankHit), CapCompareHits);
		return CaptionRankScore(rq, st->hits, nhits, len);
	}
	for (int w = 0; w < rq->words.count; w++)
		if (found[w])
			nfound++;
	if (nfound == 0)
		return 0.0;
	/* the best case: adjacent in order when all are there, a span of nfound */
	return (nfound == rq->words.count ? 2 : 0) +
		(double) nfound / rq->words.count / (1.0 + log(1.0 + len));
}

/* A match of the search: its bound, kept as a candidate */
static void
CapTopKMatch(void *arg, const CapMatch *m)
{
	CapTopKState *st = arg;
	const CaptionRankQuery *rq = st->rq;
	bool		found[CAPTION_RANK_MAX_WORDS];
	bool		complete = true;
	int			nhits = 0;
	int			len;
	uint16		positions[CAP_MAX_POS];
	MemoryContext old;

	if (m->seg != NULL)
	{
		if (m->seg != st->seg)
		{
			/* a new segment: the rank words' cursors in it */
			MemoryContextReset(st->segcxt);
			old = MemoryContextSwitchTo(st->segcxt);
			st->seg = m->seg;
			st->words = palloc0(Max(rq->words.count, 1) * sizeof(CapRankWord));
			for (int w = 0; w < rq->words.count; w++)
			{
				void	   *a[2] = {st, &st->words[w]};

				CapDictFind(st->x.index, m->seg, TOKEN_LEXEME(&rq->words, w),
							rq->words.items[w].len, CapRankWordIsPrefix(rq, w),
							CapAddRankCursor, a);
			}
			MemoryContextSwitchTo(old);
		}
		old = MemoryContextSwitchTo(st->segcxt);
		for (int w = 0; w < rq->words.count; w++)
		{
			found[w] = false;
			for (int c = 0; c < st->words[w].ncursors; c++)
			{
				CapCursor  *cur = st->words[w].cursors[c];
				int			n;

				if (CapCursorNext(cur, m->ord) != m->ord)
					continue;
				found[w] = true;
				n = CapCursorPositions(cur, positions);
				if (n >= MAXNUMPOS)
					complete = false;
				for (int k = 0; k < n; k++)
					CapAddHit(st, &nhits, positions[k], w);
			}
		}
		MemoryContextSwitchTo(old);
		len = m->doclen;
	}
	else
	{
		/* a pending entry: the same from its tsvector */
		TSVector	v = m->vector;
		WordEntry  *we = ARRPTR(v);

		for (int w = 0; w < rq->words.count; w++)
		{
			const char *wl = TOKEN_LEXEME(&rq->words, w);
			int			wlen = rq->words.items[w].len;
			bool		prefix = CapRankWordIsPrefix(rq, w);

			found[w] = false;
			for (int i = 0; i < v->size; i++)
			{
				const char *lex = STRPTR(v) + we[i].pos;
				int			n = POSDATALEN(v, &we[i]);
				WordEntryPos *pos = POSDATAPTR(v, &we[i]);

				if (!(we[i].len == wlen ? memcmp(lex, wl, wlen) == 0 :
					  prefix && we[i].len > wlen && memcmp(lex, wl, wlen) == 0))
					continue;
				found[w] = true;
				if (n >= MAXNUMPOS)
					complete = false;
				for (int k = 0; k < n; k++)
					CapAddHit(st, &nhits, WEP_GETPOS(pos[k]), w);
			}
		}
		len = CapVectorLength(v);
	}

	if (st->ncands == st->capcands)
	{
		st->capcands *= 2;
		st->cands = repalloc_huge(st->cands, st->capcands * sizeof(CapCandidate));
	}
	st->cands[st->ncands].bound = CapRankBound(st, nhits, complete, len, found);
	st->cands[st->ncands].tid = m->tid | (m->recheck ? CAP_CAND_RECHECK : 0);
	st->ncands++;
}

/* binaryheap keeps the largest first */
static int
CapCompareBounds(Datum a, Datum b, void *arg)
{
	CapTopKState *st = arg;
	double		x = st->cands[DatumGetInt64(a)].bound;
	double		y = st->cands[DatumGetInt64(b)].bound;

	return (x > y) - (x < y);
}

static int
CapCompareRanked(Datum a, Datum b, void *arg)
{
	CapRanked  *x = (CapRanked *) DatumGetPointer(a);
	CapRanked  *y = (CapRanked *) DatumGetPointer(b);

	if (x->rank != y->rank)
		return (x->rank > y->rank) - (x->rank < y->rank);
	return (x->seq < y->seq) - (x->seq > y->seq);
}

static void
CapTopKBegin(CustomScanState *node, EState *estate, int eflags)
{
	CapTopKState *st = (CapTopKState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Oid			indexoid = (Oid) intVal(linitial(cscan->custom_private));
	Oid			rankfn = (Oid) intVal(lsecond(cscan->custom_private));

	CapExecBegin(&st->x, node, estate, eflags, indexoid);
	st->nulls_first = boolVal(lthird(cscan->custom_private));
	st->attno = st->x.index->rd_index->indkey.values[0];
	fmgr_info_cxt(rankfn, &st->rankfn, estate->es_query_cxt);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	st->cxt = AllocSetContextCreate(CurrentMemoryContext, "caption top-k",
									ALLOCSET_DEFAULT_SIZES);
	st->segcxt = AllocSetContextCreate(CurrentMemoryContext, "caption top-k segment",
									   ALLOCSET_DEFAULT_SIZES);
}

/* Run the search: every match with its bound */
static void
CapTopKStart(CapTopKState *st)
{
	ExprContext *econtext = st->css.ss.ps.ps_ExprContext;
	MemoryContext old;

	MemoryContextReset(st->cxt);
	old = MemoryContextSwitchTo(st->cxt);
	st->rankquery = ExecEvalExprSwitchContext(linitial(st->x.exprs), econtext,
											  &st->rankquery_null);
	if (!st->rankquery_null)
		st->rankquery = PointerGetDatum(PG_DETOAST_DATUM_COPY(st->rankquery));
	/* a NULL rank query ranks every row NULL: bounds all equal */
	st->rq = CaptionRankQueryMake(st->rankquery_null ? cstring_to_text("") :
								  DatumGetTextPP(st->rankquery), st->cxt);
	st->maxhits = 64;
	st->hits = palloc(st->maxhits * sizeof(RankHit));
	st->capcands = 1024;
	st->cands = palloc(st->capcands * sizeof(CapCandidate));
	st->ncands = 0;
	st->seg = NULL;
	MemoryContextSwitchTo(old);

	CapExecSetQueries(&st->x, econtext, 1);
	old = MemoryContextSwitchTo(st->cxt);
	CapSearchRun(st->x.search, st->x.index, CapTopKMatch, st);
	MemoryContextReset(st->segcxt);
	st->seg = NULL;

	st->todo = binaryheap_allocate(Max(st->ncands, 1), CapCompareBounds, st);
	for (int64 i = 0; i < st->ncands; i++)
		binaryheap_add_unordered(st->todo, Int64GetDatum(i));
	binaryheap_build(st->todo);
	st->ranked = binaryheap_allocate(Max(st->ncands, 1), CapCompareRanked, NULL);
	MemoryContextSwitchTo(old);
	st->started = true;
}

/* Fetch the next candidate's row and rank it; false when there is none */
static bool
CapTopKFetchNext(CapTopKState *st)
{
	TupleTableSlot *slot = st->x.heapslot;

	while (!binaryheap_empty(st->todo))
	{
		int64		i = DatumGetInt64(binaryheap_remove_first(st->todo));
		Datum		caption;
		bool		isnull;
		double		rank;
		CapRanked  *r;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		if (!CapExecFetch(&st->x, st->cands[i].tid & ~CAP_CAND_RECHECK))
			continue;
		if ((st->cands[i].tid & CAP_CAND_RECHECK) && !CapExecRecheck(&st->x))
		{
			ExecClearTuple(slot);
			continue;
		}
		caption = slot_getattr(slot, st->attno, &isnull);
		if (isnull || st->rankquery_null)
			rank = st->nulls_first ? INFINITY : -INFINITY;
		else
			rank = DatumGetFloat4(FunctionCall2Coll(&st->rankfn, InvalidOid,
													caption, st->rankquery));
		old = MemoryContextSwitchTo(st->cxt);
		r = palloc(sizeof(CapRanked));
		r->rank = rank;
		r->seq = st->seq++;
		r->tuple = ExecCopySlotHeapTuple(slot);
		binaryheap_add(st->ranked, PointerGetDatum(r));
		MemoryContextSwitchTo(old);
		ExecClearTuple(slot);
		return true;
	}
	return false;
}

/*
 * The next row in rank order: the best fetched one, once no candidate
 * left can rank higher.  caption_rank returns its double as a float4, and
 * rounding keeps order, so a candidate whose bound rounds to at most the
 * best rank cannot rank higher (and ties may come in any order).
 */
static TupleTableSlot *
CapTopKNext(ScanState *node)
{
	CapTopKState *st = (CapTopKState *) node;
	TupleTableSlot *slot = node->ss_ScanTupleSlot;

	if (!st->started)
		CapTopKStart(st);
	for (;;)
	{
		if (!binaryheap_empty(st->ranked))
		{
			CapRanked  *best = (CapRanked *) DatumGetPointer(binaryheap_first(st->ranked));

			if (binaryheap_empty(st->todo) ||
				best->rank >= (double) (float4) st->cands[DatumGetInt64(binaryheap_first(st->todo))].bound)
			{
				binaryheap_remove_first(st->ranked);
				ExecForceStoreHeapTuple(best->tuple, slot, true);
				pfree(best);
				return slot;
			}
		}
		if (!CapTopKFetchNext(st) && binaryheap_empty(st->ranked))
			return ExecClearTuple(slot);
	}
}

static bool
CapTopKRecheck(ScanState *node, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
CapTopKExec(CustomScanState *node)
{
	return ExecScan(&node->ss, CapTopKNext, CapTopKRecheck);
}

static void
CapTopKEnd(CustomScanState *node)
{
	CapTopKState *st = (CapTopKState *) node;

	if (st->cxt)
		MemoryContextDelete(st->cxt);
	if (st->segcxt)
		MemoryContextDelete(st->segcxt);
	CapExecEnd(&st->x);
}

static void
CapTopKRescan(CustomScanState *node)
{
	CapTopKState *st = (CapTopKState *) node;

	st->started = false;
	st->x.heap_fetches = 0;
}

static void
CapTopKExplain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	CapTopKState *st = (CapTopKState *) node;

	CapExecExplain(&st->x, es);
	if (es->analyze)
		ExplainPropertyInteger("Matches", NULL, st->started ? st->ncands : 0, es);
}

static const CustomExecMethods cap_topk_exec_methods = {
	.CustomName = "CaptionTopK",
	.BeginCustomScan = CapTopKBegin,
	.ExecCustomScan = CapTopKExec,
	.EndCustomScan = CapTopKEnd,
	.ReScanCustomScan = CapTopKRescan,
	.ExplainCustomScan = CapTopKExplain,
};

static Node *
CapTopKCreateState(CustomScan *cscan)
{
	CapTopKState *st = (CapTopKState *) newNode(sizeof(CapTopKState), T_CustomScanState);

	st->css.methods = &cap_topk_exec_methods;
	return (Node *) st;
}

/* _PG_init: the planner hook and the scan's methods */
void
CapInitTopK(void)
{
	RegisterCustomScanMethods(&cap_topk_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = CapRelPathlist;
}
