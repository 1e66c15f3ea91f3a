-- A number that every change able to stop or narrow a caller moves on: a user's name, role,
-- unit, activity or password; a unit's place in the tree or activity. Triggers move it, so
-- it moves whichever server or command makes the change. A server keeps the callers it has
-- checked for as long as this number stays where it was when it checked them. A row, not a
-- sequence: it must move when the change commits, not before.
CREATE TABLE credentials_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO credentials_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credentials_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_credentials_changed
AFTER UPDATE OF username, role, organization_id, active, password_changed_at OR DELETE ON users
FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();

CREATE TRIGGER organizations_credentials_changed
AFTER UPDATE OF parent_id, path, active OR DELETE ON organizations
FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
