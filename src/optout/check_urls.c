/*-------------------------------------------------------------------------
 *
 * check_urls.c
 *	  optout_check_urls(): a batch of URLs against the opt-out registry,
 *	  one row per URL with whether it is opted out, why and by which entry.
 *
 * A backend checks up to 10,000 URLs per call, and the answer must come
 * in tens of milliseconds.  The same check written as one SQL query spent
 * most of its time outside the lookups (normalising each URL twice,
 * materialising and joining the batch three times, sorting the names),
 * and a btree descent per key costs 1 to 2 us at a million entries.  So
 * this function does the whole check in one pass:
 *
 *	1. each URL is normalised once (url_normalize()), giving its normal
 *	   form, its 64-bit key hashtextextended(normal, 0), and its host with
 *	   the domains it is under down to the registrable one (url_sql.h);
 *	2. the registry's URL entries are found in optout_url_key (the int8
 *	   btree on that same key) for the batch's keys, sorted, in one walk
 *	   along its leaves (CheckWalkInt8), and an entry matches
 *	   the URLs whose normal form it equals (a key collision never
 *	   matches: the texts are compared);
 *	3. the domain entries are found in optout_domain_normal for the
 *	   batch's distinct hosts and parent domains (a hash table of names,
 *	   each leading to the URLs it is a level of); an entry for a host
 *	   matches it always, one for a parent domain when its subdomains
 *	   flag is set;
 *	4. a URL entry wins over a domain entry; among entries of one kind the
 *	   lowest id wins.
 *
 * The domain lookup is one index scan, a descent per name or, when the
 * batch has many names per page of the index, one pass over the whole
 * index (CheckScan): a batch of 10,000 URLs has about 20,000 names, and
 * the 100k-entry domain list of the benchmark fits in 500 pages.  (Names
 * are not walked as the keys are: a walk needs them sorted in the index's
 * collation first, with strcoll() under most locales.)
 *
 * The scans run with the caller's rights: the caller needs SELECT on
 * optout_url and optout_domain, as a query would, and a table with row
 * security enabled is refused rather than read past its policies.  The
 * tables and indexes are the extension's own, found in the schema the
 * function lives in.
 *
 * src/optout/check_urls.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/itup.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/predicate.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "url/url_sql.h"

/* The entry that opts a URL out, by URL or by domain */
typedef struct CheckEntry
{
	bool		found;
	int64		id;
	Datum		entry;			/* the entry as registered (text) */
	Datum		source;			/* its source (text) */
} CheckEntry;

/* One URL of the batch */
typedef struct CheckedUrl
{
	Datum		url;			/* the element as given */
	bool		isnull;
	text	   *normal;			/* its normal form; NULL if not a URL */
	int64		key;			/* hashtextextended(normal, 0) */
	CheckEntry	by_url;
	CheckEntry	by_domain;
} CheckedUrl;

/* A host or parent domain of one URL: level 0 is the host itself */
typedef struct CheckLevel
{
	const char *name;			/* NUL-terminated */
	int			len;
	int			url;			/* index into the batch */
	int			level;
	int			next;			/* the next level of the same name, or -1 */
} CheckLevel;

/* The registry's relations and the columns read from them */
typedef struct CheckRelations
{
	Relation	url_heap;
	Relation	url_key_index;
	Relation	domain_heap;
	Relation	domain_index;
	AttrNumber	url_id,
				url_url,
				url_normal,
				url_source;
	AttrNumber	domain_id,
				domain_domain,
				domain_normal,
				domain_subdomains,
				domain_source;
	Oid			normal_collation;	/* url_normal's, which the key hashes with */
} CheckRelations;

/* A relation of the registry, by name in the extension's schema */
static Oid
CheckFind(Oid nsp, const char *name, bool is_index)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(is_index ? ERRCODE_UNDEFINED_OBJECT : ERRCODE_UNDEFINED_TABLE),
				 errmsg("%s \"%s.%s\" does not exist", is_index ? "index" : "relation",
						get_namespace_name(nsp), name),
				 errhint("The opt-out registry is part of the imgsearch extension; reinstall it.")));
	return relid;
}

