/*-------------------------------------------------------------------------
 *
 * capcost.c
 *	  What the planner is told about caption searches: the selectivity of
 *	  caption @@@ query, read from the caption index's own dictionary when
 *	  the column has one, the index scan's cost, and which index serves a
 *	  qual (for the count and top-k paths).
 *
 * The selectivity of a query is computed from its words' document
 * frequencies in each segment: a word's share of the segment's documents
 * (a prefix: the sum over the words it begins), an AND or a phrase the
 * smaller of its two sides (names are made of words that come together,
 * so the product would be far too small), an OR the sum, a NOT the rest.
 * The segments' estimates are weighed by their documents; the pending
 * list is taken to be like them.  That is a few dictionary descents per
 * word, where the generic estimate (matchingsel, used when the column has
 * no caption index) evaluates the operator on a hundred sample captions.
 *
 * src/caption/index/capcost.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/genam.h"
#include "catalog/pg_proc.h"
#include "commands/defrem.h"
#include "optimizer/optimizer.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"

#include "../caption_int.h"

static bool
CapSumDf(void *arg, const char *word, int len, const CapDictInfo *info)
{
	*(double *) arg += info->df;
	return true;
}

/* The share of a segment's documents a query item matches */
static double
CapItemSelectivity(Relation index, const CapSegment *seg, TSQuery query, int i)
{
	QueryItem  *item = &GETQUERY(query)[i];
	double		l;
	double		r;

	check_stack_depth();
	if (item->type == QI_VAL)
	{
		double		df = 0;

		CapDictFind(index, seg, GETOPERAND(query) + item->qoperand.distance,
					item->qoperand.length, item->qoperand.prefix, CapSumDf, &df);
		return Min(1.0, df / Max(seg->ndocs, 1));
	}
	r = CapItemSelectivity(index, seg, query, i + 1);
	if (item->qoperator.oper == OP_NOT)
		return 1.0 - r;
	l = CapItemSelectivity(index, seg, query, i + item->qoperator.left);
	if (item->qoperator.oper == OP_OR)
		return Min(1.0, l + r);
	return Min(l, r);
}

/*
 * The selectivity of a query on a caption index's column of a table of
 * heap_rows rows (rows with a NULL caption, which the index does not
 * hold, never match)
 */
static double
CapIndexSelectivity(Relation index, TSQuery query, double heap_rows)
{
	CapMetaPageData meta;
	double		matched = 0;
	double		docs = 0;
	double		live;

	CapReadMeta(index, &meta);
	for (int s = 0; s < meta.nsegments; s++)
	{
		double		segdocs = meta.segments[s].ndocs - meta.segments[s].ndead;

		if (meta.segments[s].ndocs == 0)
			continue;
		matched += CapItemSelectivity(index, &meta.segments[s], query, 0) * segdocs;
		docs += segdocs;
	}
	if (docs == 0)
		return DEFAULT_MATCHING_SEL;
	live = docs + meta.pending.nentries + meta.flushing.nentries;
	/* the share of the documents, then of the table's rows */
	return heap_rows > 0 ? matched / docs * Min(1.0, live / heap_rows) : matched / docs;
}

/*
 * Is the function (whatever its name and schema) this C function of ours:
 * caption_match_op for caption_matches and caption_match_op, caption_rank
 */
bool
CapFunctionIs(Oid funcid, PGFunction fn)
{
	FmgrInfo	finfo;

	if (get_func_prokind(funcid) != PROKIND_FUNCTION)
		return false;
	fmgr_info(funcid, &finfo);
	return finfo.fn_addr == fn;
}

/*
 * The caption index a qual (column @@@ query, or caption_matches(column,
 * query)) is served by, or InvalidOid, and its query expression
 */
