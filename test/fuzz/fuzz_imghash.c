/*-------------------------------------------------------------------------
 *
 * fuzz_imghash.c
 *	  libFuzzer harness for the image hashing core: feed arbitrary bytes to
 *	  ImgJobRun the way the server does, and check that the core neither
 *	  crashes, leaks, runs away with memory nor contradicts itself.
 *
 * Each input is hashed with every hash, then read again for its header
 * only, reusing one long-lived ImgJob as a backend does (the job is also
 * freed and recreated every so often).  The pixel limit is kept small
 * enough that one run stays fast and its memory bounded, since the limit is
 * what bounds the decoders' buffers.  The last byte of the input decides
 * whether a third run is interrupted (one input in eight): the interrupt
 * callback then longjmps out of the decode after a chosen number of checks,
 * as PostgreSQL's query cancel does through CHECK_FOR_INTERRUPTS, and the
 * harness frees the job and creates a new one; LeakSanitizer then reports
 * anything the core failed to hang off the job.  The interrupted input is
 * finally hashed once more with the new job, and the result must match the
 * first run.  Another input in eight is also hashed in the loader's fast
 * mode (reduced-size and, for progressive files, DC-only JPEG decoding).
 * Between inputs, the idle job may keep only a bounded amount of heap (its
 * caches), since the server keeps its job for the session.
 *
 * Build with "make fuzz"; run with test/fuzz/run_fuzz.sh.
 *
 * test/fuzz/fuzz_imghash.c
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/allocator_interface.h>

#include "imghash.h"

/* Pixel limit of every run: 2000 x 2000, a few tens of MB at most */
#define FUZZ_MAX_PIXELS		4000000

/* Free and recreate the long-lived job after this many inputs */
#define FUZZ_JOB_LIFETIME	1000

/* Most heap an idle job may keep between images (caches included) */
#define FUZZ_MAX_RETAINED	((size_t) 64 * 1024 * 1024)

/* State of the simulated query cancel */
typedef struct FuzzInterrupt
{
	jmp_buf		escape;
	int			countdown;		/* longjmp on this check; 0 = never */
	int			checks;			/* checks seen in this run */
} FuzzInterrupt;

static ImgJob *fuzz_job = NULL;
static size_t fuzz_heap_before_job = 0;	/* heap in use without a job */
static unsigned long fuzz_inputs = 0;
static FuzzInterrupt fuzz_interrupt;

/* Stop the fuzzer with a message: the core broke one of its promises */
static void
FuzzFail(const char *what, ImgStatus status, const ImgJob *job)
{
	fprintf(stderr, "fuzz_imghash: %s (status %d, message \"%s\")\n",
			what, (int) status, job ? ImgJobMessage(job) : "");
	abort();
}

/*
 * Create a job, or stop the fuzzer when out of memory.  Note the heap in
 * use first, to know later how much the job keeps.
 */
static ImgJob *
FuzzJobCreate(void)
{
	ImgJob	   *job;

	fuzz_heap_before_job = __sanitizer_get_current_allocated_bytes();
	job = ImgJobCreate();
	if (job == NULL)
		FuzzFail("ImgJobCreate returned NULL", IMG_OK, NULL);
	return job;
}

/*
 * Check that the idle job, between images, keeps a bounded amount of heap:
 * it stays allocated in a backend for the rest of the session, outside
 * PostgreSQL's memory accounting.  (libFuzzer's own allocations between
 * inputs count too, but they are far below the limit.)
 */
static void
FuzzCheckRetained(void)
{
	size_t		now = __sanitizer_get_current_allocated_bytes();

	if (now > fuzz_heap_before_job &&
		now - fuzz_heap_before_job > FUZZ_MAX_RETAINED)
	{
		fprintf(stderr, "fuzz_imghash: the idle job keeps %zu MB\n",
				(now - fuzz_heap_before_job) >> 20);
		FuzzFail("job keeps too much memory between images", IMG_OK,
				 fuzz_job);
	}
}

/* Count interrupt checks and longjmp out on the chosen one */
static void
FuzzCheckInterrupts(void *arg)
{
	FuzzInterrupt *interrupt = arg;

	interrupt->checks++;
	if (interrupt->countdown != 0 && interrupt->checks == interrupt->countdown)
		longjmp(interrupt->escape, 1);
}

/* Fill in run options: hashes to compute, the pixel limit, the callback */
static void
FuzzOptions(ImgOptions *options, unsigned hashes)
{
	memset(options, 0, sizeof(*options));
	options->hashes = hashes;
	options->max_pixels = FUZZ_MAX_PIXELS;
	options->check_interrupts = FuzzCheckInterrupts;
	options->check_arg = &fuzz_interrupt;
}

/* Check what every run must satisfy, whatever its input */
static void
FuzzCheckRun(ImgStatus status, const ImgInfo *info, unsigned hashes)
{
	if (status != IMG_OK && ImgJobMessage(fuzz_job)[0] == '\0')
		FuzzFail("failure without a message", status, fuzz_job);
	if (status == IMG_OK && info->format == IMG_FORMAT_UNKNOWN)
		FuzzFail("success on an unrecognised format", status, fuzz_job);
	if (status == IMG_OK && (info->width == 0 || info->height == 0))
		FuzzFail("success on an empty image", status, fuzz_job);
	if (status == IMG_OK && hashes != 0 &&
		(uint64_t) info->width * info->height > FUZZ_MAX_PIXELS)
		FuzzFail("decoded an image over the pixel limit", status, fuzz_job);
}

