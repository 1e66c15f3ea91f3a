DROP TABLE notice_evidence;
ALTER TABLE organizations DROP COLUMN scorecard_weights;
ALTER TABLE problems DROP COLUMN lapses;
ALTER TABLE progress_tallies DROP COLUMN acknowledged_on_time;
ALTER TABLE progress_tallies DROP COLUMN acknowledgements_due;
ALTER TABLE progress_tallies DROP COLUMN unrectified;
ALTER TABLE progress_tallies DROP COLUMN closed_continuing;
ALTER TABLE progress_tallies DROP COLUMN closed_rectified;
ALTER TABLE problem_history DROP COLUMN outcome;
