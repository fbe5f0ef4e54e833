/*-------------------------------------------------------------------------
 *
 * mihcost.c
 *	  Cost estimation for mih index scans.
 *
 * The selectivity of the WHERE clauses comes from genericcostestimate,
 * which uses the estimator of <@ (hamming_selfuncs.c); the planner adds
 * the heap fetches for the rows selected.  The index's own cost is that of
 * the cheaper of its two ways to search, as the scan chooses between them
 * (mihradius.c, mihordered.c):
 *
 *	probing:  P = nsegments * sum over tables j of C(bits_j, <= s_j) keys,
 *			  each a page read (at most every table page once) plus its
 *			  bucket's entries (rows / 2^bits_j) compared;
 *	linear:	  table 0 of every segment read in order, every row compared.
 *
 * with r = s*m + a as in the scan (s_j = s for the first a+1 tables, s-1
 * for the others).  The radius comes from the clause: a constant ball, or
 * a ball built by hamming_ball(expression, constant) as in joins; an
 * unknown radius is taken to be 8.  An ordering scan usually stops after a
 * few rounds: its startup cost is that of probing to radius 8, and its
 * total cost that of reading the whole index.
 *
 * src/mih/mihcost.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include <float.h>
#include <math.h>

#include "access/genam.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/cost.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"

#define MIH_DEFAULT_RADIUS	8

/*
 * The radius of an indexed clause, when the planner can see it, and the
 * number of balls it searches: one, or for "<@ ANY (array)" the array's
 * estimated length, each ball of the largest radius a constant array
 * holds (or 8).
 */
static int
MihClauseRadius(RestrictInfo *rinfo, double *nballs)
{
	OpExpr	   *op;
	Node	   *arg;

	*nballs = 1;
	if (IsA(rinfo->clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) rinfo->clause;
		Node	   *array = (Node *) lsecond(saop->args);
		int			radius = 0;

		*nballs = Max(estimate_array_length(array), 1);
		if (!IsA(array, Const) || ((Const *) array)->constisnull)
			return MIH_DEFAULT_RADIUS;
		if (exprType(linitial(saop->args)) != get_element_type(exprType(array)))
		{
			MihBallSet	set = MihArrayBalls(DatumGetArrayTypeP(((Const *) array)->constvalue),
											MIH_IN_BALL_STRATEGY);

			for (int i = 0; i < set.n; i++)
				radius = Max(radius, set.balls[i].radius);
		}
		return radius;			/* phash = ANY (array of phash): radius 0 */
	}
	if (!IsA(rinfo->clause, OpExpr))
		return MIH_DEFAULT_RADIUS;
	op = (OpExpr *) rinfo->clause;
	if (list_length(op->args) != 2)
		return MIH_DEFAULT_RADIUS;
	/* the ball is the argument whose type is not phash */
	arg = (exprType(linitial(op->args)) == exprType(lsecond(op->args))) ? NULL :
		(Node *) lsecond(op->args);
	if (arg == NULL)
		return 0;				/* phash = phash */
	if (exprType(arg) == exprType(linitial(op->args)))
		arg = (Node *) linitial(op->args);
	if (IsA(arg, Const) && !((Const *) arg)->constisnull)
		return DatumGetHammingBallP(((Const *) arg)->constvalue)->radius;
	if (IsA(arg, FuncExpr) && list_length(((FuncExpr *) arg)->args) == 2)
	{
		Node	   *r = lsecond(((FuncExpr *) arg)->args);

		if (IsA(r, Const) && !((Const *) r)->constisnull &&
			((Const *) r)->consttype == INT4OID)
			return Max(0, Min(PHASH_BITS, DatumGetInt32(((Const *) r)->constvalue)));
	}
	return MIH_DEFAULT_RADIUS;
}