Oid
CapQualIndex(RelOptInfo *rel, Expr *clause, Expr **query)
{
	OpExpr	   *op;
	Oid			opno;
	Var		   *var;
	Expr	   *arg;
	ListCell   *lc;
	Oid			am = get_index_am_oid("caption", true);

	if (IsA(clause, FuncExpr) && list_length(((FuncExpr *) clause)->args) == 2 &&
		CapFunctionIs(((FuncExpr *) clause)->funcid, caption_match_op))
	{
		/* caption_matches(column, query): as column @@@ query */
		var = linitial(((FuncExpr *) clause)->args);
		arg = lsecond(((FuncExpr *) clause)->args);
		opno = InvalidOid;
	}
	else if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		op = (OpExpr *) clause;
		opno = op->opno;
		var = linitial(op->args);
		arg = lsecond(op->args);
	}
	else
		return InvalidOid;
	if (!OidIsValid(am))
		return InvalidOid;
	if (!IsA(var, Var) || var->varno != rel->relid || var->varlevelsup != 0 ||
		bms_is_member(rel->relid, pull_varnos(NULL, (Node *) arg)) ||
		contain_volatile_functions((Node *) arg))
		return InvalidOid;
	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *index = lfirst(lc);

		if (index->relam == am && index->ncolumns == 1 && index->indpred == NIL &&
			index->indexkeys[0] == var->varattno &&
			(!OidIsValid(opno) ||
			 (op_in_opfamily(opno, index->opfamily[0]) &&
			  get_op_opfamily_strategy(opno, index->opfamily[0]) == CAP_MATCH_STRATEGY)))
		{
			*query = arg;
			return index->indexoid;
		}
	}
	return InvalidOid;
}

/*
 * The selectivity of caption @@@ query (or caption_matches(caption,
 * query)) with these arguments, from the caption index on the column; -1
 * when the column has none or the query is not a constant.  The
 * restriction estimator of text @@@ text (else matchingsel's) and
 * caption_matches' support function use it.
 */
double
CapClauseSelectivity(PlannerInfo *root, List *args, int varRelid)
{
	VariableStatData vardata;
	Node	   *other;
	bool		varonleft;
	double		sel = -1;

	if (get_restriction_variable(root, args, varRelid, &vardata, &other, &varonleft))
	{
		if (varonleft && IsA(other, Const) && !((Const *) other)->constisnull &&
			vardata.rel != NULL && IsA(vardata.var, Var))
		{
			AttrNumber	attno = ((Var *) vardata.var)->varattno;
			ListCell   *lc;

			foreach(lc, vardata.rel->indexlist)
			{
				IndexOptInfo *info = lfirst(lc);
				Relation	index;

				if (info->ncolumns != 1 || info->indexkeys[0] != attno ||
					info->indpred != NIL)
					continue;
				index = index_open(info->indexoid, AccessShareLock);
				if (index->rd_indam->ambuild == capbuild)
				{
					TSQuery		query = DatumGetTSQuery(CaptionQuery(DatumGetTextPP(((Const *) other)->constvalue),
																	 false));

					sel = query->size > 0 ?
						CapIndexSelectivity(index, query, vardata.rel->tuples) : 0.0;
				}
				index_close(index, AccessShareLock);
				if (sel >= 0)
					break;
			}
		}
		ReleaseVariableStats(vardata);
	}
	if (sel >= 0)
		CLAMP_PROBABILITY(sel);
	return sel;
}

PG_FUNCTION_INFO_V1(caption_match_sel);
Datum
caption_match_sel(PG_FUNCTION_ARGS)
{
	double		sel = CapClauseSelectivity((PlannerInfo *) PG_GETARG_POINTER(0),
										   (List *) PG_GETARG_POINTER(2),
										   PG_GETARG_INT32(3));

	if (sel < 0)
		return DirectFunctionCall4(matchingsel, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
								   PG_GETARG_DATUM(2), PG_GETARG_DATUM(3));
	PG_RETURN_FLOAT8(sel);
}

/*
 * Costs: the generic estimate from the qual's selectivity (the operator's
 * restriction estimator runs caption_matches on the column's statistics)
 */
void
capcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				Cost *indexStartupCost, Cost *indexTotalCost,
				Selectivity *indexSelectivity, double *indexCorrelation,
				double *indexPages)
{
	GenericCosts costs;

	MemSet(&costs, 0, sizeof(costs));
	genericcostestimate(root, path, loop_count, &costs);
	*indexStartupCost = costs.indexStartupCost;
	*indexTotalCost = costs.indexTotalCost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = costs.indexCorrelation;
	*indexPages = costs.numIndexPages;
}
