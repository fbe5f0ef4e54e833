# NodeTest: server helpers shared by the TAP tests of both index access
# methods (test/t/004, 005 and 008).  It provides
#
#   crash         SIGKILL to the postmaster and every server process at once
#                 (as in a power cut the operating system survives), then
#                 wait until they are gone
#   page_digests  the pages of an index as "blkno:md5" lines (pageinspect),
#                 to compare a primary's index with a standby's byte for byte
#
# both exported by default.  The test files find this module relative to
# themselves:
#
#   use FindBin;
#   use lib "$FindBin::RealBin/../perl";
#   use NodeTest;
package NodeTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

our @EXPORT = qw(crash page_digests);

# The server processes: the postmaster and its children, from /proc
sub server_pids
{
	my ($node) = @_;
	my $pm = (split /\n/, slurp_file($node->data_dir . '/postmaster.pid'))[0];
	my @pids = ($pm);
	opendir(my $dh, '/proc') or die "cannot read /proc: $!";
	foreach my $p (grep { /^\d+$/ } readdir($dh))
	{
		open(my $fh, '<', "/proc/$p/stat") or next;
		my $stat = <$fh> // '';
		close($fh);
		push @pids, $p if $stat =~ /\)\s+\S+\s+(\d+)/ && $1 == $pm;
	}
	closedir($dh);
	return @pids;
}

# SIGKILL to the postmaster and all its children at once, then wait until
# they are gone (the old postmaster's PID in postmaster.pid must be free)
sub crash
{
	my ($node) = @_;
	my @pids = server_pids($node);
	$node->kill9;
	kill 'KILL', @pids;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline && grep { kill 0, $_ } @pids)
	{
		usleep(50_000);
	}
	note('killed ' . scalar(@pids) . ' server processes');
}

# The pages of an index: "blkno:md5" lines (needs CREATE EXTENSION pageinspect)
sub page_digests
{
	my ($node, $idx) = @_;
	return $node->safe_psql('postgres',
		"SELECT string_agg(b || ':' || md5(get_raw_page('$idx', b::int)), E'\\n' ORDER BY b) "
		  . "FROM generate_series(0, pg_relation_size('$idx') / 8192 - 1) b");
}

1;
