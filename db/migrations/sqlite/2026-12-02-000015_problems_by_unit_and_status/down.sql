DROP INDEX problems_unit_status_idx;
