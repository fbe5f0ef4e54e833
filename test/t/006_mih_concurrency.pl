# Concurrency of the mih index: pgbench clients insert, update, delete and
# search a table whose mih index has a small pending list (so flushes and
# merges happen all the time), while another pgbench runs VACUUM in a loop
# (marking dead entries, merging, recycling pages).  Inside the run, some
# transactions compare an index scan with a sequential scan under one
# REPEATABLE READ snapshot, and others read k-nearest and radius cursors
# slowly across the concurrent flushes, merges and VACUUMs; a mismatch or
# any error fails pgbench.  Then CREATE INDEX CONCURRENTLY builds a second
# mih index while pgbench writes.  pgbench must finish without errors, and
# afterwards index scans must agree with sequential scans over many radius
# and k-nearest queries, for both indexes.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
# test data, query points and scan checks shared by the mih tests: test/perl/MihTest.pm
use FindBin;
use lib "$FindBin::RealBin/../perl";
use MihTest;

my $node = start_test_node('mih_concurrency', 30, "deadlock_timeout = 100ms\n");
$node->safe_psql('postgres', q{
CREATE TABLE t (id bigint NOT NULL, h phash);
CREATE SEQUENCE t_ids START 20001;
INSERT INTO t SELECT g, row_code(g) FROM generate_series(1, 20000) g;
CREATE INDEX t_h ON t USING mih (h) WITH (pending_list_limit = 64);
CREATE FUNCTION mismatch(what text, VARIADIC v bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'index and sequential scan disagree under one snapshot: % %', what, v;
END $$;
});

# The workload.  Ids come from a sequence; updates and deletes hit random
# rows (a deadlock between them would be retried: --max-tries); searches
# use index scans (sequential scans disabled).
my %scripts = (
	'mih_insert.sql@6' => q{
\set n random(1, 30)
INSERT INTO t SELECT i, row_code(i) FROM (SELECT nextval('t_ids') AS i FROM generate_series(1, :n)) s;
},
	'mih_rollback.sql@1' => q{
\set n random(1, 30)
BEGIN;
INSERT INTO t SELECT i, row_code(i) FROM (SELECT nextval('t_ids') AS i FROM generate_series(1, :n)) s;
ROLLBACK;
},
	'mih_update_delete.sql@2' => q{
\set x random(1, 60000)
UPDATE t SET h = row_code(id + 7777) WHERE id BETWEEN :x AND :x + 3;
\set y random(1, 60000)
DELETE FROM t WHERE id BETWEEN :y AND :y + 1;
},
	'mih_search.sql@3' => q{
\set i random(1, 3000000)
\set r random(0, 12)
SET enable_seqscan = off;
SELECT count(*) FROM t WHERE h <@ hamming_ball(code_of(:i), 8);
SELECT id, h <~> code_of(:i) FROM t ORDER BY h <~> code_of(:i) LIMIT 10;
SELECT id FROM t WHERE h <@ hamming_ball(code_of(:i), :r) ORDER BY h <~> code_of(:i) LIMIT 5;
SELECT count(*) FROM t WHERE h = code_of(:i);
},
	'mih_snapshot.sql@2' => q{
\set i random(1, 3000000)
\set r random(2, 14)
\set k random(1, 40)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT count(*) AS c1, coalesce(sum(hashint8(id)), 0) AS s1 FROM t WHERE h <@ hamming_ball(code_of(:i), :r) \gset
SELECT count(*) AS n1, coalesce(sum(d), 0) AS d1 FROM (SELECT h <~> code_of(:i) AS d FROM t ORDER BY h <~> code_of(:i) LIMIT :k) s \gset
SELECT pg_sleep(0.01);
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = on;
SELECT count(*) AS c2, coalesce(sum(hashint8(id)), 0) AS s2 FROM t WHERE h <@ hamming_ball(code_of(:i), :r) \gset
SET LOCAL enable_seqscan = on;
SET LOCAL enable_bitmapscan = off;
SET LOCAL enable_indexonlyscan = off;
SELECT count(*) AS c3, coalesce(sum(hashint8(id)), 0) AS s3 FROM t WHERE h <@ hamming_ball(code_of(:i), :r) \gset
SELECT count(*) AS n3, coalesce(sum(d), 0) AS d3 FROM (SELECT h <~> code_of(:i) AS d FROM t ORDER BY h <~> code_of(:i) LIMIT :k) s \gset
COMMIT;
\if :c1 != :c3 or :s1 != :s3 or :c2 != :c3 or :s2 != :s3
SELECT mismatch('radius', :i, :r, :c1, :c2, :c3, :s1, :s2, :s3);
\endif
\if :n1 != :n3 or :d1 != :d3
SELECT mismatch('k-nearest', :i, :k, :n1, :n3, :d1, :d3);
\endif
},
	'mih_cursor.sql@1' => q{
\set i random(1, 3000000)
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
DECLARE c1 CURSOR FOR SELECT id, h <~> code_of(:i) FROM t ORDER BY h <~> code_of(:i);
DECLARE c2 CURSOR FOR SELECT id FROM t WHERE h <@ hamming_ball(code_of(:i), 16);
FETCH 20 FROM c1;
FETCH 20 FROM c2;
SELECT pg_sleep(0.02);
FETCH 300 FROM c1;
FETCH 300 FROM c2;
SELECT pg_sleep(0.02);
FETCH 3000 FROM c1;
FETCH ALL FROM c2;
COMMIT;
});

# VACUUM in a loop, in a second pgbench, for about as long as the clients run
my $seconds = 10;
my $vacuum_script = $node->basedir . '/mih_vacuum.sql';
append_to_file($vacuum_script, "VACUUM t;\nSELECT pg_sleep(0.2);\n");
my ($vac_out, $vac_err) = ('', '');
my $vacuum = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '1', '-T', $seconds, '-f', $vacuum_script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$vac_out, '2>', \$vac_err);

