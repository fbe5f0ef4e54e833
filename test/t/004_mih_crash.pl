# Crash safety of the mih index: the server is killed with SIGKILL (the
# postmaster and every server process at once, as in a power cut that the
# operating system survives) while four clients insert rows concurrently
# into a table with a mih index whose small pending list is flushed into
# segments and merged all the time, then again in the middle of one large
# INSERT (many flushes and merges in one transaction) and in the middle of
# VACUUM.  After each crash recovery:
#  (a) index scans, bitmap scans and k-nearest scans agree with sequential
#      scans over many radius and k-nearest queries (full result sets);
#  (b) every row whose COMMIT the clients saw acknowledged is in the heap
#      and found by the index, and no rolled-back row is visible;
#  (c) a radius-64 index scan finds every row with a code and an ordered
#      index scan every row, in distance order;
# and the same after a VACUUM.  The server log must show no PANIC, no
# assertion failure and no "was reorganised during the scan".
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
# test data, query points and scan checks shared by the mih tests: test/perl/MihTest.pm
use FindBin;
use lib "$FindBin::RealBin/../perl";
use MihTest;
use NodeTest;		# crash, page_digests

# A client's script: autocommit single-row and multi-row INSERTs,
# multi-statement transactions, and rolled-back transactions (ids from
# base + 5,000,000 on).  After each COMMIT the client prints "ack lo hi",
# so its output lists exactly the acknowledged rows.
sub writer_script
{
	my ($client, $groups) = @_;
	my $next = $client * 10_000_000 + 1;
	my $aborted = $client * 10_000_000 + 5_000_000;
	my $sql = '';
	for my $g (0 .. $groups - 1)
	{
		my $kind = $g % 7;
		if ($kind == 0 || $kind == 3)
		{
			$sql .= "INSERT INTO t VALUES ($next, row_code($next));\n\\echo ack $next $next\n";
			$next++;
		}
		elsif ($kind == 1 || $kind == 4)
		{
			my $last = $next + 10 + ($g * 37) % 90;
			$sql .= "INSERT INTO t SELECT g, row_code(g) FROM generate_series($next, $last) g;\n"
			  . "\\echo ack $next $last\n";
			$next = $last + 1;
		}
		elsif ($kind == 2 || $kind == 5)
		{
			my $b = $next + 24;
			my $c = $b + 1;
			$sql .= "BEGIN;\nINSERT INTO t SELECT g, row_code(g) FROM generate_series($next, $b) g;\n"
			  . "INSERT INTO t VALUES ($c, row_code($c));\nCOMMIT;\n\\echo ack $next $c\n";
			$next = $c + 1;
		}
		else
		{
			my $last = $aborted + 29;
			$sql .= "BEGIN;\nINSERT INTO t SELECT g, row_code(g) FROM generate_series($aborted, $last) g;\n"
			  . "ROLLBACK;\n";
			$aborted = $last + 1;
		}
	}
	return $sql;
}

# Updates and deletes of the preloaded rows (ids up to 20000), which no
# check counts on: they leave dead tuples for VACUUM
sub updater_script
{
	my ($groups) = @_;
	my $sql = '';
	for my $g (0 .. $groups - 1)
	{
		my $x = 1 + ($g * 7919) % 19990;
		if ($g % 3 == 0)
		{
			$sql .= "DELETE FROM t WHERE id BETWEEN $x AND $x + 2;\n";
		}
		else
		{
			$sql .= "UPDATE t SET h = row_code(id + 777777) WHERE id BETWEEN $x AND $x + 9;\n";
		}
	}
	return $sql;
}

sub start_psql_script
{
	my ($node, $name, $script) = @_;
	my $dir = $node->basedir;
	open(my $fh, '>', "$dir/$name.sql") or die "cannot write $dir/$name.sql: $!";
	print $fh $script;
	close($fh);
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
		  '-f', "$dir/$name.sql" ],
		'<', \undef, '>', "$dir/$name.out", '2>', "$dir/$name.err");
	return $h;
}

