# Check phash(), dhash() and ahash() against the external test vectors of
# Python ImageHash in ../shared/fixtures/imagehash: the expected values are
# read from that folder's README table, which comes from ImageHash's own
# test suite and from Debian's Pillow + scipy, not from this code.  Skipped
# when the folder is absent.
use strict;
use warnings;
use File::Basename;
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src_dir = $ENV{IMGSEARCH_SRC_DIR} // File::Spec->rel2abs(dirname(__FILE__) . '/../..');
my $fixtures = $ENV{IMGSEARCH_SHARED_FIXTURES}
  // "$src_dir/../shared/fixtures/imagehash";
$fixtures = File::Spec->rel2abs($fixtures);

plan skip_all => "external vectors not found in $fixtures"
  unless -f "$fixtures/README.md";

# Rows of the README table: | file (size) | phash | dhash | average_hash |
my @vectors;
open(my $readme, '<', "$fixtures/README.md") or die "cannot read README: $!";
while (my $line = <$readme>)
{
	if ($line =~ /^\|\s*(\S+\.(?:png|jpe?g))\b[^|]*\|\s*([0-9a-f]{16})\s*\|\s*([0-9a-f]{16})\s*\|\s*([0-9a-f]{16})\s*\|/)
	{
		push @vectors, [ $1, $2, $3, $4 ];
	}
}
close($readme);
ok(@vectors >= 2, 'README lists the test vectors');

my $node = PostgreSQL::Test::Cluster->new('vectors');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION imgsearch');

foreach my $v (@vectors)
{
	my ($file, $phash, $dhash, $ahash) = @$v;
	my $path = "$fixtures/$file";
	my $got = $node->safe_psql('postgres',
		"SELECT phash(img) || ' ' || dhash(img) || ' ' || ahash(img) "
		  . "FROM pg_read_binary_file('$path') AS img");
	is($got, "$phash $dhash $ahash", "$file: phash, dhash and ahash match ImageHash");
	my $all = $node->safe_psql('postgres',
		"SELECT h.phash || ' ' || h.dhash || ' ' || h.ahash "
		  . "FROM image_hashes(pg_read_binary_file('$path')) h");
	is($all, "$phash $dhash $ahash", "$file: image_hashes agrees");
}

$node->stop;
done_testing();
