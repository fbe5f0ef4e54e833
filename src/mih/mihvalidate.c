/*-------------------------------------------------------------------------
 *
 * mihvalidate.c
 *	  Check a mih operator class: the three strategies (phash <@
 *	  hamming_ball, phash = phash for search, phash <~> phash for ORDER BY
 *	  with an integer btree family) with their signatures, and no support
 *	  functions.
 *
 * src/mih/mihvalidate.c
 *
 *-------------------------------------------------------------------------
 */
#include "mih.h"

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

/* Validate the operator class opclassoid; report problems as INFO */
bool
mihvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	Oid			opfamilyoid,
				opcintype;
	char	   *opclassname;
	CatCList   *oprlist,
			   *proclist;
	bool		seen[MIH_NSTRATEGIES + 1] = {false};

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opfamilyoid = classform->opcfamily;
	opcintype = classform->opcintype;
	opclassname = NameStr(classform->opcname);

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));

	for (int i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc procform = (Form_pg_amproc) GETSTRUCT(&proclist->members[i]->tuple);

		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("operator family of mih operator class \"%s\" contains support function %s, but mih uses none",
						opclassname, format_procedure(procform->amproc))));
		result = false;
	}

	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);
		bool		ok;

		if (oprform->amopstrategy < 1 || oprform->amopstrategy > MIH_NSTRATEGIES)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator family of mih operator class \"%s\" contains operator %s with invalid strategy number %d",
							opclassname, format_operator(oprform->amopopr),
							oprform->amopstrategy)));
			result = false;
			continue;
		}
		if (oprform->amopstrategy == MIH_DISTANCE_STRATEGY)
			ok = oprform->amoppurpose == AMOP_ORDER &&
				oprform->amoplefttype == opcintype &&
				oprform->amoprighttype == opcintype &&
				check_amop_signature(oprform->amopopr, INT4OID,
									 oprform->amoplefttype,
									 oprform->amoprighttype) &&
				opfamily_can_sort_type(oprform->amopsortfamily, INT4OID);
		else
			ok = oprform->amoppurpose == AMOP_SEARCH &&
				oprform->amoplefttype == opcintype &&
				(oprform->amopstrategy == MIH_EQUAL_STRATEGY ?
				 oprform->amoprighttype == opcintype :
				 get_typ_typrelid(oprform->amoprighttype) == InvalidOid) &&
				check_amop_signature(oprform->amopopr, BOOLOID,
									 oprform->amoplefttype,
									 oprform->amoprighttype);
		if (!ok)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator family of mih operator class \"%s\" contains operator %s with wrong signature or purpose for strategy %d",
							opclassname, format_operator(oprform->amopopr),
							oprform->amopstrategy)));
			result = false;
		}
		seen[oprform->amopstrategy] = true;
	}

	for (int s = 1; s <= MIH_NSTRATEGIES; s++)
		if (!seen[s])
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("mih operator class \"%s\" is missing the operator for strategy %d",
							opclassname, s)));
			result = false;
		}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(classtup);
	return result;
}