/* The cost of probing for a radius, and the pages it reads */
static Cost
MihProbeCost(const MihMetaPageData *meta, double rows, int radius,
			 double *pages)
{
	MihLayout	layout;
	int			s,
				a;
	double		probes = 0,
				compared = 0,
				table_pages = 0;

	MihLayoutFromMeta(meta, &layout);
	s = radius / layout.m;
	a = radius % layout.m;
	for (int j = 0; j < layout.m; j++)
	{
		double		n = MihProbeCount(layout.bits[j], j <= a ? s : s - 1) *
			Max(meta->nsegments, 1);

		probes += n;
		compared += n * rows / ldexp(1.0, layout.bits[j]);
		for (int g = 0; g < meta->nsegments; g++)
			table_pages += meta->segments[g].npages[j];
	}
	*pages = Min(probes, table_pages);
	return *pages * random_page_cost + probes * cpu_operator_cost +
		compared * cpu_operator_cost;
}

/* Estimate the cost of a mih index scan */
void
mihcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
				Cost *indexStartupCost, Cost *indexTotalCost,
				Selectivity *indexSelectivity, double *indexCorrelation,
				double *indexPages)
{
	IndexOptInfo *index = path->indexinfo;
	GenericCosts costs;
	MihMetaPageData meta;
	Relation	rel;
	double		rows = Max(index->tuples, 1);
	double		linear_pages = 0,
				probe_pages;
	Cost		linear,
				probe;
	int			radius = PHASH_BITS;
	double		set_balls = 1;
	Cost		set_cost = -1;
	int			set_radius = PHASH_BITS;
	ListCell   *lc;

	/*
	 * A scan without any condition or ordering would read the whole index
	 * and could not return the hash (no index-only scans): never choose it.
	 */
	if (path->indexclauses == NIL && path->indexorderbys == NIL)
	{
		*indexStartupCost = DBL_MAX;
		*indexTotalCost = DBL_MAX;
		*indexSelectivity = 1;
		*indexCorrelation = 0;
		*indexPages = 1;
		return;
	}

	MemSet(&costs, 0, sizeof(costs));
	genericcostestimate(root, path, loop_count, &costs);

	rel = index_open(index->indexoid, AccessShareLock);
	MihReadMeta(rel, &meta);
	index_close(rel, AccessShareLock);

	/*
	 * The scan searches around the smallest single ball; with none, a
	 * radius scan probes the union of the balls of the set that costs least
	 * (mihradius.c), and a linear scan checks every row against each of them.
	 */
	foreach(lc, path->indexclauses)
	{
		IndexClause *iclause = lfirst_node(IndexClause, lc);
		double		n,
					pages;
		int			r = MihClauseRadius(iclause->rinfo, &n);

		if (n == 1 && !IsA(iclause->rinfo->clause, ScalarArrayOpExpr))
			radius = Min(radius, r);
		else
		{
			Cost		c = n * MihProbeCost(&meta, rows, r, &pages);

			if (set_cost < 0 || c < set_cost)
			{
				set_cost = c;
				set_balls = n;
				set_radius = r;
			}
		}
	}
	for (int g = 0; g < meta.nsegments; g++)
		linear_pages += meta.segments[g].npages[0];
	linear = linear_pages * seq_page_cost + rows * cpu_operator_cost;
	if (radius == PHASH_BITS && set_cost >= 0 && path->indexorderbys == NIL)
	{
		probe = set_balls * MihProbeCost(&meta, rows, set_radius, &probe_pages);
		probe_pages = Min(probe_pages * set_balls, linear_pages);
		linear += rows * cpu_operator_cost * (set_balls - 1);
	}
	else
		probe = MihProbeCost(&meta, rows, radius, &probe_pages);

	if (path->indexorderbys != NIL)
	{
		double		startpages;
		Cost		start = MihProbeCost(&meta, rows, Min(radius, MIH_DEFAULT_RADIUS), &startpages);

		*indexStartupCost = Min(start, linear);
		*indexTotalCost = Max(Min(probe, linear), *indexStartupCost);
		*indexPages = Min(startpages, linear_pages);
	}
	else
	{
		*indexStartupCost = 0;
		*indexTotalCost = Min(probe, linear);
		*indexPages = probe < linear ? probe_pages : linear_pages;
	}
	/* the pending list is read by every scan */
	*indexTotalCost += (meta.pending.nentries + meta.flushing.nentries) * cpu_operator_cost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
}
