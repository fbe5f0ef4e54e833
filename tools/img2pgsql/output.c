/*-------------------------------------------------------------------------
 *
 * output.c
 *	  Write the rows: COPY text on stdout, a SQL script on stdout (-t), or
 *	  straight into a table through libpq's COPY (-d -t).
 *
 * Loading into a table goes in batches, each its own transaction: rows are
 * copied into a temporary table, then inserted with ON CONFLICT DO
 * NOTHING, so a batch that is committed stays committed if a later one
 * fails, and re-running the same inputs adds nothing when the table has a
 * unique key (--create makes "key" the primary key).  When the server
 * rejects a batch (a row breaks a constraint of the table, say), the batch
 * is loaded again one row at a time, each under a savepoint, and only the
 * rows the server rejects are reported and skipped, so one bad row cannot
 * stop a load, nor its re-run.  The SQL script does the same in one
 * transaction, without that safety net.
 *
 * tools/img2pgsql/output.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "img2pgsql.h"

#define STAGING_TABLE "img2pgsql_batch"

static PGconn *conn;
static char *table_sql;			/* the table name, quoted where needed */
static char *column_list;		/* "key, url, ..." */
static long skipped_rows;		/* rows the table already had */
static long rejected_rows;		/* rows the server refused */

/* The rows of the open batch, kept to retry them one by one */
typedef struct BatchRow
{
	char	   *row;
	char	   *input;
	char	   *key;
} BatchRow;

static BatchRow *batch;
static long batch_rows;			/* rows in the open COPY */

/*
 * Quote a (possibly schema-qualified) table name, each dot-separated part
 * taken literally: "images" and "user" are fine, "Images" is case-sensitive.
 */
static char *
QuoteTableName(const char *name)
{
	char	   *result = XStrdup("");
	const char *part = name;

	if (strchr(name, '"') != NULL)
		Fatal("table name \"%s\" contains a double quote", name);
	for (;;)
	{
		const char *dot = strchr(part, '.');
		size_t		len = dot ? (size_t) (dot - part) : strlen(part);
		char	   *joined;

		if (len == 0)
			Fatal("invalid table name \"%s\"", name);
		joined = XPrintf("%s%s\"%.*s\"", result, result[0] ? "." : "", (int) len, part);
		free(result);
		result = joined;
		if (dot == NULL)
			break;
		part = dot + 1;
	}
	return result;
}

/* The CREATE TABLE statement for --create */
static char *
CreateTableSql(const Options *options)
{
	char	   *sql = XPrintf("CREATE TABLE IF NOT EXISTS %s (", table_sql);
	int			i;

	for (i = 0; i < options->ncolumns; i++)
	{
		char	   *longer = XPrintf("%s%s%s %s", sql, i ? ", " : "",
									 ColumnName(options->columns[i]),
									 ColumnType(options->columns[i]));

		free(sql);
		sql = longer;
	}
	{
		char	   *done = XPrintf("%s)", sql);

		free(sql);
		sql = done;
	}
	return sql;
}

/* Whether the columns include a hash (the table then needs the extension) */
static int
NeedsExtension(const Options *options)
{
	int			i;

	for (i = 0; i < options->ncolumns; i++)
		if (options->columns[i] == COL_PHASH || options->columns[i] == COL_DHASH ||
			options->columns[i] == COL_AHASH)
			return 1;
	return 0;
}

/* Run a statement, dying on failure */
static PGresult *
Execute(const char *sql, ExecStatusType expected)
{
	PGresult   *result = PQexec(conn, sql);

	if (PQresultStatus(result) != expected)
		Fatal("%s\nthe statement was: %s", PQerrorMessage(conn), sql);
	return result;
}

/*
 * Warn when nothing stops a re-run from loading rows twice: no unique
 * index on "key" alone (ON CONFLICT DO NOTHING then has nothing to hit).
 */
