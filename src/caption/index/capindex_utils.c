/*-------------------------------------------------------------------------
 *
 * capindex_utils.c
 *	  The caption access method's handler and what its parts share: page
 *	  layout and checks, the metapage, reading a chain of pages as bytes,
 *	  options.
 *
 * src/caption/index/capindex_utils.c
 *
 *-------------------------------------------------------------------------
 */
#include "capindex.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/xlog.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"

PG_FUNCTION_INFO_V1(caption_handler);

static relopt_kind cap_relopt_kind;
static relopt_parse_elt cap_relopt_tab[1];

void
CapInitOptions(void)
{
	cap_relopt_kind = add_reloption_kind();
	add_int_reloption(cap_relopt_kind, "pending_list_limit",
					  "Size in kB the list of newly inserted captions may reach before it is written as a segment",
					  4096, 64, MAX_KILOBYTES, ShareUpdateExclusiveLock);
	cap_relopt_tab[0].optname = "pending_list_limit";
	cap_relopt_tab[0].opttype = RELOPT_TYPE_INT;
	cap_relopt_tab[0].offset = offsetof(CapOptions, pending_list_limit);
}

static bytea *
capoptions(Datum reloptions, bool validate)
{
	return (bytea *) build_reloptions(reloptions, validate, cap_relopt_kind,
									  sizeof(CapOptions), cap_relopt_tab,
									  lengthof(cap_relopt_tab));
}

/* The pending list's limit, in pages */
int
CapPendingLimitPages(Relation index)
{
	CapOptions *opts = (CapOptions *) index->rd_options;
	int			kb = opts ? opts->pending_list_limit : 4096;

	return Max(1, (int) ((int64) kb * 1024 / BLCKSZ));
}

/* Does the metapage reference the page's owner */
bool
CapPageIsLive(const CapMetaPageData *meta, Page page)
{
	CapPageOpaque opaque = CapPageGetOpaque(page);

	if (PageIsNew(page))
		return false;
	if (opaque->kind == CAP_PAGE_META)
		return true;
	for (int s = 0; s < meta->nsegments; s++)
		if (meta->segments[s].owner == opaque->owner)
			return true;
	return opaque->owner == meta->pending.owner ||
		(meta->flushing.head != InvalidBlockNumber && opaque->owner == meta->flushing.owner);
}

/*
 * May the page be reused: never written, or of an owner the metapage no
 * longer references, dropped before every snapshot
 */
bool
CapPageReusable(const CapMetaPageData *meta, Page page)
{
	if (PageIsNew(page))
		return true;
	if (PageGetSpecialSize(page) != MAXALIGN(sizeof(CapPageOpaqueData)) ||
		CapPageGetOpaque(page)->page_id != CAP_PAGE_ID)
		return false;			/* not ours: leave it */
	return !CapPageIsLive(meta, page) &&
		PageDropReusable(meta->drops, meta->ndrops, meta->last_drop,
						 CapPageGetOpaque(page)->owner);
}

void
CapInitPage(Page page, uint16 kind, uint16 level, uint32 owner)
{
	CapPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(CapPageOpaqueData));
	opaque = CapPageGetOpaque(page);
	opaque->kind = kind;
	opaque->level = level;
	opaque->owner = owner;
	opaque->next = InvalidBlockNumber;
	opaque->count = 0;
	opaque->page_id = CAP_PAGE_ID;
}

/*
 * A page for new contents, locked exclusively: one VACUUM found reusable
 * (checked again against meta, a copy of the metapage or the metapage
 * itself as its caller holds it), else a new one at the end of the index.
 * Without meta (the build), always a new one.
 */
Buffer
CapNewBuffer(Relation index, const CapMetaPageData *meta)
{
	Buffer		buffer;

	while (meta != NULL)
	{
		BlockNumber blkno = GetFreeIndexPage(index);

		if (blkno == InvalidBlockNumber)
			break;
		if (blkno == CAP_METAPAGE_BLKNO)
			continue;
		buffer = ReadBuffer(index, blkno);
		if (ConditionalLockBuffer(buffer))
		{
			if (CapPageReusable(meta, BufferGetPage(buffer)))
				return buffer;
			LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		}
		ReleaseBuffer(buffer);
	}

	return PageExtendIndex(index);
}

