/*-------------------------------------------------------------------------
 *
 * capcount.c
 *	  count(*) of caption searches from the caption index: a planner path
 *	  and a custom scan that count the index's matches against the
 *	  visibility map, reading the table only for rows on pages not all
 *	  visible.
 *
 *	  SELECT count(*) FROM images WHERE caption @@@ 'greg rutkowski';
 *	  SELECT n.name, (SELECT count(*) FROM images WHERE caption @@@ n.name)
 *	  FROM names n;
 *
 * The path (create_upper_paths_hook, UPPERREL_GROUP_AGG) is offered when
 * the query is a single count(*) (or count(constant)) over one table, with
 * no GROUP BY, HAVING or row locks, and every qual on the table is
 * "column @@@ expression" with a caption index on the column and an
 * expression that does not refer to the table (a constant, a parameter, an
 * outer query's column).  Any other qual (a row-level security policy
 * included) keeps the usual plan.
 *
 * Correctness is an index-only scan's: a match on a page the visibility
 * map marks all visible counts without a heap visit; any other is looked
 * up in the heap under the query's snapshot (following its HOT chain).
 * Matches from a segment are tested while their document page is pinned
 * (capsearch.c), and VACUUM marks documents dead only under a cleanup lock
 * on that page, so a row cannot be removed, and its page set all visible,
 * between finding its TID and testing the map.  Pending-list matches are
 * always looked up in the heap.  Under SERIALIZABLE the scan takes a
 * predicate lock on the whole table, as a bitmap scan on an index without
 * predicate locks would.
 *
 * src/caption/index/capcount.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "storage/predicate.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *CapCountPlan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						  List *tlist, List *clauses, List *custom_plans);
static Node *CapCountCreateState(CustomScan *cscan);

static const CustomPathMethods cap_count_path_methods = {
	.CustomName = "CaptionCount",
	.PlanCustomPath = CapCountPlan,
};

static const CustomScanMethods cap_count_scan_methods = {
	.CustomName = "CaptionCount",
	.CreateCustomScanState = CapCountCreateState,
};

/* Is the expression count(*) or count(constant) */
static bool
CapIsCountStar(Node *node)
{
	Aggref	   *agg;

	if (!IsA(node, Aggref))
		return false;
	agg = (Aggref *) node;
	if (agg->aggfilter || agg->aggdistinct || agg->aggorder || agg->agglevelsup != 0 ||
		agg->aggsplit != AGGSPLIT_SIMPLE)
		return false;
	if (agg->aggfnoid == F_COUNT_)
		return true;
	if (agg->aggfnoid == F_COUNT_ANY && list_length(agg->args) == 1)
	{
		TargetEntry *arg = linitial(agg->args);

		return IsA(arg->expr, Const) && !((Const *) arg->expr)->constisnull;
	}
	return false;
}

static void
CapUpperPaths(PlannerInfo *root, UpperRelationKind stage, RelOptInfo *input_rel,
			  RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	Oid			indexoid = InvalidOid;
	List	   *queries = NIL;
	List	   *quals = NIL;
	ListCell   *lc;
	CustomPath *cpath;
	double		ntuples;
	double		allvisfrac;
	Selectivity sel;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG || !imgsearch_enable_caption_count)
		return;
	if (parse->commandType != CMD_SELECT || parse->groupClause || parse->groupingSets ||
		parse->havingQual || !parse->hasAggs || parse->hasWindowFuncs ||
		parse->hasTargetSRFs || parse->rowMarks)
		return;
	if (input_rel->reloptkind != RELOPT_BASEREL || input_rel->rtekind != RTE_RELATION)
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->inh || (rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW))
		return;
	if (list_length(output_rel->reltarget->exprs) != 1 ||
		!CapIsCountStar(linitial(output_rel->reltarget->exprs)))
		return;

	/* every qual: column @@@ expression, all on one caption index */
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst(lc);
		Expr	   *query;
		Oid			oid = CapQualIndex(input_rel, rinfo->clause, &query);

		if (!OidIsValid(oid) || (OidIsValid(indexoid) && oid != indexoid))
			return;
		indexoid = oid;
		queries = lappend(queries, query);
		quals = lappend(quals, rinfo);
	}
	if (queries == NIL)
		return;

	/*
	 * Costs: each match is a posting read and a visibility map test, and on
	 * the pages not all visible a heap visit
	 */
	sel = clauselist_selectivity(root, quals, input_rel->relid, JOIN_INNER, NULL);
	ntuples = clamp_row_est(sel * input_rel->tuples);
	allvisfrac = input_rel->allvisfrac;
	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = output_rel;
	cpath->path.pathtarget = output_rel->reltarget;
	cpath->path.param_info = NULL;
	cpath->path.parallel_aware = false;
	cpath->path.parallel_safe = false;
	cpath->path.parallel_workers = 0;
	cpath->path.rows = 1;
	cpath->path.startup_cost = 0;
	cpath->path.total_cost = ntuples * (cpu_index_tuple_cost + cpu_operator_cost) +
		index_pages_fetched((1.0 - allvisfrac) * ntuples, input_rel->pages,
							input_rel->pages, root) * random_page_cost +
		(1.0 - allvisfrac) * ntuples * cpu_tuple_cost +
		list_length(queries) * 4 * random_page_cost;
	cpath->path.startup_cost = cpath->path.total_cost;
	cpath->path.pathkeys = NIL;
	cpath->flags = 0;
	cpath->custom_paths = NIL;
	cpath->custom_private = list_make2(makeInteger((int) input_rel->relid),
									   makeInteger((int) indexoid));
	cpath->custom_private = lappend(cpath->custom_private, queries);
	cpath->methods = &cap_count_path_methods;
	add_path(output_rel, (Path *) cpath);
}

