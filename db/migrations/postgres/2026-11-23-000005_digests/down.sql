DROP TABLE digest_deliveries;