/*
 * Fill a new page (buf, locked exclusively) with len bytes of content and
 * log it whole; unlocks and releases buf.
 */
void
CapWriteNewPage(Relation index, Buffer buf, uint16 kind, uint16 level,
				uint32 owner, BlockNumber next, uint16 count,
				const char *content, Size len)
{
	GenericXLogState *state = GenericXLogStart(index);
	Page		page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	CapPageOpaque opaque;

	Assert(len <= CAP_PAGE_CONTENT);
	CapInitPage(page, kind, level, owner);
	opaque = CapPageGetOpaque(page);
	opaque->next = next;
	opaque->count = count;
	memcpy(PageGetContents(page), content, len);
	((PageHeader) page)->pd_lower = (PageGetContents(page) + len) - (char *) page;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/* Check that a locked page is of the kind and owner expected */
Page
CapCheckPage(Relation index, Buffer buf, uint16 kind, uint32 owner)
{
	Page		page = BufferGetPage(buf);
	CapPageOpaque opaque = CapPageGetOpaque(page);

	bool		wrong = PageIsNew(page) ||
		PageGetSpecialSize(page) != MAXALIGN(sizeof(CapPageOpaqueData)) ||
		opaque->page_id != CAP_PAGE_ID || opaque->kind != kind || opaque->owner != owner;

	/*
	 * On a hot standby without hot_standby_feedback, replay may reuse the
	 * pages of a list a long scan still reads: that scan has to start again
	 */
	if (wrong && RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("caption index \"%s\" was reorganised during the scan",
						RelationGetRelationName(index)),
				 errdetail("Block %u is no longer a page of kind %d of owner %u.",
						   BufferGetBlockNumber(buf), kind, owner),
				 errhint("Retry the query, or set hot_standby_feedback on the standby.")));
	if (wrong)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("caption index \"%s\" is corrupted: block %u is not a page of kind %d of owner %u",
						RelationGetRelationName(index), BufferGetBlockNumber(buf),
						kind, owner),
				 errhint("REINDEX the index.")));
	return page;
}

/* Read and lock (mode) a page, checking its kind and owner */
Buffer
CapReadPage(Relation index, BlockNumber blkno, uint16 kind, uint32 owner, int mode)
{
	Buffer		buf;

	if (blkno == InvalidBlockNumber || blkno == CAP_METAPAGE_BLKNO)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("caption index \"%s\" is corrupted: a link to block %u",
						RelationGetRelationName(index), blkno),
				 errhint("REINDEX the index.")));
	buf = ReadBuffer(index, blkno);
	LockBuffer(buf, mode);
	CapCheckPage(index, buf, kind, owner);
	return buf;
}

void
CapInitMeta(CapMetaPageData *meta)
{
	memset(meta, 0, sizeof(CapMetaPageData));
	meta->magic = CAP_MAGIC;
	meta->version = CAP_VERSION;
	meta->next_owner = CAP_FIRST_SEGMENT_OWNER;
	meta->pending.head = InvalidBlockNumber;
	meta->pending.tail = InvalidBlockNumber;
	meta->pending.owner = CAP_FIRST_PENDING_OWNER;
	meta->flushing.head = InvalidBlockNumber;
	meta->flushing.tail = InvalidBlockNumber;
}

/* A new owner id for a segment, from the metapage's counter (logged) */
uint32
CapAllocateOwner(Relation index)
{
	Buffer		metabuf = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	GenericXLogState *state;
	CapMetaPageData *m;
	uint32		owner;

	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	m = CapPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	owner = m->next_owner++;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(metabuf);
	return owner;
}

/* A copy of the metapage, checked */
void
CapReadMeta(Relation index, CapMetaPageData *meta)
{
	Buffer		buffer = ReadBuffer(index, CAP_METAPAGE_BLKNO);
	Page		page;
	CapMetaPageData *m;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buffer);
	m = CapPageGetMeta(page);
	if (PageIsNew(page) || m->magic != CAP_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not a caption index",
						RelationGetRelationName(index))));
	if (m->version != CAP_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("caption index \"%s\" has version %u, this build reads version %d",
						RelationGetRelationName(index), m->version, CAP_VERSION),
				 errhint("REINDEX the index.")));
	if (m->nsegments > CAP_MAX_SEGMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("caption index \"%s\" is corrupted: its metapage lists %u segments",
						RelationGetRelationName(index), m->nsegments),
				 errhint("REINDEX the index.")));
	memcpy(meta, m, sizeof(CapMetaPageData));
	UnlockReleaseBuffer(buffer);
}

