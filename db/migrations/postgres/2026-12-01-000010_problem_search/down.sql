ALTER TABLE problems DROP COLUMN search_grams;
