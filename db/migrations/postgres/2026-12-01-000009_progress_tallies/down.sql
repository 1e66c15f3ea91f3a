DROP TABLE progress_tallies;