/*
 * Copy len bytes of a chain of pages of one kind and owner, read as one
 * stream of CAP_PAGE_CONTENT bytes a page, starting at (*blkno, *off);
 * leaves the position after them.
 */
void
CapStreamRead(Relation index, uint16 kind, uint32 owner,
			  BlockNumber *blkno, uint32 *off, char *dst, Size len)
{
	while (len > 0)
	{
		Buffer		buf;
		Page		page;
		Size		n;

		if (*off >= CAP_PAGE_CONTENT)
		{
			buf = CapReadPage(index, *blkno, kind, owner, BUFFER_LOCK_SHARE);
			*blkno = CapPageGetOpaque(BufferGetPage(buf))->next;
			*off = 0;
			UnlockReleaseBuffer(buf);
			continue;
		}
		buf = CapReadPage(index, *blkno, kind, owner, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		n = Min(len, CAP_PAGE_CONTENT - *off);
		memcpy(dst, PageGetContents(page) + *off, n);
		dst += n;
		len -= n;
		*off += n;
		if (*off == CAP_PAGE_CONTENT && len > 0)
		{
			*blkno = CapPageGetOpaque(page)->next;
			*off = 0;
		}
		UnlockReleaseBuffer(buf);
	}
}

/*
 * The access method's handler: what the caption index can do and its
 * entry points.
 */
Datum
caption_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	amroutine->amstrategies = CAP_NSTRATEGIES;
	amroutine->amsupport = 0;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = false;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = false;
	amroutine->amoptionalkey = false;
	amroutine->amsearcharray = false;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = true;
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_NO_PARALLEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = capbuild;
	amroutine->ambuildempty = capbuildempty;
	amroutine->aminsert = capinsert;
	amroutine->ambulkdelete = capbulkdelete;
	amroutine->amvacuumcleanup = capvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = capcostestimate;
	amroutine->amoptions = capoptions;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = capbuildphasename;
	amroutine->amvalidate = capvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = capbeginscan;
	amroutine->amrescan = caprescan;
	amroutine->amgettuple = NULL;
	amroutine->amgetbitmap = capgetbitmap;
	amroutine->amendscan = capendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;

	PG_RETURN_POINTER(amroutine);
}

/*
 * caption_index_stats(index regclass): what a caption index holds, from
 * its metapage: segments, documents (dead ones counted), distinct words
 * summed over segments, pending list entries and pages, index pages
 */
PG_FUNCTION_INFO_V1(caption_index_stats);
Datum
caption_index_stats(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Relation	index;
	CapMetaPageData meta;
	Datum		values[7];
	bool		nulls[7] = {false};
	int64		docs = 0;
	int64		dead = 0;
	int64		words = 0;
	AclResult	aclresult;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "caption_index_stats must return a row");
	index = index_open(indexoid, AccessShareLock);
	if (index->rd_indam == NULL || index->rd_indam->ambuild != capbuild)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a caption index", RelationGetRelationName(index))));
	aclresult = pg_class_aclcheck(index->rd_index->indrelid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, get_rel_name(index->rd_index->indrelid));
	CapReadMeta(index, &meta);
	for (int s = 0; s < meta.nsegments; s++)
	{
		docs += meta.segments[s].ndocs;
		dead += meta.segments[s].ndead;
		words += meta.segments[s].nwords;
	}
	values[0] = Int32GetDatum(meta.nsegments);
	values[1] = Int64GetDatum(docs);
	values[2] = Int64GetDatum(dead);
	values[3] = Int64GetDatum(words);
	values[4] = Int64GetDatum(meta.pending.nentries + meta.flushing.nentries);
	values[5] = Int64GetDatum((int64) meta.pending.npages + meta.flushing.npages);
	values[6] = Int64GetDatum(RelationGetNumberOfBlocks(index));
	index_close(index, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
