/*-------------------------------------------------------------------------
 *
 * capsupport.c
 *	  The planner support function of caption_matches(caption, query),
 *	  which since 0.4 is a C function (caption @@@ query's own) instead of
 *	  an inlined SQL one:
 *
 *	- SupportRequestSimplify: caption_matches(column, q) on a table column
 *	  becomes caption @@@ q when a caption index is on the column, so that
 *	  the index (and its count and top-k scans) serve it with no filter
 *	  left on the rows; else, when a GIN index is on
 *	  caption_tsvector(column), what the SQL function of 0.3 inlined to,
 *	  caption_tsvector(caption) @@ caption_tsquery(q), so that the GIN index
 *	  serves it as before (the same answers: that is caption_matches'
 *	  definition);
 *	- SupportRequestIndexCondition: where the call stays (an index the
 *	  planner meets otherwise), caption @@@ q as a condition of a caption
 *	  index on the first argument, not lossy (capsearch.c says why it is
 *	  exact; PostgreSQL 15 still filters the rows of a bitmap scan on it);
 *	- SupportRequestSelectivity: caption @@@ q's estimate (capcost.c).
 *
 * src/caption/index/capsupport.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* A function of caption_matches' schema taking one text, or InvalidOid */
static Oid
CapSiblingFunction(Oid funcid, const char *name)
{
	Oid			argtypes[1] = {TEXTOID};
	char	   *schema = get_namespace_name(get_func_namespace(funcid));

	return LookupFuncName(list_make2(makeString(schema), makeString(pstrdup(name))),
						  1, argtypes, true);
}

/*
 * Does the relation have a caption index on the column (*caption), or a
 * GIN index on tsvector_fn(column) (*gin)
 */
static void
CapColumnIndexes(Oid relid, AttrNumber attno, Oid tsvector_fn, bool *caption, bool *gin)
{
	Relation	rel = table_open(relid, NoLock);
	List	   *indexes = RelationGetIndexList(rel);
	Oid			caption_am = get_index_am_oid("caption", true);
	ListCell   *lc;

	*caption = *gin = false;
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;

		if (form->indnatts == 1 && form->indisvalid && RelationGetIndexPredicate(index) == NIL)
		{
			if (index->rd_rel->relam == caption_am && form->indkey.values[0] == attno)
				*caption = true;
			else if (index->rd_rel->relam == GIN_AM_OID && form->indkey.values[0] == 0)
			{
				List	   *exprs = RelationGetIndexExpressions(index);
				FuncExpr   *f = exprs ? linitial(exprs) : NULL;

				if (f && IsA(f, FuncExpr) && f->funcid == tsvector_fn &&
					list_length(f->args) == 1 && IsA(linitial(f->args), Var) &&
					((Var *) linitial(f->args))->varattno == attno)
					*gin = true;
			}
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	table_close(rel, NoLock);
}

/*
 * caption_matches(column, q) as column @@@ q (a caption index on the
 * column) or caption_tsvector(column) @@ caption_tsquery(q) (a GIN index
 * on caption_tsvector(column)), or NULL to keep the call
 */
static Node *
CapSimplify(SupportRequestSimplify *req)
{
	FuncExpr   *f = req->fcall;
	Var		   *var;
	RangeTblEntry *rte;
	Oid			tsvector_fn;
	Oid			tsquery_fn;
	bool		caption;
	bool		gin;
	Expr	   *vec;
	Expr	   *query;

	if (req->root == NULL || list_length(f->args) != 2)
		return NULL;
	var = linitial(f->args);
	if (!IsA(var, Var) || var->varlevelsup != 0 || var->varattno <= 0 ||
		var->varno > list_length(req->root->parse->rtable))
		return NULL;
	rte = rt_fetch(var->varno, req->root->parse->rtable);
	if (rte->rtekind != RTE_RELATION)
		return NULL;
	tsvector_fn = CapSiblingFunction(f->funcid, "caption_tsvector");
	tsquery_fn = CapSiblingFunction(f->funcid, "caption_tsquery");
	if (!OidIsValid(tsvector_fn) || !OidIsValid(tsquery_fn))
		return NULL;
	CapColumnIndexes(rte->relid, var->varattno, tsvector_fn, &caption, &gin);
	if (caption)
	{
		char	   *schema = get_namespace_name(get_func_namespace(f->funcid));
		Oid			opno = LookupOperName(NULL, list_make2(makeString(schema), makeString("@@@")),
										  TEXTOID, TEXTOID, true, -1);

		if (!OidIsValid(opno))
			return NULL;
		return (Node *) make_opclause(opno, BOOLOID, false, (Expr *) copyObject(var),
									  copyObject(lsecond(f->args)), InvalidOid,
									  f->inputcollid);
	}
	if (!gin)
		return NULL;

	vec = (Expr *) makeFuncExpr(tsvector_fn, TSVECTOROID, list_make1(copyObject(var)),
								InvalidOid, f->inputcollid, COERCE_EXPLICIT_CALL);
	query = (Expr *) makeFuncExpr(tsquery_fn, TSQUERYOID, list_make1(copyObject(lsecond(f->args))),
								  InvalidOid, f->inputcollid, COERCE_EXPLICIT_CALL);
	/* (a constant query becomes a constant tsquery, as the GIN path wants) */
	return eval_const_expressions(req->root,
								  (Node *) make_opclause(LookupOperName(NULL,
																		list_make2(makeString("pg_catalog"),
																				   makeString("@@")),
																		TSVECTOROID, TSQUERYOID,
																		false, -1),
														 BOOLOID, false, vec, query,
														 InvalidOid, InvalidOid));
}

PG_FUNCTION_INFO_V1(caption_matches_support);
Datum
caption_matches_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestIndexCondition))
	{
		SupportRequestIndexCondition *req = (SupportRequestIndexCondition *) rawreq;
		FuncExpr   *f = (FuncExpr *) req->node;
		Oid			opno;
		Expr	   *query;
		Oid			caption_am = get_index_am_oid("caption", true);

		if (!IsA(f, FuncExpr) || list_length(f->args) != 2 || req->indexarg != 0 ||
			req->index->relam != caption_am || !OidIsValid(caption_am))
			PG_RETURN_POINTER(NULL);
		opno = get_opfamily_member(req->opfamily, TEXTOID, TEXTOID, CAP_MATCH_STRATEGY);
		query = lsecond(f->args);
		if (!OidIsValid(opno) ||
			bms_is_member(req->index->rel->relid, pull_varnos(req->root, (Node *) query)) ||
			contain_volatile_functions((Node *) query))
			PG_RETURN_POINTER(NULL);
		req->lossy = false;
		PG_RETURN_POINTER(list_make1(make_opclause(opno, BOOLOID, false,
												   copyObject(linitial(f->args)),
												   copyObject(query),
												   InvalidOid, f->inputcollid)));
	}
	if (IsA(rawreq, SupportRequestSimplify))
		PG_RETURN_POINTER(CapSimplify((SupportRequestSimplify *) rawreq));
	if (IsA(rawreq, SupportRequestSelectivity))
	{
		SupportRequestSelectivity *req = (SupportRequestSelectivity *) rawreq;
		double		sel;

		if (req->is_join)
			PG_RETURN_POINTER(NULL);
		sel = CapClauseSelectivity(req->root, req->args, req->varRelid);
		if (sel < 0)
			PG_RETURN_POINTER(NULL);
		req->selectivity = sel;
		PG_RETURN_POINTER(req);
	}
	PG_RETURN_POINTER(NULL);
}
