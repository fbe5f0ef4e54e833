/*-------------------------------------------------------------------------
 *
 * hamming_selfuncs.c
 *	  Selectivity estimation for the radius predicate
 *	  "code <@ hamming_ball(center, radius)" (and its commutator @>).
 *
 * The fraction of rows within radius r of a centre has two parts.  Rows
 * equal to a most common value are counted exactly: ANALYZE keeps the
 * MCVs of a phash column (it has = and <), and each one is either within
 * the ball or not.  For the other rows we take the larger of two guesses:
 * the share of the column's histogram bounds (an even sample of the other
 * values) that fall inside the ball, and the probability that a uniformly
 * random 64-bit code lies within r bits, sum over i <= r of C(64, i) / 2^64.
 * The first sees clusters of near-duplicates when they are large enough to
 * reach the sample; the second is the floor for well-spread hashes (it is
 * about 2.5e-10 for r = 8, 0.5 for r = 32).  Without a constant centre
 * only the uniform probability is known.
 *
 * src/hamming_selfuncs.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"

#include "imgsearch.h"

/* The guess when nothing about the ball is known (a radius of about 10) */
#define DEFAULT_HAMMING_SEL 1e-6

/* Probability that a uniform random code lies within radius of a centre */
static double
UniformBallProbability(int radius)
{
	double		binomial = 1.0;	/* C(64, i) */
	double		sum = 0.0;
	int			i;

	for (i = 0; i <= radius && i <= PHASH_BITS; i++)
	{
		sum += binomial;
		binomial = binomial * (PHASH_BITS - i) / (i + 1);
	}
	return sum / pow(2.0, PHASH_BITS);
}

/* The hamming_ball type: the operand of <@ or @> that is not the code */
static Oid
BallTypeOfOperator(Oid operator)
{
	Oid			lefttype;
	Oid			righttype;
	char	   *name = get_opname(operator);

	op_input_types(operator, &lefttype, &righttype);
	return (name != NULL && strcmp(name, "@>") == 0) ? lefttype : righttype;
}

/*
 * Find the radius of a ball expression (of type ball_type), if it is a
 * constant ball or a call of hamming_ball(anything, constant): -1 when
 * unknown.
 */
static int
BallRadius(Node *ball, Oid ball_type, HammingBall **constant_ball)
{
	*constant_ball = NULL;
	if (exprType(ball) != ball_type)
		return -1;
	if (IsA(ball, Const))
	{
		Const	   *c = (Const *) ball;

		if (c->constisnull)
			return -1;
		*constant_ball = DatumGetHammingBallP(c->constvalue);
		return (*constant_ball)->radius;
	}
	if (IsA(ball, FuncExpr) && list_length(((FuncExpr *) ball)->args) == 2)
	{
		Node	   *radius = lsecond(((FuncExpr *) ball)->args);

		if (IsA(radius, Const) && !((Const *) radius)->constisnull &&
			((Const *) radius)->consttype == INT4OID)
			return Max(0, Min(PHASH_BITS, DatumGetInt32(((Const *) radius)->constvalue)));
	}
	return -1;
}

/* Estimate the selectivity of a constant ball from the column's statistics */
static double
BallSelectivityFromStats(VariableStatData *vardata, const HammingBall *ball)
{
	double		uniform = UniformBallProbability(ball->radius);
	double		mcv_selec = 0.0;
	double		mcv_total = 0.0;
	double		nullfrac = 0.0;
	double		other_selec = uniform;
	AttStatsSlot sslot;
	int			i;

	if (!HeapTupleIsValid(vardata->statsTuple))
		return uniform;
	nullfrac = ((Form_pg_statistic) GETSTRUCT(vardata->statsTuple))->stanullfrac;

	if (get_attstatsslot(&sslot, vardata->statsTuple, STATISTIC_KIND_MCV,
						 InvalidOid, ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS))
	{
		for (i = 0; i < sslot.nvalues; i++)
		{
			mcv_total += sslot.numbers[i];
			if (PHashDistance(DatumGetPHash(sslot.values[i]), ball->center) <= ball->radius)
				mcv_selec += sslot.numbers[i];
		}
		free_attstatsslot(&sslot);
	}

	if (get_attstatsslot(&sslot, vardata->statsTuple, STATISTIC_KIND_HISTOGRAM,
						 InvalidOid, ATTSTATSSLOT_VALUES))
	{
		int			inside = 0;

		for (i = 0; i < sslot.nvalues; i++)
			if (PHashDistance(DatumGetPHash(sslot.values[i]), ball->center) <= ball->radius)
				inside++;
		if (sslot.nvalues > 0)
			other_selec = Max(other_selec, (double) inside / sslot.nvalues);
		free_attstatsslot(&sslot);
	}

	return mcv_selec + other_selec * Max(0.0, 1.0 - mcv_total - nullfrac);
}

/* Restriction selectivity of <@ (phash, hamming_ball) and @> */
PG_FUNCTION_INFO_V1(hamming_ball_restrict_sel);
Datum
hamming_ball_restrict_sel(PG_FUNCTION_ARGS)
{
	PlannerInfo *root = (PlannerInfo *) PG_GETARG_POINTER(0);
	List	   *args = (List *) PG_GETARG_POINTER(2);
	int			varRelid = PG_GETARG_INT32(3);
	VariableStatData vardata;
	Node	   *other;
	bool		varonleft;
	HammingBall *ball;
	int			radius;
	double		selec;

	if (!get_restriction_variable(root, args, varRelid,
								  &vardata, &other, &varonleft))
		PG_RETURN_FLOAT8(DEFAULT_HAMMING_SEL);

	radius = BallRadius(other, BallTypeOfOperator(PG_GETARG_OID(1)), &ball);
	if (ball != NULL)
		selec = BallSelectivityFromStats(&vardata, ball);
	else if (radius >= 0)
		selec = UniformBallProbability(radius);
	else
		selec = DEFAULT_HAMMING_SEL;
	ReleaseVariableStats(vardata);

	CLAMP_PROBABILITY(selec);
	PG_RETURN_FLOAT8(selec);
}

/*
 * Join selectivity of <@ and @>: the ball's centre comes from the other
 * relation, so only the radius is known; take the uniform probability.
 */
PG_FUNCTION_INFO_V1(hamming_ball_join_sel);
Datum
hamming_ball_join_sel(PG_FUNCTION_ARGS)
{
	Oid			ball_type = BallTypeOfOperator(PG_GETARG_OID(1));
	List	   *args = (List *) PG_GETARG_POINTER(2);
	HammingBall *ball;
	int			radius = -1;
	ListCell   *lc;
	double		selec;

	foreach(lc, args)
	{
		if (radius < 0)
			radius = BallRadius((Node *) lfirst(lc), ball_type, &ball);
	}
	selec = radius >= 0 ? UniformBallProbability(radius) : DEFAULT_HAMMING_SEL;
	CLAMP_PROBABILITY(selec);
	PG_RETURN_FLOAT8(selec);
}
