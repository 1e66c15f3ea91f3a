-- The search index of problems: each problem's key, title and description as the pairs of
-- neighbouring characters (`domain::search`, each pair a 32-bit number), in a column of the
-- problem itself with a GIN index. A search asks which problems hold all of a term's pairs
-- (`@>`), and the text then decides. On the problem's own row, a search reads only the rows it
-- answers with (a separate table doubled the pages a common term reads). NULL until indexed.
ALTER TABLE problems ADD COLUMN search_grams INTEGER[];
CREATE INDEX problems_search_idx ON problems USING GIN (search_grams);
CREATE INDEX problems_unindexed_idx ON problems (id) WHERE search_grams IS NULL;