/* A registry table, checked for the caller's rights, locked */
static Relation
CheckOpenTable(Oid nsp, const char *name)
{
	Oid			relid = CheckFind(nsp, name, false);
	AclResult	acl;

	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, name);
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("optout_check_urls() does not apply row-level security, which is enabled on \"%s\"", name),
				 errhint("Check the URLs with a query on the registry's tables instead.")));
	return table_open(relid, AccessShareLock);
}

/* A registry index: a btree on one key of heap */
static Relation
CheckOpenIndex(Oid nsp, const char *name, Relation heap)
{
	Relation	index = index_open(CheckFind(nsp, name, true), AccessShareLock);

	if (index->rd_rel->relam != BTREE_AM_OID ||
		index->rd_index->indrelid != RelationGetRelid(heap) ||
		index->rd_index->indnkeyatts != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" is not the one the imgsearch extension created", name),
				 errhint("The opt-out registry is part of the imgsearch extension; reinstall it.")));
	return index;
}

/* The number of a column the registry must have */
static AttrNumber
CheckColumn(Relation rel, const char *name)
{
	AttrNumber	attno = get_attnum(RelationGetRelid(rel), name);

	if (attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel))));
	return attno;
}

static void
CheckOpen(Oid nsp, CheckRelations *rels)
{
	rels->url_heap = CheckOpenTable(nsp, "optout_url");
	rels->domain_heap = CheckOpenTable(nsp, "optout_domain");
	rels->url_key_index = CheckOpenIndex(nsp, "optout_url_key", rels->url_heap);
	rels->domain_index = CheckOpenIndex(nsp, "optout_domain_normal", rels->domain_heap);
	rels->url_id = CheckColumn(rels->url_heap, "id");
	rels->url_url = CheckColumn(rels->url_heap, "url");
	rels->url_normal = CheckColumn(rels->url_heap, "url_normal");
	rels->url_source = CheckColumn(rels->url_heap, "source");
	rels->domain_id = CheckColumn(rels->domain_heap, "id");
	rels->domain_domain = CheckColumn(rels->domain_heap, "domain");
	rels->domain_normal = CheckColumn(rels->domain_heap, "domain_normal");
	rels->domain_subdomains = CheckColumn(rels->domain_heap, "subdomains");
	rels->domain_source = CheckColumn(rels->domain_heap, "source");
	rels->normal_collation =
		TupleDescAttr(RelationGetDescr(rels->url_heap), rels->url_normal - 1)->attcollation;
}

static void
CheckClose(CheckRelations *rels)
{
	index_close(rels->url_key_index, AccessShareLock);
	index_close(rels->domain_index, AccessShareLock);
	table_close(rels->url_heap, AccessShareLock);
	table_close(rels->domain_heap, AccessShareLock);
}

/* The key optout_url_key indexes a normal form by */
static int64
CheckUrlKey(text *normal, Oid collation)
{
	return DatumGetInt64(DirectFunctionCall2Coll(hashtextextended, collation,
												 PointerGetDatum(normal), Int64GetDatum(0)));
}

/* Keep the entry with the lowest id */
static void
CheckKeep(CheckEntry *e, int64 id, Datum entry, Datum source)
{
	if (e->found && e->id <= id)
		return;
	e->found = true;
	e->id = id;
	e->entry = entry;
	e->source = source;
}

/* A column that must not be NULL */
static Datum
CheckGet(TupleTableSlot *slot, AttrNumber attno)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attno, &isnull);

	if (isnull)
		elog(ERROR, "unexpected NULL in the opt-out registry");
	return d;
}

/*
 * The batch's hosts and parent domains by name, for the domain entries
 * to find theirs: each distinct name leads to a chain of the levels that
 * have it.  Open addressing over a power-of-two table of name numbers
 * (0 is empty), built in one pass without sorting.
 */
typedef struct CheckNames
{
	CheckLevel *levels;
	int		   *heads;			/* per name, its first level */
	int			nnames;
	int		   *slots;
	uint32		mask;
} CheckNames;

static uint32
CheckNameHash(const char *name, int len)
{
	return hash_bytes((const unsigned char *) name, len);
}