static void
WarnWithoutUniqueKey(const Options *options)
{
	const char *params[1] = {table_sql};
	PGresult   *result;

	result = PQexecParams(conn,
						  "SELECT 1 FROM pg_index i JOIN pg_attribute a "
						  "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
						  "WHERE i.indrelid = $1::regclass AND i.indisunique "
						  "AND i.indnkeyatts = 1 AND a.attname = 'key'",
						  1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		Fatal("%s", PQerrorMessage(conn));
	if (PQntuples(result) == 0 && !options->quiet)
		fprintf(stderr, "img2pgsql: warning: table %s has no unique index on \"key\": "
				"loading the same items again will add them again\n", table_sql);
	PQclear(result);
}

/* Open a batch: a transaction with an empty staging table in COPY mode */
static void
BatchBegin(void)
{
	char	   *sql;

	PQclear(Execute("BEGIN", PGRES_COMMAND_OK));
	sql = XPrintf("COPY " STAGING_TABLE " (%s) FROM STDIN", column_list);
	PQclear(Execute(sql, PGRES_COPY_IN));
	free(sql);
	batch_rows = 0;
}

/* Run a statement; NULL on success, else the server's message (malloc'd) */
static char *
TryExecute(const char *sql, ExecStatusType expected, long *tuples)
{
	PGresult   *result = PQexec(conn, sql);
	char	   *error = NULL;

	if (PQresultStatus(result) != expected)
		error = XStrdup(PQerrorMessage(conn));
	else if (tuples != NULL)
		*tuples = atol(PQcmdTuples(result));
	PQclear(result);
	return error;
}

/* End the COPY in progress; NULL on success, else the server's message */
static char *
FinishCopy(void)
{
	PGresult   *result;
	char	   *error = NULL;

	if (PQputCopyEnd(conn, NULL) != 1)
		return XStrdup(PQerrorMessage(conn));
	while ((result = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(result) != PGRES_COMMAND_OK && error == NULL)
			error = XStrdup(PQerrorMessage(conn));
		PQclear(result);
	}
	return error;
}

/*
 * Move the staged rows into the table, skipping keys already there; NULL
 * on success, else the server's message.
 */
static char *
InsertStaged(long *inserted)
{
	char	   *sql = XPrintf("INSERT INTO %s (%s) SELECT %s FROM " STAGING_TABLE
							  " ON CONFLICT DO NOTHING", table_sql, column_list,
							  column_list);
	char	   *error = TryExecute(sql, PGRES_COMMAND_OK, inserted);

	free(sql);
	if (error == NULL)
		error = TryExecute("TRUNCATE " STAGING_TABLE, PGRES_COMMAND_OK, NULL);
	return error;
}

/* Forget the rows of the batch */
static void
BatchClear(void)
{
	long		i;

	for (i = 0; i < batch_rows; i++)
	{
		free(batch[i].row);
		free(batch[i].input);
		free(batch[i].key);
	}
	batch_rows = 0;
}

/*
 * Load the batch's rows one at a time, each under a savepoint, reporting
 * and skipping those the server refuses.
 */
static void
BatchRetryRowByRow(void)
{
	long		i;

	PQclear(Execute("BEGIN", PGRES_COMMAND_OK));
	for (i = 0; i < batch_rows; i++)
	{
		char	   *copy_sql = XPrintf("COPY " STAGING_TABLE " (%s) FROM STDIN", column_list);
		char	   *error;
		long		inserted = 0;

		PQclear(Execute("SAVEPOINT img2pgsql_row", PGRES_COMMAND_OK));
		error = TryExecute(copy_sql, PGRES_COPY_IN, NULL);
		free(copy_sql);
		if (error == NULL)
		{
			if (PQputCopyData(conn, batch[i].row, (int) strlen(batch[i].row)) != 1)
				Fatal("COPY failed: %s", PQerrorMessage(conn));
			error = FinishCopy();
		}
		if (error == NULL)
			error = InsertStaged(&inserted);
		if (error != NULL)
		{
			char	   *end = error + strlen(error);

			while (end > error && (end[-1] == '\n' || end[-1] == ' '))
				*--end = '\0';
			fprintf(stderr, "img2pgsql: %s: %s: the server refused the row: %s\n",
					batch[i].input, batch[i].key, error);
			free(error);
			rejected_rows++;
			PQclear(Execute("ROLLBACK TO SAVEPOINT img2pgsql_row", PGRES_COMMAND_OK));
		}
		else
			skipped_rows += 1 - inserted;
		PQclear(Execute("RELEASE SAVEPOINT img2pgsql_row", PGRES_COMMAND_OK));
	}
	PQclear(Execute("COMMIT", PGRES_COMMAND_OK));
}

/*
 * Close a batch: move the new rows into the table and commit; if the
 * server refuses it, roll it back and retry row by row.
 */
static void
BatchEnd(void)
{
	long		inserted = 0;
	char	   *error = FinishCopy();

	if (error == NULL)
		error = InsertStaged(&inserted);
	if (error == NULL)
		error = TryExecute("COMMIT", PGRES_COMMAND_OK, NULL);
	if (error == NULL)
		skipped_rows += batch_rows - inserted;
	else
	{
		free(error);
		PQclear(PQexec(conn, "ROLLBACK"));
		if (PQstatus(conn) != CONNECTION_OK)
			Fatal("lost the connection: %s", PQerrorMessage(conn));
		BatchRetryRowByRow();
	}
	BatchClear();
}

/* Start the output; 0 on success (failures are fatal) */
int
OutputBegin(const Options *options)
{
	int			i;

	column_list = XStrdup("");
	for (i = 0; i < options->ncolumns; i++)
	{
		char	   *longer = XPrintf("%s%s%s", column_list, i ? ", " : "",
									 ColumnName(options->columns[i]));

		free(column_list);
		column_list = longer;
	}
	if (options->table != NULL)
		table_sql = QuoteTableName(options->table);

	if (options->conninfo == NULL)
	{
		if (options->table == NULL)
			return 0;			/* bare COPY rows */
		printf("SET client_encoding = 'UTF8';\nBEGIN;\n");
		if (options->create)
		{
			char	   *create = CreateTableSql(options);

			if (NeedsExtension(options))
				printf("CREATE EXTENSION IF NOT EXISTS imgsearch;\n");
			printf("%s;\n", create);
			free(create);
		}
		printf("CREATE TEMP TABLE " STAGING_TABLE " ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA;\n",
			   column_list, table_sql);
		printf("COPY " STAGING_TABLE " (%s) FROM stdin;\n", column_list);
		return 0;
	}

	conn = PQconnectdb(options->conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		Fatal("cannot connect: %s", PQerrorMessage(conn));
	PQclear(Execute("SET client_min_messages = warning", PGRES_COMMAND_OK));
	PQclear(Execute("SET client_encoding = 'UTF8'", PGRES_COMMAND_OK));
	if (options->create)
	{
		char	   *create = CreateTableSql(options);

		if (NeedsExtension(options))
			PQclear(Execute("CREATE EXTENSION IF NOT EXISTS imgsearch", PGRES_COMMAND_OK));
		PQclear(Execute(create, PGRES_COMMAND_OK));
		free(create);
	}
	{
		char	   *sql = XPrintf("CREATE TEMP TABLE " STAGING_TABLE
								  " AS SELECT %s FROM %s WITH NO DATA",
								  column_list, table_sql);

		PQclear(Execute(sql, PGRES_COMMAND_OK));
		free(sql);
	}
	WarnWithoutUniqueKey(options);
	batch = XMalloc(sizeof(BatchRow) * options->batch);
	BatchBegin();
	return 0;
}

/* Write one row */
int
OutputRow(const Options *options, const Sample *sample)
{
	if (conn == NULL)
	{
		if (fwrite(sample->row, 1, sample->row_len, stdout) != sample->row_len)
			Fatal("cannot write to standard output");
		return 0;
	}
	if (PQputCopyData(conn, sample->row, (int) sample->row_len) != 1)
		Fatal("COPY failed: %s", PQerrorMessage(conn));
	batch[batch_rows].row = XStrdup(sample->row);
	batch[batch_rows].input = XStrdup(sample->input);
	batch[batch_rows].key = XStrdup(sample->key);
	if (++batch_rows >= options->batch)
	{
		BatchEnd();
		BatchBegin();
	}
	return 0;
}

/*
 * Finish: commit the last batch; *skipped counts rows already present,
 * *rejected rows the server refused.
 */
int
OutputEnd(const Options *options, long *skipped, long *rejected)
{
	*skipped = 0;
	*rejected = 0;
	if (conn == NULL)
	{
		if (options->table != NULL)
		{
			printf("\\.\n");
			printf("INSERT INTO %s (%s) SELECT %s FROM " STAGING_TABLE " ON CONFLICT DO NOTHING;\n",
				   table_sql, column_list, column_list);
			printf("COMMIT;\n");
		}
		if (fflush(stdout) != 0)
			Fatal("cannot write to standard output");
		return 0;
	}
	BatchEnd();
	PQfinish(conn);
	conn = NULL;
	*skipped = skipped_rows;
	*rejected = rejected_rows;
	return 0;
}
