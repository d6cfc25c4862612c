// Create or update entities by id; the kind becomes a second label (Company, Person, ...).
// :param rows => [{id: 'demo-1', label: 'Company', props: {name: 'Demo Co', kind: 'company'}}]
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
SET e += row.props
SET e:$(row.label)
