/*-------------------------------------------------------------------------
 *
 * capvalidate.c
 *	  Check a caption operator class: one search operator, strategy 1,
 *	  text @@@ text returning boolean, and no support functions.
 *
 * src/caption/index/capvalidate.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

bool
capvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	char	   *opclassname;
	CatCList   *oprlist;
	CatCList   *proclist;
	bool		seen = false;

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opclassname = NameStr(classform->opcname);

	if (classform->opcintype != TEXTOID)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("caption operator class \"%s\" is not for type text",
						opclassname)));
		result = false;
	}

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(classform->opcfamily));
	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(classform->opcfamily));

	for (int i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc procform = (Form_pg_amproc) GETSTRUCT(&proclist->members[i]->tuple);

		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("operator family of caption operator class \"%s\" contains support function %s, but the caption index uses none",
						opclassname, format_procedure(procform->amproc))));
		result = false;
	}

	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);

		if (oprform->amopstrategy != CAP_MATCH_STRATEGY ||
			oprform->amoppurpose != AMOP_SEARCH ||
			oprform->amoplefttype != TEXTOID || oprform->amoprighttype != TEXTOID ||
			!check_amop_signature(oprform->amopopr, BOOLOID, TEXTOID, TEXTOID))
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator family of caption operator class \"%s\" contains operator %s with wrong strategy, signature or purpose",
							opclassname, format_operator(oprform->amopopr))));
			result = false;
			continue;
		}
		seen = true;
	}
	if (!seen)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("caption operator class \"%s\" is missing the operator for strategy %d",
						opclassname, CAP_MATCH_STRATEGY)));
		result = false;
	}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(classtup);
	return result;
}
