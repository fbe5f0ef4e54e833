/*
 * postings_cli: the caption index's posting block codec
 * (src/caption/index/postings.c) on lines of stdin, for
 * test/tools/postings_reference.py to check against its own encoder.
 *
 *   postings_cli encode   each line "BASE ORD:POS,POS,... ORD:POS,..."
 *                         gives the block's bytes in hex, or "invalid"
 *   postings_cli decode   each line "BASE HEX" gives "LEN ORD:POS,... ..."
 *                         (LEN the block's length in bytes), or "corrupt"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caption/index/postings.h"

#define MAX_LINE (1 << 22)
#define MAX_POSITIONS (CAP_BLOCK_DOCS * (CAP_MAX_POS + 1))

static uint32_t ords[CAP_BLOCK_DOCS];
static uint16_t tfs[CAP_BLOCK_DOCS];
static uint16_t positions[MAX_POSITIONS];
static uint8_t bytes[MAX_LINE];

static void
encode_line(char *line)
{
	char	   *save = NULL;
	char	   *tok = strtok_r(line, " \n", &save);
	unsigned long base;
	int			n = 0;
	size_t		npos = 0;
	size_t		len;

	if (tok == NULL)
		return;
	base = strtoul(tok, NULL, 10);
	while ((tok = strtok_r(NULL, " \n", &save)) != NULL)
	{
		char	   *p = tok;

		if (n == CAP_BLOCK_DOCS)
		{
			n++;				/* too many postings: invalid */
			break;
		}
		ords[n] = (uint32_t) strtoul(p, &p, 10);
		tfs[n] = 0;
		if (*p == ':')
			p++;
		while (*p && npos < MAX_POSITIONS)
		{
			positions[npos++] = (uint16_t) strtoul(p, &p, 10);
			tfs[n]++;
			if (*p == ',')
				p++;
		}
		n++;
	}
	len = n > CAP_BLOCK_DOCS ? 0 :
		CapBlockEncode(ords, tfs, positions, n, (uint32_t) base, bytes);
	if (len == 0)
	{
		puts("invalid");
		return;
	}
	for (size_t i = 0; i < len; i++)
		printf("%02x", bytes[i]);
	putchar('\n');
}

static void
decode_line(char *line)
{
	char	   *save = NULL;
	char	   *tok = strtok_r(line, " \n", &save);
	char	   *hex;
	unsigned long base;
	size_t		len = 0;
	size_t		used;
	static CapBlock block;
	static uint16_t pos[CAP_MAX_POS];

	if (tok == NULL)
		return;
	base = strtoul(tok, NULL, 10);
	hex = strtok_r(NULL, " \n", &save);
	for (; hex != NULL && hex[0] && hex[1]; hex += 2)
	{
		unsigned int b;

		if (sscanf(hex, "%2x", &b) != 1)
			break;
		bytes[len++] = (uint8_t) b;
	}
	/* exactly the bytes given, so that a read past them is caught by ASan */
	{
		uint8_t    *copy = malloc(len ? len : 1);

		memcpy(copy, bytes, len);
		used = CapBlockDecode(copy, len, (uint32_t) base, &block);
		if (used == 0)
		{
			puts("corrupt");
			free(copy);
			return;
		}
		printf("%zu", used);
		for (int i = 0; i < block.n; i++)
		{
			if (!CapBlockPositions(&block, i, pos))
			{
				printf(" corrupt");
				break;
			}
			printf(" %u:", (unsigned) block.ord[i]);
			for (int j = 0; j < block.tf[i]; j++)
				printf(j ? ",%u" : "%u", (unsigned) pos[j]);
		}
		putchar('\n');
		free(copy);
	}
}

int
main(int argc, char **argv)
{
	static char line[MAX_LINE];
	int			decode;

	if (argc != 2 || (strcmp(argv[1], "encode") != 0 && strcmp(argv[1], "decode") != 0))
	{
		fprintf(stderr, "usage: postings_cli encode|decode < lines\n");
		return 2;
	}
	decode = strcmp(argv[1], "decode") == 0;
	while (fgets(line, sizeof(line), stdin) != NULL)
	{
		if (decode)
			decode_line(line);
		else
			encode_line(line);
	}
	return 0;
}
