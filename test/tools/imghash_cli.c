/*-------------------------------------------------------------------------
 *
 * imghash_cli.c
 *	  Test tool: run the image hashing core on files and print, per file,
 *	  "phash dhash ahash format width height file" (the first three columns
 *	  as imagehash_ref.py prints them), or "error STATUS message file".
 *
 * Used by the benchmark (hashing outside the server, to split the time
 * between decoding and hashing) and to replay the fuzz corpus without
 * sanitizers.  Exit status 1 when any file failed.
 *
 * test/tools/imghash_cli.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imghash.h"
#include "read_file.h"

int
main(int argc, char **argv)
{
	ImgJob	   *job = ImgJobCreate();
	ImgOptions	options;
	int			repeat = 1;
	int			failed = 0;
	int			first = 1;
	int			i;

	memset(&options, 0, sizeof(options));
	options.hashes = IMG_HASH_ALL;
	options.max_pixels = 100000000;

	if (argc > 2 && strcmp(argv[1], "--repeat") == 0)
	{
		repeat = atoi(argv[2]);
		first = 3;
	}
	if (argc > first && strcmp(argv[first], "--phash") == 0)
	{
		options.hashes = IMG_HASH_PHASH;
		first++;
	}
	if (argc > first && strcmp(argv[first], "--fast") == 0)
	{
		options.fast = 1;
		first++;
	}

	for (i = first; i < argc; i++)
	{
		size_t		len;
		unsigned char *data = ReadFile(argv[i], &len);
		ImgInfo		info;
		ImgHashes	hashes;
		ImgStatus	status = IMG_OK;
		int			r;

		if (data == NULL)
		{
			printf("error unreadable - %s\n", argv[i]);
			failed = 1;
			continue;
		}
		for (r = 0; r < repeat; r++)
			status = ImgJobRun(job, data, len, &options, &info, &hashes);
		if (status == IMG_OK)
			printf("%016llx %016llx %016llx %s %u %u %s\n",
				   (unsigned long long) hashes.phash,
				   (unsigned long long) hashes.dhash,
				   (unsigned long long) hashes.ahash,
				   ImgFormatName(info.format), info.width, info.height,
				   argv[i]);
		else
		{
			printf("error %d %s %s\n", (int) status, ImgJobMessage(job),
				   argv[i]);
			failed = 1;
		}
		free(data);
	}
	ImgJobFree(job);
	return failed;
}
