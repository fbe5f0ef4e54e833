-- Caption search: caption_tsvector, caption_tsquery and caption_matches.
-- Each pair below says by hand whether the caption must match the query;
-- the test lists every pair where caption_matches disagrees (caption_index
-- checks the caption index against them too).
CREATE EXTENSION IF NOT EXISTS imgsearch;

CREATE TABLE caption_pairs (rule text, caption text, query text, should_match boolean);
INSERT INTO caption_pairs VALUES
-- case folding
('case', 'Art by GREG RUTKOWSKI', 'greg rutkowski', true),
('case', 'art by greg rutkowski', 'Greg Rutkowski', true),
-- accents and letter variants
('accents', 'Alfons Múcha poster', 'mucha', true),
('accents', 'Alfons Mucha poster', 'Múcha', true),
('accents', 'Søren Kierkegaard portrait', 'soren', true),
('accents', 'Łódź street art', 'lodz', true),
('accents', 'Straße in Berlin', 'strasse', true),
('accents', 'Ærøskøbing harbour', 'aeroskobing', true),
('accents', 'Dvořák and Janáček', 'dvorak janacek', true),
('accents', 'café de Flore', 'cafe', true),
-- punctuation separates words
('punctuation', 'greg_rutkowski_dragon.png', 'greg rutkowski', true),
('punctuation', 'greg_rutkowski_dragon.png', '"greg rutkowski dragon"', true),
('punctuation', 'art by Greg-Rutkowski', '"greg rutkowski"', true),
('punctuation', 'loish.artist/works', 'loish', true),
('punctuation', 'artwork (loish) 2019', 'loish', true),
-- camelCase
('camelcase', 'GregRutkowski dragon', 'greg rutkowski', true),
('camelcase', 'GregRutkowski dragon', '"greg rutkowski"', true),
('camelcase', 'GregRutkowski dragon', 'gregrutkowski', true),
('camelcase', 'Greg Rutkowski dragon', 'GregRutkowski', true),
('camelcase', 'XMLHttpRequest diagram', 'http request', true),
('camelcase', 'my iPhone wallpaper', 'iphone', true),
('camelcase', 'my iPhone wallpaper', 'phone', true),
-- possessive
('possessive', 'Rutkowski''s dragon', 'rutkowski', true),
('possessive', 'Rutkowski’s dragon', 'rutkowski dragon', true),
('possessive', 'Rutkowski''s dragon', '"rutkowski dragon"', true),
-- URLs and handles
('urls', 'https://www.artstation.com/loish/artwork/123', 'loish', true),
('urls', 'follow @loish_art on instagram', 'loish', true),
('urls', 'follow @loish_art on instagram', '@loish_art', true),
-- no stemming: whole words only
('whole words', 'el muchacho de la playa', 'mucha', false),
('whole words', 'blue jeans for sale', 'jean', false),
('whole words', 'paintings of cats', 'painting', false),
('whole words', 'Jean Giraud (Moebius)', 'jean', true),
-- CJK bigrams
('cjk', '葛飾北斎の浮世絵', '北斎', true),
('cjk', '葛飾北斎の浮世絵', '葛飾北斎', true),
('cjk', '葛飾北斎の浮世絵', '広重', false),
('cjk', '歌川広重', '広', true),
('cjk', 'ドラゴンのイラスト', 'ドラゴン', true),
('cjk', '한국 전통 그림', '전통', true),
('cjk', 'Hokusai 北斎 wave', 'hokusai', true),
-- other scripts
('cyrillic', 'Иван Айвазовский Девятый вал', 'айвазовский', true),
('greek', 'Ο Παρθενώνας', 'παρθενωνας', true),
-- query syntax
('and', 'a dragon by greg rutkowski', 'dragon rutkowski', true),
('and', 'a dragon by greg rutkowski', 'dragon mucha', false),
('phrase', 'rutkowski greg dragon', '"greg rutkowski"', false),
('phrase', 'greg the rutkowski', '"greg rutkowski"', false),
('or', 'a wyvern by greg', 'dragon or wyvern', true),
('or', 'a wyvern by greg', 'dragon OR lizard', false),
('or', 'a wyvern by greg', 'greg dragon or wyvern', true),
('not', 'a dragon sketch', 'dragon -sketch', false),
('not', 'a dragon painting', 'dragon -sketch', true),
('not', 'a dragon painting', '-sketch', true),
-- typed text is never an error
('robust', 'a dragon', '"dragon', true),
('robust', 'a dragon', 'dragon"', true),
('robust', 'a dragon', '"" dragon', true),
('robust', 'a dragon', 'or dragon', true),
('robust', 'a dragon', 'dragon or', true),
('robust', 'a dragon', '- dragon -', true),
('robust', 'a dragon', '!!! ??? ...', false),
('robust', 'a dragon', '', false),
('robust', 'a dragon', '''dragon''', true),
('robust', 'a dragon', 'dragon & | ! <-> :* ''', true),
('robust', '', 'dragon', false);

