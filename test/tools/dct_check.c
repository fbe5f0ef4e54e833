/*-------------------------------------------------------------------------
 *
 * dct_check.c
 *	  Command-line driver for src/hash/dct.c, used by dct_check.py to compare our
 *	  DCT with scipy's bit for bit.  It reads 32x32 blocks from standard
 *	  input and writes, for each, the 1024 values of ImgDct2d32 followed by
 *	  the 64 values of ImgDct2d32TopLeft8.
 *
 *	  Text mode (default): input is whitespace-separated numbers, 1024 per
 *	  block, row-major (integers 0..255 for image data, but anything strtod
 *	  accepts works); output is one line per block of 1088 IEEE-754 bit
 *	  patterns as 16 hex digits each.
 *	  Binary mode (-b): input is 1024 unsigned bytes per block, output is
 *	  1088 native doubles per block.
 *
 *	  Build: gcc -O2 -std=c99 -Wall -Wextra -I src/hash test/tools/dct_check.c \
 *			 src/hash/dct.c -lm
 *
 * test/tools/dct_check.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dct.h"

#define BLOCK 1024
#define KEPT 64

/*
 * Read the next whitespace-delimited token of stdin into buf; return 0 at
 * end of input.
 */
static int
readToken(char *buf, size_t size)
{
	int			ch;
	size_t		len = 0;

	do
		ch = getchar();
	while (ch != EOF && isspace(ch));
	if (ch == EOF)
		return 0;
	while (ch != EOF && !isspace(ch))
	{
		if (len + 1 >= size)
		{
			fprintf(stderr, "dct_check: token too long\n");
			exit(2);
		}
		buf[len++] = (char) ch;
		ch = getchar();
	}
	buf[len] = '\0';
	return 1;
}

/*
 * Read one block of text numbers; return 0 at a clean end of input.
 */
static int
readTextBlock(double *in)
{
	char		tok[128];
	int			i;

	for (i = 0; i < BLOCK; i++)
	{
		char	   *end;

		if (!readToken(tok, sizeof(tok)))
		{
			if (i == 0)
				return 0;
			fprintf(stderr, "dct_check: truncated block (%d values)\n", i);
			exit(2);
		}
		errno = 0;
		in[i] = strtod(tok, &end);
		if (*end != '\0' || errno != 0)
		{
			fprintf(stderr, "dct_check: bad number \"%s\"\n", tok);
			exit(2);
		}
	}
	return 1;
}

/*
 * Print one value as its 64-bit pattern.
 */
static void
printBits(double v, char sep)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	printf("%016llx%c", (unsigned long long) bits, sep);
}

/*
 * Transform text blocks from stdin to hex lines on stdout.
 */
static int
runText(void)
{
	double		in[BLOCK];
	double		full[BLOCK];
	double		kept[KEPT];
	int			i;

	while (readTextBlock(in))
	{
		ImgDct2d32(in, full);
		ImgDct2d32TopLeft8(in, kept);
		for (i = 0; i < BLOCK; i++)
			printBits(full[i], ' ');
		for (i = 0; i < KEPT; i++)
			printBits(kept[i], i == KEPT - 1 ? '\n' : ' ');
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * Transform byte blocks from stdin to raw doubles on stdout.
 */
static int
runBinary(void)
{
	unsigned char bytes[BLOCK];
	double		in[BLOCK];
	double		res[BLOCK + KEPT];
	size_t		got;
	int			i;

	while ((got = fread(bytes, 1, BLOCK, stdin)) == BLOCK)
	{
		for (i = 0; i < BLOCK; i++)
			in[i] = bytes[i];
		ImgDct2d32(in, res);
		ImgDct2d32TopLeft8(in, res + BLOCK);
		if (fwrite(res, sizeof(double), BLOCK + KEPT, stdout) != BLOCK + KEPT)
		{
			fprintf(stderr, "dct_check: write failed\n");
			return 1;
		}
	}
	if (got != 0)
	{
		fprintf(stderr, "dct_check: truncated block (%zu bytes)\n", got);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "-b") == 0)
		return runBinary();
	if (argc == 1)
		return runText();
	fprintf(stderr, "usage: dct_check [-b] < blocks\n");
	return 2;
}
