DROP TABLE overdue_notices;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE service_tokens;
DROP TABLE service_accounts;