# All checks of one state of the table
sub check_everything
{
	my ($node, $label, $acked_file) = @_;
	compare_scans($node, 't', 't_h', $label);
	check_all_rows($node, 't', 't_h', $label);
	if (defined $acked_file)
	{
		run_sql($node, "TRUNCATE acked; COPY acked FROM '$acked_file'", "$label: load acked");
		my $ids = "(SELECT generate_series(lo, hi) AS id FROM acked) a";
		is(run_sql($node, "$mode_sql{seq} SELECT count(*) FROM $ids "
				  . "WHERE NOT EXISTS (SELECT 1 FROM t WHERE t.id = a.id)", "$label: acked rows"),
			'0', "$label: every acknowledged row is in the heap");
		# one index scan finds them all ...
		my $found = "WITH found AS MATERIALIZED (SELECT id FROM t "
		  . "WHERE h <@ hamming_ball('0000000000000000', 64)) "
		  . "SELECT count(*) FROM $ids JOIN t ON t.id = a.id "
		  . "WHERE t.h IS NOT NULL AND NOT EXISTS (SELECT 1 FROM found f WHERE f.id = a.id)";
		like(run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $found", "$label: plan"),
			qr/Index Scan using t_h on t\b/, "$label: the acknowledged rows are looked up through the index");
		is(run_sql($node, "$mode_sql{index} $found", "$label: acked rows by index"), '0',
			"$label: every acknowledged row with a code is found by an index scan");
		# ... and radius-0 probes for their own codes find one in ten (a
		# probe reads the whole pending list, which may be long)
		my $probe = "WITH s AS MATERIALIZED (SELECT t.id, t.h FROM $ids JOIN t ON t.id = a.id "
		  . "WHERE a.id % 10 = 0 AND t.h IS NOT NULL) "
		  . "SELECT count(*) FROM s WHERE NOT EXISTS "
		  . "(SELECT 1 FROM t t2 WHERE t2.h <@ hamming_ball(s.h, 0) AND t2.id = s.id)";
		like(run_sql($node, "$mode_sql{index} EXPLAIN (COSTS OFF) $probe", "$label: plan"),
			qr/Index Scan using t_h on t t2/, "$label: the acknowledged rows are probed through the index");
		is(run_sql($node, "$mode_sql{index} $probe", "$label: acked rows by index"), '0',
			"$label: acknowledged rows are found by radius-0 index scans for their codes");
	}
	is(run_sql($node, "$mode_sql{seq} SELECT count(*) FROM t WHERE id < 50000000 AND id % 10000000 >= 5000000",
			"$label: rolled back rows"), '0', "$label: no rolled-back row is visible");
}

my $node = start_test_node('mih_crash', 20);
$node->safe_psql('postgres', q{
CREATE TABLE t (id bigint NOT NULL, h phash);
CREATE TABLE acked (lo bigint, hi bigint);
INSERT INTO t SELECT g, row_code(g) FROM generate_series(1, 20000) g;
CREATE INDEX t_h ON t USING mih (h) WITH (pending_list_limit = 64);
});
my $dir = $node->basedir;

# ---- 1. kill -9 during concurrent inserts, updates and deletes ----

my $before = index_state($node, 't_h');
my @clients;
push @clients, start_psql_script($node, "writer$_", writer_script($_, 30000)) for 1 .. 4;
push @clients, start_psql_script($node, 'updater', updater_script(20000));

