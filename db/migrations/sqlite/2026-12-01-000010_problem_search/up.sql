-- The search index of problems: each problem's key, title and description as the pairs of
-- neighbouring characters (`domain::search`, each pair a 32-bit number written in hex), in an
-- FTS5 table whose rowid is the problem's id. Contentless (the text stays in `problems`) and
-- without positions: a search asks only which problems hold all of a term's pairs, and the
-- text then decides.
CREATE VIRTUAL TABLE problem_search USING fts5 (
    grams,
    content = '',
    contentless_delete = 1,
    detail = none
);
