/*-------------------------------------------------------------------------
 *
 * capexec.c
 *	  What the caption index's custom scans (capcount.c, captopk.c) share
 *	  at execution: the index, the search, the query expressions, and
 *	  fetching a match's row from the table under the query's snapshot.
 *
 * src/caption/index/capexec.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "storage/predicate.h"

/*
 * Open what a scan of node needs: the index, the expressions of its
 * custom_exprs; unless only explained, the search and a heap fetch.
 * Under SERIALIZABLE, a predicate lock on the whole table, as a scan of
 * an index without predicate locks takes.
 */
void
CapExecBegin(CapExec *x, CustomScanState *node, EState *estate, int eflags, Oid indexoid)
{
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	heap = node->ss.ss_currentRelation;

	x->heap = heap;
	x->index = index_open(indexoid, AccessShareLock);
	x->attno = x->index->rd_index->indkey.values[0];
	x->exprs = ExecInitExprList(cscan->custom_exprs, &node->ss.ps);
	x->snapshot = estate->es_snapshot;
	x->heap_fetches = 0;
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	x->search = CapSearchBegin();
	x->fetch = table_index_fetch_begin(heap);
	x->heapslot = table_slot_create(heap, NULL);
	if (IsolationIsSerializable())
		PredicateLockRelation(heap, x->snapshot);
}

/*
 * Evaluate the expressions from the first-th on as the search's queries;
 * returns how many
 */
int
CapExecSetQueries(CapExec *x, ExprContext *econtext, int first)
{
	int			n = list_length(x->exprs) - first;
	Datum	   *texts = palloc(Max(n, 1) * sizeof(Datum));
	bool	   *nulls = palloc(Max(n, 1) * sizeof(bool));
	int			k = 0;
	ListCell   *lc;

	for_each_from(lc, x->exprs, first)
	{
		texts[k] = ExecEvalExprSwitchContext(lfirst(lc), econtext, &nulls[k]);
		k++;
	}
	CapSearchSetQueries(x->search, n, texts, nulls);
	pfree(texts);
	pfree(nulls);
	return n;
}

/*
 * Fetch a match's row, visible to the query's snapshot (following its
 * HOT chain), into x->heapslot; false when there is none
 */
bool
CapExecFetch(CapExec *x, uint64 packed_tid)
{
	ItemPointerData tid;
	bool		call_again = false;
	bool		all_dead = false;

	UnpackTid(packed_tid, &tid);
	x->heap_fetches++;
	return table_index_fetch_tuple(x->fetch, &tid, x->snapshot, x->heapslot,
								   &call_again, &all_dead);
}

/*
 * For a match the index could not decide (CapMatch.recheck), after
 * CapExecFetch: does the row's caption match the queries
 */
bool
CapExecRecheck(CapExec *x)
{
	bool		isnull;
	Datum		caption = slot_getattr(x->heapslot, x->attno, &isnull);

	return !isnull && CapSearchRecheck(x->search, DatumGetTextPP(caption));
}

void
CapExecEnd(CapExec *x)
{
	if (x->fetch)
		table_index_fetch_end(x->fetch);
	if (x->heapslot)
		ExecDropSingleTupleTableSlot(x->heapslot);
	if (x->search)
		CapSearchEnd(x->search);
	index_close(x->index, AccessShareLock);
}

/* EXPLAIN: the index, and with ANALYZE the rows fetched from the table */
void
CapExecExplain(CapExec *x, ExplainState *es)
{
	ExplainPropertyText("Index", RelationGetRelationName(x->index), es);
	if (es->analyze)
		ExplainPropertyInteger("Heap Fetches", NULL, x->heap_fetches, es);
}