my $before = index_state($node, 't_h');
my @script_opts;
foreach my $name (sort keys %scripts)
{
	(my $file = $node->basedir . "/$name") =~ s/\@\d+$//;
	append_to_file($file, $scripts{$name});
	push @script_opts, '-f', "$file\@" . ($name =~ /\@(\d+)$/)[0];
}
my ($out, $err) = ('', '');
IPC::Run::run(
	[ 'pgbench', '--no-vacuum', '--client=4', '--jobs=2', "--time=$seconds", '--max-tries=10', @script_opts,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);
my $status = $? >> 8;
note(join("\n", grep { /transactions|script|failed|latency/ } split /\n/, $out));
is($status, 0, 'pgbench (inserts, updates, deletes, searches) exits with status 0');
is($err, '', 'pgbench reports no error');
like($out, qr{number of transactions actually processed: [1-9]\d*}, 'pgbench processed transactions');
like($out, qr{number of failed transactions: 0\b}, 'no pgbench transaction failed');
$vacuum->finish;
is($vacuum->result(0), 0, 'the VACUUM loop ran without error');
is($vac_err, '', 'the VACUUM loop wrote nothing to stderr');
like($vac_out, qr{number of transactions actually processed: [1-9]\d*}, 'VACUUM ran during the test');
note($vac_out =~ /(number of transactions actually processed: \d+)/ ? "VACUUM loop: $1" : '');
my $after = index_state($node, 't_h');
note("layout version " . ($before->{layout} // '?') . " -> " . ($after->{layout} // '?')
	  . ", $after->{nsegments} segments, $after->{pages} pages");
SKIP:
{
	my $flushed = flushed_since($before, $after, 5);
	skip 'metapage layout unknown', 1 unless defined $flushed;
	ok($flushed, 'the pending list was flushed and segments merged during the run');
}

compare_scans($node, 't', 't_h', 'after pgbench');
check_all_rows($node, 't', 't_h', 'after pgbench');

# CREATE INDEX CONCURRENTLY while pgbench writes, then the new index alone
my @write_opts = map { ('-f', $_) } grep { /insert|rollback|update/ } grep { $_ ne '-f' } @script_opts;
my ($w_out, $w_err) = ('', '');
my $writer = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '3', '-T', '6', '--max-tries=10', '-M', 'prepared', @write_opts,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$w_out, '2>', \$w_err);
sleep(1);
$node->safe_psql('postgres',
	'CREATE INDEX CONCURRENTLY t_h2 ON t USING mih (h) WITH (pending_list_limit = 64)');
$writer->finish;
note(join("\n", grep { /transactions|failed/ } split /\n/, $w_out));
is($writer->result(0), 0, 'pgbench during CREATE INDEX CONCURRENTLY ran without error')
  or diag($w_err);
is($w_err, '', 'pgbench during CREATE INDEX CONCURRENTLY wrote nothing to stderr');
is($node->safe_psql('postgres', "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_h2'::regclass"),
	't', 'the concurrently built index is valid');
$node->safe_psql('postgres', 'DROP INDEX t_h');
compare_scans($node, 't', 't_h2', 'index built concurrently');
check_all_rows($node, 't', 't_h2', 'index built concurrently');
$node->safe_psql('postgres', 'VACUUM t');
compare_scans($node, 't', 't_h2', 'index built concurrently, after VACUUM');

$node->stop;
check_log($node, 'concurrency tests');
done_testing();
