// Create or update entities by id; the kind becomes a second label (Company, Person, ...).
// Returns the entities that are new or whose kind, registered capital or name changed (their answers may change).
// :param rows => [{id: 'demo-1', label: 'Company', props: {name: 'Demo Co', kind: 'company', control_fp: 'x'}}]
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
WITH e, row, e.control_fp AS before
SET e += row.props
SET e:$(row.label)
WITH e, before, row
WHERE before IS NULL OR before <> row.props.control_fp
RETURN e.id AS changed
