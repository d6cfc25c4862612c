// Everything a group ultimately controls that was founded in a date window.
// :param id => 'cn-chn-energy'
// :param founded_from => date('2025-01-01')
// :param founded_to => date('2025-12-31')
MATCH (g:Entity {id: $id})<-[r:CONTROLLED_BY]-(c:Entity)
WHERE c.founded >= $founded_from AND c.founded <= $founded_to
RETURN c.id AS id, c.name AS name, c.founded AS founded, c.jurisdiction AS jurisdiction, r.definite AS definite
ORDER BY founded, id