SELECT rule, caption, query, should_match, caption_matches(caption, query) AS matches
FROM caption_pairs WHERE caption_matches(caption, query) IS DISTINCT FROM should_match
ORDER BY rule, caption;
SELECT count(*) AS pairs, count(DISTINCT rule) AS rules FROM caption_pairs;

-- what the normalisation produces
SELECT caption_tsvector('art by Greg-Rutkowski, GregRutkowski''s dragon Múcha 葛飾北斎 https://x.com/@loish_art');
SELECT caption_tsquery('"greg rutkowski" dragon or wyvern -sketch');
SELECT caption_tsquery('GregRutkowski'), caption_tsquery(''), caption_tsquery('"');

-- where a plain ASCII word (copied as it is) meets what needs reading
-- character by character: a possessive (' and U+2019, and 's that is not
-- one), an accented letter and a capital inside the word, a CJK run, a
-- non-ASCII separator (U+2014), capitals only, the end of the text.  The
-- expected lexemes are worked out by hand from the rules above.
SELECT c, caption_tsvector(c) = expected::tsvector AS same
FROM (VALUES
	('Abc''s def’s x''sy', $$'abc':1 'abc def':1 'def':2 'def x':2 'x':3 'x sy':3 'sy':4$$),
	('caféAu lait', $$'cafe':1 'cafeau':1 'au':2 'cafe au':1 'cafeau au':1 'au lait':2 'lait':3$$),
	('abc北斎def', $$'abc':1 '北斎':2 '斎':2 'def':3$$),
	('4k HDR_wallpaper', $$'4k':1 '4k hdr':1 'hdr':2 'hdr wallpaper':2 'wallpaper':3$$),
	('abc—def', $$'abc':1 'abc def':1 'def':2$$),
	('Mucha''s', $$'mucha':1$$),
	('it’s', $$'it':1$$),
	('''s s', $$'s':1,2 's s':1$$)
) AS t(c, expected);

-- Word pairs: a phrase of words is written with the pair lexemes 'a b'
-- (a then b) that caption_tsvector adds.  Over captions drawn from a small
-- vocabulary (many repeats, camelCase, snake_case, possessives, CJK), each
-- phrase must match exactly where the same words as a plain phrase
-- (caption_phrase_tsquery) match the caption's single words (its tsvector
-- without the pairs, the lexemes holding a space): PostgreSQL's own phrase
-- matching is the reference.
CREATE TEMP TABLE pair_captions AS
  SELECT i AS id,
         string_agg((ARRAY['greg', 'rutkowski', 'Greg', 'GregRutkowski', 'art', 'by', 'art_by',
                           '北斎', '葛飾北斎', 'the', 'x', 'rutkowski''s', 'Art-By'])
                    [1 + abs(hashint4(i * 100 + j)) % 13], ' ' ORDER BY j) AS caption
  FROM generate_series(1, 400) AS i, generate_series(1, 1 + i % 9) AS j
  GROUP BY i;
CREATE TEMP TABLE pair_queries (query text);
INSERT INTO pair_queries VALUES ('greg rutkowski'), ('rutkowski greg'), ('art by greg'),
  ('by greg rutkowski art'), ('GregRutkowski art'), ('gregrutkowski rutkowski'),
  ('北斎 the'), ('the 北斎 x'), ('葛飾北斎 the'), ('x x'), ('greg greg rutkowski'), ('art by art');
SELECT q.query, count(*) FILTER (WHERE by_pairs) AS matched,
       count(*) FILTER (WHERE by_pairs IS DISTINCT FROM by_words) AS differ
FROM pair_queries q,
     LATERAL (SELECT caption_tsvector(c.caption) @@ caption_tsquery('"' || q.query || '"') AS by_pairs,
                     ts_delete(caption_tsvector(c.caption),
                               ARRAY(SELECT lexeme FROM unnest(caption_tsvector(c.caption))
                                     WHERE lexeme LIKE '% %'))
                       @@ caption_phrase_tsquery(q.query) AS by_words
              FROM pair_captions c) AS t
GROUP BY q.query ORDER BY q.query COLLATE "C";
-- a word too long to index (over 200 bytes) still takes its place in a phrase
SELECT caption_tsquery('"a ' || repeat('x', 201) || ' b"') AS gap,
       caption_matches('a ' || repeat('x', 201) || ' b', '"a ' || repeat('y', 201) || ' b"') AS gap_matches,
       caption_matches('a b', '"a ' || repeat('y', 201) || ' b"') AS no_gap_matches;

-- a GIN index on caption_tsvector serves caption_matches, and agrees with
-- a sequential scan
CREATE TEMP TABLE captions AS
  SELECT i AS id,
         'caption ' || i || CASE WHEN i % 50 = 0 THEN ' art by Loish' WHEN i % 7 = 0 THEN ' GregRutkowski''s dragon' ELSE ' a landscape' END AS caption
  FROM generate_series(1, 5000) i;
CREATE INDEX captions_gin ON captions USING gin (caption_tsvector(caption));
ANALYZE captions;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM captions WHERE caption_matches(caption, 'loish');
SELECT count(*) FROM captions WHERE caption_matches(caption, 'loish');
SELECT count(*) FROM captions WHERE caption_matches(caption, '"greg rutkowski" dragon');
RESET enable_seqscan;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM captions WHERE caption_matches(caption, 'loish');
SELECT count(*) FROM captions WHERE caption_matches(caption, '"greg rutkowski" dragon');
RESET enable_indexscan;
RESET enable_bitmapscan;

-- NULLs
SELECT caption_matches(NULL, 'x') IS NULL AS null_caption, caption_matches('x', NULL) IS NULL AS null_query;

-- ranking: the typed words adjacent and in order first, then all of them
-- (closer together first), then fewer of them; the shorter caption first
-- for the same match
SELECT caption, rank() OVER (ORDER BY caption_rank(caption, 'greg rutkowski') DESC) AS place
FROM (VALUES ('greg rutkowski'),
             ('dragon by greg rutkowski'),
             ('art by greg rutkowski, dragon, fantasy, epic, trending on artstation'),
             ('rutkowski greg'),
             ('greg with a long tail and then rutkowski'),
             ('greg alone')) AS v(caption)
ORDER BY place;
SELECT caption_rank('a dragon', 'unicorn') AS no_match;

-- highlighting: the words the query names, in the caption as written
SELECT caption_highlight('Art by Greg-Rutkowski: GregRutkowski''s dragon, Múcha 葛飾北斎の浮世絵',
                         'greg rutkowski mucha 北斎');
SELECT caption_highlight('a dragon and a wyvern', 'dragon or wyvern', '[', ']');
SELECT caption_highlight('歌川広重', '広'), caption_highlight('no match here', 'dragon');
SELECT caption_highlight('a dragon', '');

-- Hostile input.  One character can decompose into 18 code points
-- (U+FDFA, 15 of them letters): three of them are one word of 45 letters,
-- here compared with Python's unicodedata.normalize('NFKD', ...) without
-- the spaces; a thousand of them are one word too long to index.
SELECT array_agg(lexeme ORDER BY length(lexeme) DESC) =
         ARRAY['صلىاللهعليهوسلمصلىاللهعليهوسلمصلىاللهعليهوسلم x', 'صلىاللهعليهوسلمصلىاللهعليهوسلمصلىاللهعليهوسلم', 'x']
       AS nfkd_word
FROM unnest(caption_tsvector(repeat(U&'\FDFA', 3) || ' x'));
SELECT caption_tsvector(repeat(U&'\FDFA', 1000) || ' x') AS too_long,
       caption_matches(repeat(U&'\FDFA', 1000), 'x') AS matches_nothing;
-- a long caption of 20,000 words w0..w4999 cycling: its 5,000 words and
-- 5,000 pairs 'wk wk+1', and, as words past position 16,383 all share it,
-- the pairs of w1382 (at 16,382) with each of them (w1383..w4999, w0): 3,617
-- more
SELECT length(caption_tsvector(string_agg('w' || (i % 5000), ' '))) AS lexemes,
       caption_matches(string_agg('w' || (i % 5000), ' '), '"w4998 w4999"') AS pair_found
FROM generate_series(1, 20000) AS i;
-- so long that its lexemes overflow a tsvector: refused with 54000
SELECT caption_tsvector(string_agg(md5(i::text), ' ')) FROM generate_series(1, 40000) AS i;
-- a pair of two long words (200 bytes each) is still one lexeme
SELECT caption_matches(repeat('a', 200) || ' ' || repeat('b', 200),
                       '"' || repeat('a', 200) || ' ' || repeat('b', 200) || '"') AS long_pair;

-- ranking edge cases: a lexeme that is two typed words at once (a lone CJK
-- character is a prefix), lexemes sharing a position, and the words past
-- the last position (no phrase starts there): the tier is the integer part
SELECT floor(caption_rank('北斎', '北 北斎')) AS prefix_and_word,
       caption_matches('北斎', '北 北斎') AS prefix_and_word_matches,
       floor(caption_rank('北斎', '北斎 斎')) AS shared_position,
       floor(caption_rank(repeat('w ', 16382) || repeat('a ', 20000) || 'b', 'a b')) AS past_last_position;