/*
 * Run the job on the input, interrupting it on the given check (0: never).
 * Return 1 when the callback longjmped out; the job is then replaced by a
 * new one, after the interrupted job has optionally been reused once.
 */
static int
FuzzRunInterrupted(const uint8_t *data, size_t size, int countdown,
				   int reuse_after)
{
	ImgOptions	options;
	ImgInfo		info;
	ImgHashes	hashes;

	FuzzOptions(&options, IMG_HASH_ALL);
	fuzz_interrupt.countdown = countdown;
	fuzz_interrupt.checks = 0;
	if (setjmp(fuzz_interrupt.escape) != 0)
	{
		/* the decode was cancelled mid-way, as by a query cancel */
		fuzz_interrupt.countdown = 0;
		if (reuse_after)
		{
			/* the header promises a reused job releases the old state */
			ImgJobRun(fuzz_job, data, size, &options, &info, &hashes);
		}
		ImgJobFree(fuzz_job);
		fuzz_job = FuzzJobCreate();
		return 1;
	}
	ImgJobRun(fuzz_job, data, size, &options, &info, &hashes);
	fuzz_interrupt.countdown = 0;
	return 0;
}

/* Check that the new job, after an interrupted run, repeats the first run */
static void
FuzzCheckRerun(const uint8_t *data, size_t size, ImgStatus full_status,
			   const ImgInfo *full_info, const ImgHashes *full_hashes)
{
	ImgOptions	options;
	ImgInfo		info;
	ImgHashes	hashes;
	ImgStatus	status;

	FuzzOptions(&options, IMG_HASH_ALL);
	status = ImgJobRun(fuzz_job, data, size, &options, &info, &hashes);
	if (status != full_status)
		FuzzFail("status differs after an interrupted run", status,
				 fuzz_job);
	if (status == IMG_OK &&
		(info.width != full_info->width ||
		 info.height != full_info->height ||
		 hashes.phash != full_hashes->phash ||
		 hashes.dhash != full_hashes->dhash ||
		 hashes.ahash != full_hashes->ahash))
		FuzzFail("hashes differ after an interrupted run", status,
				 fuzz_job);
}

/* Run the core on one input; see the file header */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ImgOptions	options;
	ImgInfo		full_info;
	ImgInfo		head_info;
	ImgHashes	full_hashes;
	ImgStatus	full_status;
	ImgStatus	head_status;
	uint8_t		selector = size > 0 ? data[size - 1] : 0;

	if (fuzz_job == NULL || ++fuzz_inputs % FUZZ_JOB_LIFETIME == 0)
	{
		ImgJobFree(fuzz_job);
		fuzz_job = FuzzJobCreate();
	}
	fuzz_interrupt.countdown = 0;

	/* every hash */
	FuzzOptions(&options, IMG_HASH_ALL);
	full_status = ImgJobRun(fuzz_job, data, size, &options,
							&full_info, &full_hashes);
	FuzzCheckRun(full_status, &full_info, IMG_HASH_ALL);

	/* the header only: must agree with a successful full decode */
	FuzzOptions(&options, 0);
	head_status = ImgJobRun(fuzz_job, data, size, &options, &head_info, NULL);
	FuzzCheckRun(head_status, &head_info, 0);
	if (full_status == IMG_OK &&
		(head_status != IMG_OK ||
		 head_info.format != full_info.format ||
		 head_info.width != full_info.width ||
		 head_info.height != full_info.height))
		FuzzFail("header-only run disagrees with the full decode",
				 head_status, fuzz_job);

	/*
	 * One input in eight: cancel a decode on check 1 + n^3, n from 0 to 15
	 * (early in the header or first rows up to a few thousand rows in).
	 */
	if ((selector & 0x07) == 0x07)
	{
		int			countdown = (selector >> 3) & 0x0f;

		countdown = 1 + countdown * countdown * countdown;
		if (FuzzRunInterrupted(data, size, countdown,
							   (selector & 0x80) != 0))
			FuzzCheckRerun(data, size, full_status, &full_info,
						   &full_hashes);
	}

	/* the loader's fast mode (scaled and DC-only JPEG decoding) */
	if ((selector & 0x07) == 0x03)
	{
		ImgInfo		fast_info;
		ImgHashes	fast_hashes;
		ImgStatus	fast_status;

		FuzzOptions(&options, IMG_HASH_ALL);
		options.fast = 1;
		fast_status = ImgJobRun(fuzz_job, data, size, &options,
								&fast_info, &fast_hashes);
		FuzzCheckRun(fast_status, &fast_info, IMG_HASH_ALL);
		if (fast_status == IMG_OK &&
			(fast_info.width != head_info.width ||
			 fast_info.height != head_info.height))
			FuzzFail("fast mode reports another size", fast_status,
					 fuzz_job);
	}

	FuzzCheckRetained();
	return 0;
}
