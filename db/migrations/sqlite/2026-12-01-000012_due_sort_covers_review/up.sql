-- The deadline index also holds the review, so that counting the overdue (`total=true`) and
-- every other deadline-range count is answered from the index alone: each listing leaves out
-- reviews still being imported, and that test needed a read of every row counted.
DROP INDEX problems_due_sort_idx;
CREATE INDEX problems_due_sort_idx ON problems (due_sort, id, status, organization_id, review_id);
