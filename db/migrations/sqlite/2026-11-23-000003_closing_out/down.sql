DROP TABLE extensions;
DROP TABLE evidence;
ALTER TABLE organizations DROP COLUMN evidence_required;
