/*-------------------------------------------------------------------------
 *
 * near_pairs.c
 *	  Test tool: the near pairs between the variants of query pictures and
 *	  the files of an evaluation set that come from other pictures, for the
 *	  false-match side of test/bench/robust/tune.py.
 *
 *	  near_pairs MAX_DISTANCE [MAX_DHASH_DISTANCE] < input > pairs
 *
 * Input, on stdin, as text: a line "V n", then n lines "query spec phash
 * dhash" (a variant: the query picture's number, the variant's number,
 * both hashes in hex); then a line "F m", then m lines "original phash
 * dhash" (a file: the number of the picture it was made from).  Output, one
 * line a pair, "query spec file phash_distance dhash_distance" for every
 * variant and file of a different picture whose phashes are at most
 * MAX_DISTANCE bits apart, and their dhashes at most MAX_DHASH_DISTANCE
 * (default 64: any) (files are numbered from 0 in input order).  A
 * brute-force double loop: about a billion pairs a second.
 *
 * test/tools/near_pairs.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Item
{
	int			owner;			/* query picture, or file's original */
	int			spec;			/* variants only */
	uint64_t	phash;
	uint64_t	dhash;
} Item;

/* Read "TAG n" then n items, with or without the spec column */
static Item *
ReadItems(char tag, int with_spec, int *count)
{
	char		got;
	Item	   *items;

	if (scanf(" %c %d", &got, count) != 2 || got != tag || *count < 0)
	{
		fprintf(stderr, "near_pairs: expected a line \"%c count\"\n", tag);
		exit(2);
	}
	items = calloc(*count > 0 ? *count : 1, sizeof(Item));
	if (items == NULL)
		exit(2);
	for (int i = 0; i < *count; i++)
	{
		unsigned long long p,
					d;
		Item	   *it = &items[i];
		int			ok = with_spec
			? scanf("%d %d %llx %llx", &it->owner, &it->spec, &p, &d) == 4
			: scanf("%d %llx %llx", &it->owner, &p, &d) == 3;

		if (!ok)
		{
			fprintf(stderr, "near_pairs: bad %c line %d\n", tag, i + 1);
			exit(2);
		}
		it->phash = p;
		it->dhash = d;
	}
	return items;
}

int
main(int argc, char **argv)
{
	int			max_distance;
	int			max_dhash = 64;
	int			nv,
				nf;
	Item	   *v,
			   *f;

	if (argc < 2 || argc > 3 || (max_distance = atoi(argv[1])) < 0 || max_distance > 64 ||
		(argc == 3 && ((max_dhash = atoi(argv[2])) < 0 || max_dhash > 64)))
	{
		fprintf(stderr, "usage: near_pairs MAX_DISTANCE [MAX_DHASH_DISTANCE] < input\n");
		return 2;
	}
	v = ReadItems('V', 1, &nv);
	f = ReadItems('F', 0, &nf);
	for (int i = 0; i < nv; i++)
		for (int j = 0; j < nf; j++)
		{
			int			dp = __builtin_popcountll(v[i].phash ^ f[j].phash);
			int			dd;

			if (dp > max_distance || v[i].owner == f[j].owner)
				continue;
			dd = __builtin_popcountll(v[i].dhash ^ f[j].dhash);
			if (dd <= max_dhash)
				printf("%d %d %d %d %d\n", v[i].owner, v[i].spec, j, dp, dd);
		}
	return 0;
}
