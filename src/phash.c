/*-------------------------------------------------------------------------
 *
 * phash.c
 *	  The phash type: a 64-bit perceptual hash, passed by value.
 *
 * Text form: exactly 16 hexadecimal digits (either case in, lower case
 * out), ImageHash's format, the first digit holding the most significant
 * bits.  Binary form: 8 bytes, most significant first.  Casts to and from
 * bigint and bit(64) keep the bit pattern.  Ordering is that of the
 * unsigned 64-bit value (so it agrees with the text), which the btree and
 * hash operator classes are built on.
 *
 * src/phash.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/sortsupport.h"
#include "utils/varbit.h"

#include "imgsearch.h"

#define PHASH_TEXT_DIGITS	16

/* Parse exactly 16 hexadecimal digits */
PG_FUNCTION_INFO_V1(phash_in);
Datum
phash_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	PHash		value = 0;
	int			i;

	for (i = 0; str[i] != '\0'; i++)
	{
		char		c = str[i];
		int			digit;

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			break;
		if (i >= PHASH_TEXT_DIGITS)
			break;
		value = (value << 4) | digit;
	}
	if (i != PHASH_TEXT_DIGITS || str[i] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"",
						"phash", str),
				 errdetail("A phash is written as exactly 16 hexadecimal digits.")));
	PG_RETURN_PHASH(value);
}

/* Print 16 lower-case hexadecimal digits */
PG_FUNCTION_INFO_V1(phash_out);
Datum
phash_out(PG_FUNCTION_ARGS)
{
	PHash		value = PG_GETARG_PHASH(0);
	char	   *result = palloc(PHASH_TEXT_DIGITS + 1);

	snprintf(result, PHASH_TEXT_DIGITS + 1, "%016" INT64_MODIFIER "x", value);
	PG_RETURN_CSTRING(result);
}

/* Read 8 bytes, most significant first */
PG_FUNCTION_INFO_V1(phash_recv);
Datum
phash_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_PHASH((PHash) pq_getmsgint64(buf));
}

/* Write 8 bytes, most significant first */
PG_FUNCTION_INFO_V1(phash_send);
Datum
phash_send(PG_FUNCTION_ARGS)
{
	PHash		value = PG_GETARG_PHASH(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) value);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Cast to bigint, keeping the bit pattern (the top bit becomes the sign) */
PG_FUNCTION_INFO_V1(phash_to_bigint);
Datum
phash_to_bigint(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) PG_GETARG_PHASH(0));
}

/* Cast from bigint, keeping the bit pattern */
PG_FUNCTION_INFO_V1(phash_from_bigint);
Datum
phash_from_bigint(PG_FUNCTION_ARGS)
{
	PG_RETURN_PHASH((PHash) PG_GETARG_INT64(0));
}

/* Cast to bit(64), the first bit being the most significant */
PG_FUNCTION_INFO_V1(phash_to_bit);
Datum
phash_to_bit(PG_FUNCTION_ARGS)
{
	PHash		value = PG_GETARG_PHASH(0);
	int			len = VARBITTOTALLEN(PHASH_BITS);
	VarBit	   *result = (VarBit *) palloc0(len);
	bits8	   *bytes = VARBITS(result);
	int			i;

	SET_VARSIZE(result, len);
	VARBITLEN(result) = PHASH_BITS;
	for (i = 0; i < 8; i++)
		bytes[i] = (bits8) (value >> (56 - 8 * i));
	PG_RETURN_VARBIT_P(result);
}

/* Cast from a bit string, which must be exactly 64 bits long */
PG_FUNCTION_INFO_V1(phash_from_bit);
Datum
phash_from_bit(PG_FUNCTION_ARGS)
{
	VarBit	   *arg = PG_GETARG_VARBIT_P(0);
	bits8	   *bytes = VARBITS(arg);
	PHash		value = 0;
	int			i;

	if (VARBITLEN(arg) != PHASH_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
				 errmsg("bit string length %d does not match type phash",
						VARBITLEN(arg)),
				 errdetail("A phash has exactly 64 bits.")));
	for (i = 0; i < 8; i++)
		value = (value << 8) | bytes[i];
	PG_RETURN_PHASH(value);
}

/* Compare as unsigned 64-bit integers */
static inline int
PHashCompare(PHash a, PHash b)
{
	return (a > b) - (a < b);
}

PG_FUNCTION_INFO_V1(phash_eq);
Datum
phash_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) == PG_GETARG_PHASH(1));
}

PG_FUNCTION_INFO_V1(phash_ne);
Datum
phash_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) != PG_GETARG_PHASH(1));
}

PG_FUNCTION_INFO_V1(phash_lt);
Datum
phash_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) < PG_GETARG_PHASH(1));
}

PG_FUNCTION_INFO_V1(phash_le);
Datum
phash_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) <= PG_GETARG_PHASH(1));
}

PG_FUNCTION_INFO_V1(phash_gt);
Datum
phash_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) > PG_GETARG_PHASH(1));
}

PG_FUNCTION_INFO_V1(phash_ge);
Datum
phash_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_PHASH(0) >= PG_GETARG_PHASH(1));
}

/* Btree support function 1: three-way comparison */
PG_FUNCTION_INFO_V1(phash_cmp);
Datum
phash_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PHashCompare(PG_GETARG_PHASH(0), PG_GETARG_PHASH(1)));
}

/*
 * Btree support function 2: sort support.  A phash Datum is the value
 * itself, so comparing Datums as unsigned integers is the type's order.
 */
PG_FUNCTION_INFO_V1(phash_sortsupport);
Datum
phash_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = ssup_datum_unsigned_cmp;
	PG_RETURN_VOID();
}

/* Hash support function 1 */
PG_FUNCTION_INFO_V1(phash_hash);
Datum
phash_hash(PG_FUNCTION_ARGS)
{
	PHash		value = PG_GETARG_PHASH(0);

	return hash_uint32((uint32) value ^ (uint32) (value >> 32));
}

/* Hash support function 2: seeded 64-bit hash */
PG_FUNCTION_INFO_V1(phash_hash_extended);
Datum
phash_hash_extended(PG_FUNCTION_ARGS)
{
	PHash		value = PG_GETARG_PHASH(0);

	return hash_uint32_extended((uint32) value ^ (uint32) (value >> 32),
								PG_GETARG_INT64(1));
}
