DROP TRIGGER organizations_credentials_changed ON organizations;
DROP TRIGGER users_credentials_changed ON users;
DROP FUNCTION credentials_changed();
DROP TABLE credentials_generation;