# let the clients run until the pending list has been flushed and merged
# a few times, for at least three seconds
my $t0 = time();
my $state;
my $flushed;
while (1)
{
	usleep(250_000);
	$state = index_state($node, 't_h');
	$flushed = flushed_since($before, $state, 6);
	last if time() - $t0 > 3 && ($flushed // 1);
	last if time() - $t0 > 40;
}
my $running = grep { $_->pumpable } @clients;
note("after " . sprintf('%.1f', time() - $t0) . " s: layout version " . ($before->{layout} // '?')
	  . " -> " . ($state->{layout} // '?') . ", $state->{nsegments} segments, $state->{pages} pages; "
	  . "$running clients running");
cmp_ok($running, '>=', 4, 'the clients were still running at the crash');
SKIP:
{
	skip 'metapage layout unknown', 1 unless defined $flushed;
	ok($flushed, 'the pending list was flushed and segments merged while the clients ran');
}
crash($node);
foreach my $c (@clients)
{
	$c->finish;
}

# the acknowledged rows: "lo\thi" lines for COPY
my $nacked = 0;
my $ackfile = "$dir/acked.tsv";
open(my $ack, '>', $ackfile) or die "cannot write $ackfile: $!";
foreach my $c (1 .. 4)
{
	foreach my $line (split /\n/, slurp_file("$dir/writer$c.out"))
	{
		next unless $line =~ /^ack (\d+) (\d+)$/;
		print $ack "$1\t$2\n";
		$nacked += $2 - $1 + 1;
	}
	note("writer $c: " . slurp_file("$dir/writer$c.err"));
}
close($ack);
chmod 0644, $ackfile;
note("$nacked acknowledged rows");
cmp_ok($nacked, '>', 1000, 'the clients committed rows before the crash');

$node->start;
check_everything($node, 'after crash during inserts', $ackfile);

# inserts after recovery flush whatever the crash left in the pending or
# flushing list
$node->safe_psql('postgres',
	join('', map { "INSERT INTO t SELECT g, row_code(g) FROM generate_series("
		  . (90_000_000 + $_ * 1000) . ', ' . (90_000_000 + $_ * 1000 + 999) . ") g;\n" } 0 .. 9));
$node->safe_psql('postgres', 'VACUUM t');
check_everything($node, 'after VACUUM', $ackfile);

# ---- 2. kill -9 in the middle of one large INSERT: flushes and merges ----

$before = index_state($node, 't_h');
my $big = start_psql_script($node, 'big_insert',
	"INSERT INTO t SELECT g, row_code(g) FROM generate_series(95000001, 95400000) g;\n");
$t0 = time();
while (1)
{
	usleep(20_000);
	$state = index_state($node, 't_h');
	last if flushed_since($before, $state, 12) // (time() - $t0 > 2);
	last if time() - $t0 > 60;
}
note("big INSERT: layout version " . ($before->{layout} // '?') . " -> " . ($state->{layout} // '?')
	  . ", $state->{nsegments} segments, $state->{pages} pages");
ok($big->pumpable, 'the large INSERT was still running at the crash');
crash($node);
$big->finish;
$node->start;
check_everything($node, 'after crash during a large INSERT', $ackfile);
is($node->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id > 95000000'), '0',
	'the large INSERT did not commit');

# ---- 3. kill -9 during VACUUM: marking dead entries, then flush + merge ----

# Wait, inside the server, until VACUUM of t reports the given phase;
# returns the phase, or 'finished' if VACUUM ended first.  The COMMIT
# makes each loop read the progress of VACUUM afresh.
$node->safe_psql('postgres', q{
CREATE PROCEDURE wait_for_vacuum_phase(want text, INOUT seen text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
	started boolean := false;
	t0 timestamptz := clock_timestamp();
BEGIN
	WHILE clock_timestamp() < t0 + interval '120 s' LOOP
		SELECT phase INTO seen FROM pg_stat_progress_vacuum WHERE relid = 't'::regclass;
		IF seen = want THEN
			RETURN;
		END IF;
		IF seen IS NULL AND (started OR clock_timestamp() > t0 + interval '30 s') THEN
			seen := 'finished';
			RETURN;
		END IF;
		started := seen IS NOT NULL;
		COMMIT;
		PERFORM pg_sleep(0.0005);
	END LOOP;
	seen := 'timed out';
END $$;
});

# many dead rows (the acknowledged rows are updated, not deleted), and a
# long pending list for VACUUM to flush
$node->safe_psql('postgres', q{
ALTER INDEX t_h SET (pending_list_limit = 65536);
DELETE FROM t WHERE id % 3 = 0 AND (id <= 20000 OR id > 90000000);
UPDATE t SET h = row_code(id + 555555) WHERE id % 7 = 1;
INSERT INTO t SELECT g, row_code(g) FROM generate_series(96000001, 96020000) g;
});
my $next_id = 97_000_001;
foreach my $phase ('vacuuming indexes', 'cleaning up indexes')
{
	my $label = "after crash during VACUUM ($phase)";
	my ($caught, $seen) = (0, '');
	# a few attempts: a VACUUM that ends before the phase is seen just
	# completes, and the next attempt gets new dead rows
	for (my $attempt = 1; $attempt <= 3 && !$caught; $attempt++)
	{
		# the cost delay slows the heap passes and the bulk delete down
		my $vac = start_psql_script($node, 'vacuum_' . ($phase =~ /clean/ ? 'cleanup' : 'bulk') . $attempt,
			"SET vacuum_cost_delay = 1;\nSET vacuum_cost_limit = 50;\nVACUUM t;\n");
		$seen = $node->safe_psql('postgres', "CALL wait_for_vacuum_phase('$phase')");
		$caught = $seen eq $phase;
		note("attempt $attempt: VACUUM phase \"$seen\"");
		if ($caught)
		{
			crash($node);
			$vac->finish;
			$node->start;
		}
		else
		{
			$vac->finish;
		}
		check_everything($node, "$label, attempt $attempt", $ackfile);
		# new dead rows and a long pending list for the next VACUUM
		$node->safe_psql('postgres',
			"DELETE FROM t WHERE id % 5 = $attempt AND (id <= 20000 OR id > 90000000);\n"
			  . "INSERT INTO t SELECT g, row_code(g) FROM generate_series($next_id, "
			  . ($next_id + 9_999) . ") g;\n");
		$next_id += 10_000;
	}
	ok($caught, "the server was killed while VACUUM was $phase");
}

# a VACUUM that completes, and the pending list back to its small limit
$node->safe_psql('postgres', 'ALTER INDEX t_h SET (pending_list_limit = 64); VACUUM t');
check_everything($node, 'after the final VACUUM', $ackfile);
$state = index_state($node, 't_h');
note("final index: $state->{nsegments} segments, $state->{pages} pages");

$node->stop;
check_log($node, 'crash tests');
done_testing();
