DROP INDEX problems_due_sort_idx;
CREATE INDEX problems_due_sort_idx ON problems (due_sort, id, status, organization_id);