static Plan *
CapCountPlan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
			 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *queries = lthird(best_path->custom_private);
	Index		rti = intVal(linitial(best_path->custom_private));

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	/*
	 * A scan of the table (so that setrefs numbers it in the final range
	 * table and the executor opens it), whose one column is the count
	 */
	cscan->scan.scanrelid = rti;
	cscan->flags = best_path->flags;
	cscan->custom_plans = NIL;
	cscan->custom_exprs = copyObject(queries);
	cscan->custom_private = list_make1(lsecond(best_path->custom_private));
	/* the one column produced: the count, which the target list refers to */
	cscan->custom_scan_tlist = list_make1(makeTargetEntry(copyObject(linitial(rel->reltarget->exprs)),
														  1, NULL, false));
	cscan->methods = &cap_count_scan_methods;
	return &cscan->scan.plan;
}

typedef struct CapCountState
{
	CustomScanState css;
	CapExec		x;
	Buffer		vmbuf;
	bool		done;
	int64		count;
} CapCountState;

static void
CapCountBegin(CustomScanState *node, EState *estate, int eflags)
{
	CapCountState *st = (CapCountState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;

	CapExecBegin(&st->x, node, estate, eflags, (Oid) intVal(linitial(cscan->custom_private)));
	st->vmbuf = InvalidBuffer;
}

/* One match: counted if the row is visible to the query's snapshot */
static void
CapCountMatch(void *arg, const CapMatch *m)
{
	CapCountState *st = arg;
	ItemPointerData tid;

	UnpackTid(m->tid, &tid);
	if (!m->recheck && m->pinned &&
		VM_ALL_VISIBLE(st->x.heap, ItemPointerGetBlockNumber(&tid), &st->vmbuf))
		st->count++;
	else if (CapExecFetch(&st->x, m->tid))
	{
		if (!m->recheck || CapExecRecheck(&st->x))
			st->count++;
		ExecClearTuple(st->x.heapslot);
	}
}

static TupleTableSlot *
CapCountExec(CustomScanState *node)
{
	CapCountState *st = (CapCountState *) node;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	if (st->done)
		return NULL;
	st->done = true;
	ResetExprContext(econtext);
	st->count = 0;
	CapExecSetQueries(&st->x, econtext, 0);
	CapSearchRun(st->x.search, st->x.index, CapCountMatch, st);

	ExecClearTuple(slot);
	slot->tts_values[0] = Int64GetDatum(st->count);
	slot->tts_isnull[0] = false;
	ExecStoreVirtualTuple(slot);
	if (node->ss.ps.ps_ProjInfo)
	{
		econtext->ecxt_scantuple = slot;
		return ExecProject(node->ss.ps.ps_ProjInfo);
	}
	return slot;
}

static void
CapCountEnd(CustomScanState *node)
{
	CapCountState *st = (CapCountState *) node;

	if (st->vmbuf != InvalidBuffer)
		ReleaseBuffer(st->vmbuf);
	CapExecEnd(&st->x);
}

static void
CapCountRescan(CustomScanState *node)
{
	((CapCountState *) node)->done = false;
}

static void
CapCountExplain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	CapExecExplain(&((CapCountState *) node)->x, es);
}

static const CustomExecMethods cap_count_exec_methods = {
	.CustomName = "CaptionCount",
	.BeginCustomScan = CapCountBegin,
	.ExecCustomScan = CapCountExec,
	.EndCustomScan = CapCountEnd,
	.ReScanCustomScan = CapCountRescan,
	.ExplainCustomScan = CapCountExplain,
};

static Node *
CapCountCreateState(CustomScan *cscan)
{
	CapCountState *st = (CapCountState *) newNode(sizeof(CapCountState), T_CustomScanState);

	st->css.methods = &cap_count_exec_methods;
	return (Node *) st;
}

/* _PG_init: the planner hook and the scan's methods */
void
CapInitCount(void)
{
	RegisterCustomScanMethods(&cap_count_scan_methods);
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = CapUpperPaths;
}
