DROP TABLE problem_search;