/* The number of a name, or -1 */
static int
CheckNamesFind(const CheckNames *names, const char *name, int len)
{
	for (uint32 h = CheckNameHash(name, len) & names->mask;
		 names->slots[h] != 0; h = (h + 1) & names->mask)
	{
		const CheckLevel *l = &names->levels[names->heads[names->slots[h] - 1]];

		if (l->len == len && memcmp(l->name, name, len) == 0)
			return names->slots[h] - 1;
	}
	return -1;
}

static void
CheckNamesBuild(CheckNames *names, CheckLevel *levels, int nlevels)
{
	uint32		size = 16;

	while (size < 2 * (uint32) nlevels)
		size <<= 1;
	names->levels = levels;
	names->heads = palloc(sizeof(int) * Max(nlevels, 1));
	names->nnames = 0;
	names->slots = palloc0(sizeof(int) * size);
	names->mask = size - 1;
	for (int i = 0; i < nlevels; i++)
	{
		CheckLevel *l = &levels[i];
		uint32		h = CheckNameHash(l->name, l->len) & names->mask;

		for (;; h = (h + 1) & names->mask)
		{
			int			slot = names->slots[h];
			CheckLevel *head;

			if (slot == 0)
			{
				names->heads[names->nnames++] = i;
				names->slots[h] = names->nnames;
				l->next = -1;
				break;
			}
			head = &levels[names->heads[slot - 1]];
			if (head->len == l->len && memcmp(head->name, l->name, l->len) == 0)
			{
				l->next = names->heads[slot - 1];
				names->heads[slot - 1] = i;
				break;
			}
		}
	}
}

/*
 * The registry's rows for a batch's keys, from a btree on one key, in one
 * of two ways:
 *
 *	- a descent per key: one index scan with the keys as one array
 *	  ("= ANY"), which the btree sorts and descends once per key for;
 *	- one pass over the whole index in order, testing each of its keys
 *	  with want() and reading the heap only for those wanted.
 *
 * A descent costs about as much as reading 1/CHECK_KEYS_PER_PAGE of a leaf
 * page in the pass (at 10M rows, test/bench/bench_optout.sh: about 1.1 us
 * a descent of the 100k-entry domain index, 14 us a leaf page of about 200
 * keys in the pass), so the pass is taken when the batch has more keys
 * than that per page of the index: a large batch against a small list.
 * Either way each visible heap row found goes to match().
 */
typedef bool (*CheckWantFn) (Datum key, void *arg);
typedef void (*CheckMatchFn) (TupleTableSlot *slot, void *arg);

#define CHECK_KEYS_PER_PAGE 10

static void
CheckScanKeys(IndexScanDesc scan, Relation index, Datum *keys, int nkeys, Oid keytype,
			  RegProcedure eqproc, TupleTableSlot *slot, CheckMatchFn match, void *arg)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	ScanKeyData skey;

	get_typlenbyvalalign(keytype, &typlen, &typbyval, &typalign);
	ScanKeyEntryInitialize(&skey, SK_SEARCHARRAY, 1, BTEqualStrategyNumber,
						   InvalidOid, index->rd_indcollation[0], eqproc,
						   PointerGetDatum(construct_array(keys, nkeys, keytype,
														   typlen, typbyval, typalign)));
	index_rescan(scan, &skey, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		match(slot, arg);
	}
}

