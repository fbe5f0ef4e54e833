# The opt-out registry survives pg_dump and restore: its tables belong to
# the extension, so the dump holds CREATE EXTENSION and the registry's rows
# (pg_extension_config_dump), not the tables' definitions.  Entries of every
# kind go in, the dump is restored into a new database, and the registry
# there must hold the same rows (ids, sources and times too), its sequences
# must go on from where they were, and a check must answer as before.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('optout');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION imgsearch;
	INSERT INTO optout_url (url, source) VALUES
	  ('HTTPS://Example.com/art/dragon.jpg?utm_source=x', 'artist form'),
	  ('http://münchen.example/bild.png', 'bulk list');
	INSERT INTO optout_domain (domain, subdomains, source) VALUES
	  ('studio.example.org', true, 'spawning'), ('exact.example.net', false, 'spawning');
	INSERT INTO optout_image (hash, dhash, radius, label, source) VALUES
	  ('ba8c84536bd3c366', '2bb25d8aaa50b22b', 6, 'dragon', 'upload');
	DELETE FROM optout_url WHERE source = 'bulk list';  -- a gap in the ids
});

my $registry = q{
	SELECT 'url', id, url, url_normal, source, registered_at::text FROM optout_url
	UNION ALL SELECT 'domain', id, domain, domain_normal || subdomains, source, registered_at::text FROM optout_domain
	UNION ALL SELECT 'image', id, hash::text, dhash::text || radius || label, source, registered_at::text FROM optout_image
	ORDER BY 1, 2};
my $check = q{SELECT ord, opted_out, reason, entry_id FROM optout_check_urls(ARRAY[
	'https://example.com/art/dragon.jpg', 'http://a.studio.example.org/', 'http://a.exact.example.net/'])};
my $before = $node->safe_psql('src', $registry);
my $check_before = $node->safe_psql('src', $check);
like($before, qr/dragon/, 'the registry holds its entries');

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore');

is($node->safe_psql('restored', $registry), $before, 'the restored registry holds the same rows');
is($node->safe_psql('restored', $check), $check_before, 'and checks answer as before');
is($node->safe_psql('restored',
		"INSERT INTO optout_url (url) VALUES ('https://example.com/new.jpg') RETURNING id"),
	'3', 'the id sequence goes on after the last id dumped');
is($node->safe_psql('restored',
		"SELECT count(*) FROM optout_image WHERE hash <@ hamming_ball('ba8c84536bd3c367', 1)"),
	'1', 'the restored picture entries are searchable');

$node->stop;
done_testing();
