// The recorded control status of every entity that has one.
MATCH (e:Entity)
WHERE e.control_status IS NOT NULL
RETURN e.id AS id, e.control_status AS status, e.control_ruleset AS ruleset
