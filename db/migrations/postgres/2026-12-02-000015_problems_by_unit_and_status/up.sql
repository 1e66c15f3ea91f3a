-- A unit's problems by status: how many closed problems a subtree holds (is it small enough to
-- compare a new problem's title with each, for 问题反弹?) is read from the index alone.
CREATE INDEX problems_unit_status_idx ON problems (organization_id, status, id);
