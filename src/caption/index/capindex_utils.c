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

#include "access/reloptions.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/lmgr.h"

PG_FUNCTION_INFO_V1(caption_handler);

static relopt_kind cap_relopt_kind;

/* The index takes no options yet: any given is an error */
void
CapInitOptions(void)
{
	cap_relopt_kind = add_reloption_kind();
}

static bytea *
capoptions(Datum reloptions, bool validate)
{
	return (bytea *) build_reloptions(reloptions, validate, cap_relopt_kind,
									  sizeof(int32), NULL, 0);
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
 * A new page at the end of the index, locked exclusively.  (Pages are not
 * recycled yet: nothing frees any.)
 */
Buffer
CapNewBuffer(Relation index)
{
	Buffer		buffer;
	bool		needLock = !RELATION_IS_LOCAL(index);

	if (needLock)
		LockRelationForExtension(index, ExclusiveLock);
	buffer = ReadBuffer(index, P_NEW);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	if (needLock)
		UnlockRelationForExtension(index, ExclusiveLock);
	return buffer;
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

	if (PageIsNew(page) || PageGetSpecialSize(page) != MAXALIGN(sizeof(CapPageOpaqueData)) ||
		opaque->page_id != CAP_PAGE_ID || opaque->kind != kind || opaque->owner != owner)
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
	meta->next_owner = 2;
	meta->pending.head = InvalidBlockNumber;
	meta->pending.tail = InvalidBlockNumber;
	meta->pending.owner = 1;
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
