/*-------------------------------------------------------------------------
 *
 * page_drops.h
 *	  When the pages of a dropped segment or chain of an index (mih, caption)
 *	  may be reused: each index's metapage keeps its recent drops, each with
 *	  the next transaction id at the time, and the latest drop that no
 *	  longer fits.  A page of a dropped owner is reused once that id is
 *	  older than every snapshot that could still read it (as nbtree
 *	  recycles deleted pages).
 *
 * Also where a page comes from when none can be reused: PageExtendIndex.
 *
 * src/page_drops.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMGSEARCH_PAGE_DROPS_H
#define IMGSEARCH_PAGE_DROPS_H

#include "access/transam.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

/* A segment or chain dropped by a flush or merge, and when */
typedef struct PageDrop
{
	uint32		owner;
	uint32		unused;
	FullTransactionId when;		/* the next transaction id at the time */
} PageDrop;

/*
 * Note a drop in a metapage's list of max drops (*ndrops used); when the
 * list is full its oldest drop joins *last_drop
 */
extern void PageDropRecord(PageDrop *drops, uint16 *ndrops, int max,
						   FullTransactionId *last_drop, uint32 owner,
						   FullTransactionId when);

/*
 * May a page of this owner, which nothing references any more, be reused:
 * is its drop (or, for an owner not listed, last_drop) older than every
 * snapshot?
 */
extern bool PageDropReusable(const PageDrop *drops, int ndrops,
							 FullTransactionId last_drop, uint32 owner);

/* A new page at the end of an index, locked exclusively */
extern Buffer PageExtendIndex(Relation index);

#endif							/* IMGSEARCH_PAGE_DROPS_H */
