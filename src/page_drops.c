/*-------------------------------------------------------------------------
 *
 * page_drops.c
 *	  The drops of segments and chains that the mih and caption indexes
 *	  record in their metapages, when their pages may be reused (see
 *	  page_drops.h), and a new page when none can be.
 *
 * src/page_drops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "storage/lmgr.h"
#include "utils/snapmgr.h"

#include "page_drops.h"

void
PageDropRecord(PageDrop *drops, uint16 *ndrops, int max,
			   FullTransactionId *last_drop, uint32 owner, FullTransactionId when)
{
	if (*ndrops == max)
	{
		/* the oldest drop joins last_drop */
		if (!FullTransactionIdIsValid(*last_drop) ||
			FullTransactionIdPrecedes(*last_drop, drops[0].when))
			*last_drop = drops[0].when;
		memmove(&drops[0], &drops[1], (max - 1) * sizeof(PageDrop));
		(*ndrops)--;
	}
	drops[*ndrops].owner = owner;
	drops[*ndrops].unused = 0;
	drops[*ndrops].when = when;
	(*ndrops)++;
}

bool
PageDropReusable(const PageDrop *drops, int ndrops, FullTransactionId last_drop,
				 uint32 owner)
{
	for (int i = 0; i < ndrops; i++)
		if (drops[i].owner == owner)
			return GlobalVisCheckRemovableFullXid(NULL, drops[i].when);
	return !FullTransactionIdIsValid(last_drop) ||
		GlobalVisCheckRemovableFullXid(NULL, last_drop);
}

Buffer
PageExtendIndex(Relation index)
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