static void
CheckScanWhole(IndexScanDesc scan, TupleTableSlot *slot, CheckWantFn want,
			   CheckMatchFn match, void *arg)
{
	ItemPointer tid;
	uint32		seen = 0;

	index_rescan(scan, NULL, 0, NULL, 0);
	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		key;

		if ((++seen & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		key = index_getattr(scan->xs_itup, 1, scan->xs_itupdesc, &isnull);
		if (isnull || !want(key, arg))
			continue;
		/* the row this index entry leads to, if the snapshot sees it */
		do
		{
			if (index_fetch_heap(scan, slot))
				match(slot, arg);
		} while (scan->xs_heap_continue);
	}
}

static void
CheckScan(Relation heap, Relation index, Datum *keys, int nkeys, Oid keytype,
		  RegProcedure eqproc, CheckWantFn want, CheckMatchFn match, void *arg)
{
	bool		whole;
	IndexScanDesc scan;
	TupleTableSlot *slot;

	if (nkeys == 0)
		return;
	whole = (double) nkeys > CHECK_KEYS_PER_PAGE * RelationGetNumberOfBlocks(index);
	slot = table_slot_create(heap, NULL);
	scan = index_beginscan(heap, index, GetActiveSnapshot(), whole ? 0 : 1, 0);
	scan->xs_want_itup = whole;
	if (whole)
		CheckScanWhole(scan, slot, want, match, arg);
	else
		CheckScanKeys(scan, index, keys, nkeys, keytype, eqproc, slot, match, arg);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * The rows of a btree on one int8 key (ascending) for sorted, distinct
 * keys, in one walk along its leaves.  A descent per key (what "= ANY"
 * does on PostgreSQL 15) costs 1 to 2 us, mostly re-reading the same root
 * and inner pages; a batch of 10,000 keys over an index of a few thousand
 * leaves has several keys per leaf.  So the walk descends once
 * (_bt_search), finds each key by a binary search in the current leaf,
 * moves right (the leaves' right links, as a forward scan does) while the
 * next key is beyond the leaf's high key, and descends again only when it
 * would move past CHECK_WALK_RIGHT leaves.
 *
 * Each leaf is read under a share lock, as nbtree's own scans read it;
 * following right links is safe under concurrent splits (Lehman and Yao:
 * keys only ever move right), and a deleted or half-dead leaf is passed
 * over to its right.  Entries marked dead are not trusted (a hot standby
 * ignores those marks too): every TID found is fetched from the heap with
 * the snapshot, after the leaf's lock is released, and the heap row, not
 * the index entry, decides (match() compares the texts).  Each leaf read
 * takes the serializable predicate lock an index scan would.
 */
#define CHECK_WALK_RIGHT 3

/* The int8 key of item off of a leaf; NULL sorts after every value */
static bool
CheckItemKey(Page page, OffsetNumber off, TupleDesc desc, int64 *key)
{
	IndexTuple	itup = (IndexTuple) PageGetItem(page, PageGetItemId(page, off));
	bool		isnull;
	Datum		d = index_getattr(itup, 1, desc, &isnull);

	if (isnull)
		return false;
	*key = DatumGetInt64(d);
	return true;
}

/* Whether key is beyond the high key of a leaf (never, for the rightmost) */
static bool
CheckBeyondLeaf(Page page, TupleDesc desc, int64 key)
{
	BTPageOpaque opaque = BTPageGetOpaque(page);
	int64		hikey;

	if (P_RIGHTMOST(opaque))
		return false;
	/* a high key is never NULL for a NOT NULL key; if it were, all fit */
	return CheckItemKey(page, P_HIKEY, desc, &hikey) && key > hikey;
}

static void
CheckWalkInt8(Relation heap, Relation index, const Datum *keys, int nkeys,
			  CheckMatchFn match, void *arg)
{
	TupleDesc	desc = RelationGetDescr(index);
	Snapshot	snapshot = GetActiveSnapshot();
	BTScanInsert inskey;
	IndexTuple	first;
	bool		isnull = false;
	Buffer		buf = InvalidBuffer;
	ItemPointerData *tids;
	int			ntids = 0,
				maxtids = 64;
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;

	if (nkeys == 0)
		return;
	/* the insertion scan key of a descent, its value set per key */
	first = index_form_tuple(desc, (Datum *) &keys[0], &isnull);
	inskey = _bt_mkscankey(index, first);
	inskey->scantid = NULL;
	tids = palloc(sizeof(ItemPointerData) * maxtids);

	for (int k = 0; k < nkeys; k++)
	{
		int64		key = DatumGetInt64(keys[k]);
		Page		page;
		BTPageOpaque opaque;
		OffsetNumber lo,
					hi,
					maxoff;
		int			moves = 0;
		int64		hikey;

		CHECK_FOR_INTERRUPTS();
		/* the leaf that may hold key: to the right, or by a new descent */
		while (BufferIsValid(buf))
		{
			page = BufferGetPage(buf);
			opaque = BTPageGetOpaque(page);
			if (!P_IGNORE(opaque) && !CheckBeyondLeaf(page, desc, key))
				break;
			if (P_RIGHTMOST(opaque) || ++moves > CHECK_WALK_RIGHT)
			{
				_bt_relbuf(index, buf);
				buf = InvalidBuffer;
				break;
			}
			buf = _bt_relandgetbuf(index, buf, opaque->btpo_next, BT_READ);
			PredicateLockPage(index, BufferGetBlockNumber(buf), snapshot);
		}
		if (!BufferIsValid(buf))
		{
			inskey->scankeys[0].sk_argument = keys[k];
			_bt_freestack(_bt_search(index, inskey, &buf, BT_READ, snapshot));
			pgstat_count_index_scan(index);
			if (!BufferIsValid(buf))
				break;			/* an empty index */
			PredicateLockPage(index, BufferGetBlockNumber(buf), snapshot);
		}

		/* the entries equal to key, from the first not below it */
		for (;;)
		{
			page = BufferGetPage(buf);
			opaque = BTPageGetOpaque(page);
			if (P_IGNORE(opaque))
			{
				/* a deleted leaf, met while following equal entries */
				if (P_RIGHTMOST(opaque))
					break;
				buf = _bt_relandgetbuf(index, buf, opaque->btpo_next, BT_READ);
				PredicateLockPage(index, BufferGetBlockNumber(buf), snapshot);
				continue;
			}
			maxoff = PageGetMaxOffsetNumber(page);
			lo = P_FIRSTDATAKEY(opaque);
			hi = maxoff + 1;
			while (lo < hi)
			{
				OffsetNumber mid = lo + (hi - lo) / 2;
				int64		v;

				if (CheckItemKey(page, mid, desc, &v) && v < key)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo <= maxoff; lo++)
			{
				IndexTuple	itup = (IndexTuple) PageGetItem(page, PageGetItemId(page, lo));
				int64		v;
				int			n;

				if (!CheckItemKey(page, lo, desc, &v) || v != key)
					break;
				n = BTreeTupleIsPosting(itup) ? BTreeTupleGetNPosting(itup) : 1;
				if (ntids + n > maxtids)
				{
					maxtids = 2 * (ntids + n);
					tids = repalloc(tids, sizeof(ItemPointerData) * maxtids);
				}
				for (int i = 0; i < n; i++)
					tids[ntids++] = BTreeTupleIsPosting(itup) ?
						*BTreeTupleGetPostingN(itup, i) : itup->t_tid;
			}
			/*
			 * equal entries go on in the next leaf only when the high key
			 * equals key (many duplicates)
			 */
			if (lo <= maxoff || P_RIGHTMOST(opaque) ||
				!CheckItemKey(page, P_HIKEY, desc, &hikey) || hikey != key)
				break;
			buf = _bt_relandgetbuf(index, buf, opaque->btpo_next, BT_READ);
			PredicateLockPage(index, BufferGetBlockNumber(buf), snapshot);
		}
	}
	if (BufferIsValid(buf))
		_bt_relbuf(index, buf);
	pgstat_count_index_tuples(index, ntids);

	/* the heap rows, seen through the snapshot */
	slot = table_slot_create(heap, NULL);
	fetch = table_index_fetch_begin(heap);
	for (int i = 0; i < ntids; i++)
	{
		bool		call_again = false;
		bool		all_dead;

		CHECK_FOR_INTERRUPTS();
		do
		{
			if (table_index_fetch_tuple(fetch, &tids[i], snapshot, slot, &call_again, &all_dead))
				match(slot, arg);
		} while (call_again);
	}
	table_index_fetch_end(fetch);
	ExecDropSingleTupleTableSlot(slot);
}

/* URL entries: the batch's URLs sorted by key, to find by an entry's key */
typedef struct CheckUrlMatch
{
	CheckRelations *rels;
	CheckedUrl *urls;
	int		   *by_key;			/* indexes of URLs with a normal form */
	int			nkeyed;
} CheckUrlMatch;

static int
CheckCompareKeys(const void *a, const void *b, void *arg)
{
	const CheckedUrl *urls = arg;
	int64		ka = urls[*(const int *) a].key;
	int64		kb = urls[*(const int *) b].key;

	return (ka > kb) - (ka < kb);
}

/* The first of the batch's URLs (in key order) whose key is not below key */
static int
CheckFirstUrl(const CheckUrlMatch *m, int64 key)
{
	int			lo = 0,
				hi = m->nkeyed;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (m->urls[m->by_key[mid]].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
CheckMatchUrl(TupleTableSlot *slot, void *arg)
{
	CheckUrlMatch *m = arg;
	CheckRelations *rels = m->rels;
	text	   *normal = DatumGetTextPP(CheckGet(slot, rels->url_normal));
	int64		key = CheckUrlKey(normal, rels->normal_collation);
	int64		id = DatumGetInt64(CheckGet(slot, rels->url_id));
	Datum		entry = 0,
				source = 0;

	for (int lo = CheckFirstUrl(m, key); lo < m->nkeyed && m->urls[m->by_key[lo]].key == key; lo++)
	{
		CheckedUrl *u = &m->urls[m->by_key[lo]];

		if (VARSIZE_ANY_EXHDR(u->normal) != VARSIZE_ANY_EXHDR(normal) ||
			memcmp(VARDATA_ANY(u->normal), VARDATA_ANY(normal), VARSIZE_ANY_EXHDR(normal)) != 0)
			continue;
		if (entry == 0)
		{
			entry = PointerGetDatum(DatumGetTextPCopy(CheckGet(slot, rels->url_url)));
			source = PointerGetDatum(DatumGetTextPCopy(CheckGet(slot, rels->url_source)));
		}
		CheckKeep(&u->by_url, id, entry, source);
	}
}

/* Domain entries: the batch's hosts and parent domains, by name */
typedef struct CheckDomainMatch
{
	CheckRelations *rels;
	CheckedUrl *urls;
	const CheckNames *names;
} CheckDomainMatch;

static bool
CheckWantDomain(Datum key, void *arg)
{
	const CheckDomainMatch *m = arg;
	text	   *name = DatumGetTextPP(key);
	bool		found = CheckNamesFind(m->names, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) >= 0;

	if ((Pointer) name != DatumGetPointer(key))
		pfree(name);
	return found;
}

static void
CheckMatchDomain(TupleTableSlot *slot, void *arg)
{
	CheckDomainMatch *m = arg;
	CheckRelations *rels = m->rels;
	text	   *normal = DatumGetTextPP(CheckGet(slot, rels->domain_normal));
	int64		id = DatumGetInt64(CheckGet(slot, rels->domain_id));
	bool		subdomains = DatumGetBool(CheckGet(slot, rels->domain_subdomains));
	int			name = CheckNamesFind(m->names, VARDATA_ANY(normal), VARSIZE_ANY_EXHDR(normal));
	Datum		entry = 0,
				source = 0;

	if (name < 0)
		return;
	for (int i = m->names->heads[name]; i >= 0; i = m->names->levels[i].next)
	{
		const CheckLevel *l = &m->names->levels[i];

		if (l->level > 0 && !subdomains)
			continue;
		if (entry == 0)
		{
			entry = PointerGetDatum(DatumGetTextPCopy(CheckGet(slot, rels->domain_domain)));
			source = PointerGetDatum(DatumGetTextPCopy(CheckGet(slot, rels->domain_source)));
		}
		CheckKeep(&m->urls[l->url].by_domain, id, entry, source);
	}
}

PG_FUNCTION_INFO_V1(optout_check_urls);
Datum
optout_check_urls(PG_FUNCTION_ARGS)
{
	ArrayType  *batch = PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				old;
	CheckRelations rels;
	CheckedUrl *urls;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int		   *by_key;
	int			nkeyed = 0;
	CheckLevel *levels;
	int			nlevels = 0,
				maxlevels = 64;
	Datum	   *keys;
	int			nkeys;

	InitMaterializedSRF(fcinfo, 0);

	work = AllocSetContextCreate(CurrentMemoryContext, "optout_check_urls",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	CheckOpen(get_func_namespace(fcinfo->flinfo->fn_oid), &rels);

	/*
	 * 1. normalise each URL once: its normal form, key, host and domains
	 * (an array of any shape is read in storage order, as unnest() does)
	 */
	deconstruct_array(batch, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	urls = palloc0(sizeof(CheckedUrl) * Max(n, 1));
	by_key = palloc(sizeof(int) * Max(n, 1));
	levels = palloc(sizeof(CheckLevel) * maxlevels);
	for (int i = 0; i < n; i++)
	{
		CheckedUrl *u = &urls[i];
		UrlNormal	res;
		const char **names;
		int			nnames;

		CHECK_FOR_INTERRUPTS();
		u->url = elems[i];
		u->isnull = nulls[i];
		if (nulls[i] || !UrlNormalizeText(DatumGetTextPP(elems[i]), &res))
			continue;
		u->normal = cstring_to_text_with_len(res.text, res.len);
		u->key = CheckUrlKey(u->normal, rels.normal_collation);
		by_key[nkeyed++] = i;

		names = palloc(sizeof(char *) * URL_HOST_LEVELS_MAX(res.host_len));
		nnames = UrlHostLevels(&res, names);
		if (nlevels + nnames > maxlevels)
		{
			maxlevels = 2 * (nlevels + nnames);
			levels = repalloc(levels, sizeof(CheckLevel) * maxlevels);
		}
		for (int l = 0; l < nnames; l++)
			levels[nlevels++] = (CheckLevel) {names[l], strlen(names[l]), i, l, -1};
		pfree(names);
		pfree(res.text);
	}

	/* 2. URL entries, by key: each key once, in order */
	qsort_arg(by_key, nkeyed, sizeof(int), CheckCompareKeys, urls);
	keys = palloc(sizeof(Datum) * Max(nkeyed, 1));
	nkeys = 0;
	for (int i = 0; i < nkeyed; i++)
		if (nkeys == 0 || urls[by_key[i]].key != DatumGetInt64(keys[nkeys - 1]))
			keys[nkeys++] = Int64GetDatum(urls[by_key[i]].key);
	{
		CheckUrlMatch m = {&rels, urls, by_key, nkeyed};

		CheckWalkInt8(rels.url_heap, rels.url_key_index, keys, nkeys, CheckMatchUrl, &m);
	}

	/* 3. domain entries, by host and parent domain: each name once */
	{
		CheckNames names;
		CheckDomainMatch m = {&rels, urls, &names};

		CheckNamesBuild(&names, levels, nlevels);
		keys = repalloc(keys, sizeof(Datum) * Max(names.nnames, 1));
		for (int i = 0; i < names.nnames; i++)
			keys[i] = CStringGetTextDatum(levels[names.heads[i]].name);
		CheckScan(rels.domain_heap, rels.domain_index, keys, names.nnames, TEXTOID, F_TEXTEQ,
				  CheckWantDomain, CheckMatchDomain, &m);
	}
	CheckClose(&rels);

	/* 4. one row per URL, in order: a URL entry first, else a domain's */
	MemoryContextSwitchTo(old);
	for (int i = 0; i < n; i++)
	{
		CheckedUrl *u = &urls[i];
		CheckEntry *e = u->by_url.found ? &u->by_url : u->by_domain.found ? &u->by_domain : NULL;
		Datum		values[8];
		bool		isnull[8] = {false};

		values[0] = Int64GetDatum(i + 1);
		values[1] = u->url;
		isnull[1] = u->isnull;
		values[2] = PointerGetDatum(u->normal);
		isnull[2] = u->normal == NULL;
		values[3] = BoolGetDatum(e != NULL);
		if (e != NULL)
		{
			values[4] = CStringGetTextDatum(e == &u->by_url ? "url" : "domain");
			values[5] = Int64GetDatum(e->id);
			values[6] = e->entry;
			values[7] = e->source;
		}
		else
			isnull[4] = isnull[5] = isnull[6] = isnull[7] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	MemoryContextDelete(work);
	return (Datum) 0;
}
